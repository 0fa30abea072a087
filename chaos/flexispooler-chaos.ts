/**
 * The FlexiSpooler part of a chaos run: print jobs of the simulated network's clients (each a
 * `deliver-print-job` workflow, its client's agent in the agents process, the release watch on the
 * central worker), some at the start and more while the run goes on, delivered across Spooler
 * Controller outages (the failover to the next controller, or the public server), slow servers (an
 * answer a kill can lose), clients taken offline or to the airport's wifi, DHCP option 9 withheld;
 * as the operator's `spoolflow sim network ...` would do, on the same SQLite file. Users
 * authenticate at printers now and then. At the end the network is whole again, every user
 * authenticates at their office's printer until their jobs are printed (up to 45 s), and
 * chaos/flexispooler-invariants.ts judges the network's record and the deliveries' results.
 */
import type { Client } from '@temporalio/client';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { openSimNetwork } from '../simulator/flexispooler/sim-flexispooler-agents';
import type { SimFlexiSpoolerNetwork } from '../simulator/flexispooler/sim-network';
import { SIM_CLIENTS, SIM_FLEXISPOOLER_ESTATE, simPrintJobInput, type SimClient, type SimNetworkName } from '../simulator/flexispooler/sim-network-definition';
import { PassingFaults, pick, retrying, waitFor, type ChaosSystem } from './chaos-system';
import { flexiSpoolerBreaks, type PrintJobOfRun } from './flexispooler-invariants';
import type { InvariantBreak } from './invariants';
import { printJobWorkflowId } from '../machines/flexispooler/print-job-workflow-id';

type Rng = () => number;

const SERVERS = ['sc-lon-1', 'sc-lon-2', 'sc-prg-1', 'sc-bts-1', 'flexi-dc-1', 'flexi-public'];
const AWAY: SimNetworkName[] = ['offline', 'public-wifi'];
const HOME_PRINTER: Record<string, string> = { prague: 'printer-prg-1', london: 'printer-lon-1', bratislava: 'printer-bts-1' };
const FAULTS_PER_RUN = 8;
/** Jobs printed while the run goes on, beside one per client at the start: most meet a fault on their way. */
const LATE_JOBS = 8;

interface Job extends PrintJobOfRun {
  client: SimClient;
}

export class FlexiSpoolerChaos implements ChaosSystem {
  readonly name = 'flexispooler';
  faults = 0;
  private network!: SimFlexiSpoolerNetwork;
  private readonly jobs: Job[] = [];
  private readonly passing = new PassingFaults();
  private nextEventAt = 0;
  private releases = 0;

  constructor(
    private readonly client: () => Client,
    private readonly spoolflow: () => SpoolflowClient,
    private readonly simDir: string,
    private readonly runTag: string,
    private readonly rng: Rng,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.network = openSimNetwork(this.simDir);
    // A Spooler Controller down from the start half the time: the first jobs fail over, or wait, or go through the public server.
    if (this.rng() < 0.5) {
      const server = pick(this.rng, SERVERS.slice(0, 4));
      this.network.store.setDown(server, true);
      this.injected(4000 + this.rng() * 8000, `${server} down`, () => this.network.store.setDown(server, false));
    }
    for (const client of SIM_CLIENTS) await this.print(client);
    this.nextEventAt = Date.now() + 1000 + this.rng() * 3000;
  }

  private async print(client: SimClient): Promise<void> {
    const n = this.jobs.filter((j) => j.client === client).length + 1;
    const jobId = `chaos-${this.runTag}-${client.user}-${n}`;
    const workflowId = printJobWorkflowId(client.client, jobId);
    await retrying(() => this.spoolflow().start('deliver-print-job', simPrintJobInput(client, { id: jobId, document: `chaos ${n}.pdf` }, { retrySeconds: 2, releaseWatchSeconds: 5 }), { workflowId }));
    this.jobs.push({ jobId, workflowId, ending: 'still waiting', client });
  }

  async tick(): Promise<void> {
    for (const what of this.passing.expire()) this.log(`  flexispooler: ${what} over`);
    if (Date.now() < this.nextEventAt) return;
    this.nextEventAt = Date.now() + 1000 + this.rng() * 4000;
    const roll = this.rng();
    const lastsMs = 3000 + this.rng() * 12_000;
    const store = this.network.store;
    if (roll < 0.3 && this.jobs.length < SIM_CLIENTS.length + LATE_JOBS) {
      const client = pick(this.rng, SIM_CLIENTS);
      // Half the time its location's first Spooler Controller goes down as the user prints: the failover, not a lucky moment, is what is tried.
      const first = SIM_FLEXISPOOLER_ESTATE.locations.find((l) => l.name === client.installation.location)?.servers[0]?.host;
      if (first && this.faults < FAULTS_PER_RUN && this.rng() < 0.5 && !this.passing.has(`${first} down`)) {
        store.setDown(first, true);
        this.injected(lastsMs, `${first} down`, () => store.setDown(first, false));
      }
      await this.print(client).catch(() => undefined);
      this.log(`  flexispooler: ${client.user} prints`);
    } else if (roll < 0.4) {
      const user = pick(this.rng, SIM_CLIENTS).user;
      const printer = pick(this.rng, Object.values(HOME_PRINTER));
      this.releases += 1;
      const release = this.network.authenticate(user, printer);
      this.log(`  flexispooler: ${user} authenticates at ${printer}: printed ${release.printed.length}`);
    } else if (this.faults >= FAULTS_PER_RUN) {
      return;
    } else if (roll < 0.6) {
      const server = pick(this.rng, SERVERS);
      if (this.passing.has(`${server} down`)) return;
      store.setDown(server, true);
      this.injected(lastsMs, `${server} down`, () => store.setDown(server, false));
    } else if (roll < 0.75) {
      const server = pick(this.rng, SERVERS.slice(0, 5));
      if (this.passing.has(`${server} slow`)) return;
      store.setSlowness(server, 1500 + Math.floor(this.rng() * 3500));
      this.injected(lastsMs, `${server} slow`, () => store.setSlowness(server, 0));
    } else if (roll < 0.9) {
      const client = pick(this.rng, SIM_CLIENTS);
      if (this.passing.has(`${client.client} away`)) return;
      store.moveClient(client.client, pick(this.rng, AWAY));
      this.injected(lastsMs, `${client.client} away`, () => store.moveClient(client.client, client.network));
    } else {
      const network: SimNetworkName = pick(this.rng, ['office-london', 'office-prague', 'office-bratislava']);
      if (this.passing.has(`option 9 withheld on ${network}`)) return;
      store.setOption9Withheld(network, true);
      this.injected(lastsMs, `option 9 withheld on ${network}`, () => store.setOption9Withheld(network, false));
    }
  }

  private injected(lastsMs: number, what: string, undo: () => void): void {
    this.faults += 1;
    this.passing.add(lastsMs, what, undo);
    this.log(`  flexispooler: ${what} for ${Math.round(lastsMs / 1000)} s`);
  }

  async settle(): Promise<void> {
    this.passing.expire(true);
    const store = this.network.store;
    for (const server of store.serversDown()) store.setDown(server, false);
    for (const { server } of store.slowServers()) store.setSlowness(server, 0);
    for (const c of SIM_CLIENTS) store.moveClient(c.client, c.network);
    for (const network of store.option9Outages()) store.setOption9Withheld(network, false);
    // Every user releases their jobs at their office's printer, again while some are still on their way.
    await waitFor(async () => {
      for (const c of SIM_CLIENTS) this.network.authenticate(c.user, HOME_PRINTER[c.installation.location] ?? 'printer-prg-1');
      await this.readEndings();
      return this.jobs.every((j) => j.ending !== 'still waiting');
    }, 45_000);
  }

  private async readEndings(): Promise<void> {
    for (const job of this.jobs.filter((j) => j.ending === 'still waiting')) {
      try {
        const handle = this.client().workflow.getHandle(job.workflowId);
        if ((await handle.describe()).status.name === 'RUNNING') continue;
        job.output = (await handle.result()) as Job['output'];
        job.ending = job.output?.outcome ?? 'no result';
      } catch (err) {
        job.ending = `failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  }

  async finish(): Promise<InvariantBreak[]> {
    await this.readEndings().catch(() => undefined);
    for (const job of this.jobs.filter((j) => j.ending === 'still waiting')) {
      await retrying(() => this.client().workflow.getHandle(job.workflowId).terminate('chaos run over'), 6).catch(() => undefined);
    }
    const breaks = flexiSpoolerBreaks(this.network.record.read(), this.jobs);
    this.network.store.close();
    return breaks;
  }

  summary(): string {
    const record = this.network.record.read();
    const printed = record.filter((e) => e.operation === 'print' && e.outcome.startsWith('printed')).length;
    const failovers = record.filter((e) => e.operation.startsWith('deliver') && e.outcome === 'unreachable').length;
    return `flexispooler: ${this.jobs.length} jobs, ${printed} printed, ${failovers} unreachable answers, ${record.filter((e) => e.outcome === 'already-held').length} already held, ${this.releases} releases, faults ${this.faults}`;
  }
}
