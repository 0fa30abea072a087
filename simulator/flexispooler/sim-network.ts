/**
 * The simulated FlexiSpooler network, as the clients' agents and the central worker see it
 * (activities/flexispooler/: `FlexiSpoolerNetwork`, `JobReleaseSource`), over the store the
 * operator's `spoolflow sim network ...` changes:
 *
 * - a client on an office network reaches that location's Spooler Controllers that are up, and
 *   gets DHCP option 9 naming them unless that network's option 9 is withheld; it reaches no other
 *   location's (the document's scenarios 2 and 3: the Prague controller is not accessible from
 *   Bratislava);
 * - with the internet (an office, the airport's wifi) it reaches the public FlexiSpooler Server,
 *   which forwards to the first data-center FlexiSpooler Server that is up; offline it reaches nothing;
 * - a user who authenticates at a printer releases every job of theirs held on a server that is
 *   up, in any office; jobs on several servers come out with no order kept across them (release-order.ts).
 *
 * Every step goes to `<data dir>/sim/flexispooler-operations.jsonl`.
 */
import type { FlexiSpoolerNetwork, JobRelease, JobReleaseSource, PrintJob } from '../../activities/flexispooler/flexispooler-activities';
import type { DeliveryOutcome } from '../../machines/flexispooler/flexispooler-actions';
import { spoolerControllersOf } from '../../machines/flexispooler/estate-locations';
import { flexiSpoolerEstateSchema, FlexiSpoolerEstate } from '../../machines/flexispooler/flexispooler-estate';
import { planRelease, ReleasePlan } from '../../machines/flexispooler/release-order';
import { FlexiSpoolerOperationRecord } from './flexispooler-operation-record';
import { SIM_FLEXISPOOLER_ESTATE, SIM_NETWORKS } from './sim-network-definition';
import { SimNetworkStore } from './sim-network-store';

export interface ReleaseAtPrinter {
  user: string;
  printer: string;
  office: string;
  printed: string[];
  /** Jobs that stay held: their server is down. */
  stillHeld: { jobId: string; server: string }[];
  plan: ReleasePlan;
}

export class SimFlexiSpoolerNetwork implements FlexiSpoolerNetwork, JobReleaseSource {
  readonly estate: FlexiSpoolerEstate = flexiSpoolerEstateSchema.parse(SIM_FLEXISPOOLER_ESTATE);

  constructor(
    readonly store: SimNetworkStore,
    readonly record: FlexiSpoolerOperationRecord,
  ) {}

  private networkOf(client: string) {
    const name = this.store.networkOf(client);
    return name ? { name, ...SIM_NETWORKS[name] } : undefined;
  }

  /** Whether the client reaches this server now. */
  reaches(client: string, server: string): boolean {
    const network = this.networkOf(client);
    if (!network || this.store.isDown(server)) return false;
    if (server === this.estate.publicServer?.host) return network.internet;
    return network.location !== null && spoolerControllersOf(this.estate, network.location).includes(server);
  }

  dhcpOption9(client: string): Promise<string[] | null> {
    const network = this.networkOf(client);
    const option9 = network?.option9 && network.location && !this.store.option9Withheld(network.name) ? spoolerControllersOf(this.estate, network.location) : null;
    this.record.append({ client, job: null, operation: 'dhcp-option-9', server: network?.name ?? 'no network', outcome: option9 ? option9.join(' ') : 'no option 9' });
    return Promise.resolve(option9);
  }

  async deliverToSpoolerController(client: string, server: string, job: PrintJob): Promise<{ outcome: DeliveryOutcome; heldBy: string | null }> {
    const outcome: DeliveryOutcome = !this.reaches(client, server) ? 'unreachable' : this.store.hold({ ...job, server, client, via: 'spooler-controller' }) ? 'accepted' : 'already-held';
    this.record.append({ client, job: job.jobId, operation: 'deliver-to-spooler-controller', server, outcome });
    // A slow server has taken the job before its answer comes: a worker killed meanwhile leaves it held, unanswered.
    if (outcome !== 'unreachable') await slowAnswer(this.store.slowness(server));
    return { outcome, heldBy: outcome === 'unreachable' ? null : (this.store.heldJob(job.jobId)?.server ?? server) };
  }

  async deliverThroughPublicServer(client: string, publicServer: string, job: PrintJob): Promise<{ outcome: DeliveryOutcome; dataCenterServer: string | null }> {
    const dataCenter = (this.estate.publicServer?.dataCenter ?? []).find((s) => !this.store.isDown(s));
    let answer: { outcome: DeliveryOutcome; dataCenterServer: string | null };
    if (!this.reaches(client, publicServer) || !dataCenter) answer = { outcome: 'unreachable', dataCenterServer: null };
    else if (this.store.hold({ ...job, server: dataCenter, client, via: 'public-server' })) answer = { outcome: 'accepted', dataCenterServer: dataCenter };
    else answer = { outcome: 'already-held', dataCenterServer: this.store.heldJob(job.jobId)?.server ?? dataCenter };
    this.record.append({ client, job: job.jobId, operation: 'deliver-through-public-server', server: answer.dataCenterServer ? `${publicServer} -> ${answer.dataCenterServer}` : publicServer, outcome: answer.outcome });
    if (answer.outcome !== 'unreachable') await slowAnswer(this.store.slowness(publicServer));
    return answer;
  }

  releaseOf(_server: string, jobId: string): Promise<JobRelease | null> {
    const printed = this.store.printedJob(jobId);
    return Promise.resolve(printed ? { printer: printed.printer, office: printed.office, printedAt: printed.printedAt } : null);
  }

  /** The user authenticates at a printer: every job of theirs held on a server that is up is printed there, once. */
  authenticate(user: string, printer: string): ReleaseAtPrinter {
    const office = this.estate.locations.find((l) => l.printers.includes(printer))?.name;
    if (!office) throw new Error(`no printer ${printer}; printers: ${this.estate.locations.flatMap((l) => l.printers).join(', ')}`);
    return this.store.atomically(() => {
      const waiting = this.store.waitingJobsOf(user);
      const reachable = waiting.filter((j) => !this.store.isDown(j.server));
      const plan = planRelease(reachable.map((j) => ({ jobId: j.jobId, server: j.server, printedByUserAt: j.heldAt })));
      const printed: string[] = [];
      for (const { server, jobs } of plan.byServer) {
        for (const jobId of jobs) {
          const now = this.store.print({ jobId, server, printer, office });
          const held = reachable.find((j) => j.jobId === jobId);
          this.record.append({ client: held?.client ?? '', job: jobId, operation: 'print', server, outcome: now ? `printed at ${printer} (${office})` : 'already-printed', ...(plan.orderKept ? {} : { note: plan.note }) });
          if (now) printed.push(jobId);
        }
      }
      const stillHeld = waiting.filter((j) => this.store.isDown(j.server)).map((j) => ({ jobId: j.jobId, server: j.server }));
      return { user, printer, office, printed, stillHeld, plan };
    });
  }
}

function slowAnswer(delayMs: number): Promise<void> {
  return delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
}
