/**
 * The SAP spool part of a chaos run: the simulated system `prd` (chaos/estate-process.ts runs its
 * spool servers' work processes in the agents process), both dispatchers started for the run, and
 * the run's own load: output requests to devices with and without a set sequence (a tenth
 * frontend; each device with a set sequence on one spool server, as SAP defines it), a host spool
 * demand per server and a global task now and then, submitted one at a time (a submission that fails is given again, same id, before the next), so the order of a
 * sequence device's requests is the order they were submitted. Its faults are the run's kills (the
 * work processes, the dispatchers' worker, the server). In half the runs (a stream of its own, so a
 * seed's load stays what it was) the operator shuts one spool server down at a moment of the run,
 * just after its users printed a batch there (so requests wait to move), its requests reassigned
 * to the other, and in half of those brought back into service later (chaos/sap-shutdown-chaos.ts):
 * the move runs through the kills like any task, and the load gives the tasks that server refuses
 * where its refusal says its requests went, as a system that prints through SAP would (a
 * management task of that server's own is dropped); for the return the load is held
 * until every set-sequence request given so far has printed, as the docs ask of an operator. At the end the load stops, the
 * accepted requests get up to 40 s to be printed, a dispatcher stuck on a nondeterminism error is
 * named, the shutdown's end is read, the dispatchers and the global slot are terminated, and
 * chaos/sap-invariants.ts judges the spool servers' record and the shutdown.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { followsAShutdown, forwardOfShutDownRefusal, givingRouteFrom, submitFollowingShutdowns } from '../client/sap-spool-submit';
import { globalManagementWorkflowId, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import type { SpoolTask } from '../machines/sap/spool-tasks';
import { DEFAULT_SAP_SYSTEMS, startSapDispatchers, type SimSapSystem } from '../simulator/sap/sim-sap-estate';
import { readOperationRecord } from '../simulator/core/operation-record';
import { sapSpoolRecordFile, type SapSpoolOperation } from '../simulator/sap/sim-spool-servers';
import { pick, retrying, sleep, waitFor, waitWhileProgressing, withinFiveSeconds, type ChaosSystem } from './chaos-system';
import type { InvariantBreak } from './invariants';
import { sapBreaks, sapShutdownBreaks, type SapSubmissions } from './sap-invariants';
import { SapShutdownChaos } from './sap-shutdown-chaos';
import { stuckOnNondeterminism } from './stuck-on-nondeterminism';

/**
 * The npm start system without its hanging host spool demands: a hung demand is ended by the
 * dispatcher's management timeout with no finish line, which the record could not tell from a work
 * process given two tasks. Kills are this system's faults.
 */
export const CHAOS_SAP_SYSTEMS: SimSapSystem[] = DEFAULT_SAP_SYSTEMS.map((s) => ({
  ...s,
  servers: s.servers.map((server) => ({ ...server, hangEveryNthDemand: 0 })),
  timings: { managementTimeoutSeconds: 60, globalSlotCheckSeconds: 5 },
}));

type Rng = () => number;

export class SapChaos implements ChaosSystem {
  readonly name = 'sap';
  private readonly submitted: SapSubmissions = { outputs: [], sequences: {} };
  private given = 0;
  /** Tasks given to the server a shut-down server's refusal named, and management tasks dropped so. */
  private followed = 0;
  private dropped = 0;
  private loading = false;
  private load: Promise<void> = Promise.resolve();
  private loadBegan = 0;
  /** The burst before the shutdown was given; the shutdown's moment is brought forward when the run ends first. */
  private burstGiven = false;
  private shutdownForced = false;
  private readonly shutdown: SapShutdownChaos;
  /** The load waits between tasks while held (the operator checks the other server before bringing a server back); `giving` while it gives one. */
  private loadHeld = false;
  private giving = false;
  /** The return under way in the background, if any. */
  private returning: Promise<void> | undefined;

  constructor(
    private readonly client: () => Client,
    private readonly simDir: string,
    private readonly runTag: string,
    private readonly rng: Rng,
    /** The shutdown's own stream: whether, which server and when. */
    shutdownRng: Rng = () => 1,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    const system = CHAOS_SAP_SYSTEMS[0] as SimSapSystem;
    this.shutdown = new SapShutdownChaos(system.system, system.servers.map((s) => s.server), shutdownRng, log);
  }

  /** A shutdown is the run's one fault of this system (and its return, when it has one). */
  get faults(): number {
    return (this.shutdown.accepted ? 1 : 0) + (this.shutdown.run?.returned ? 1 : 0);
  }

  async start(): Promise<void> {
    await retrying(() => startSapDispatchers(this.client(), CHAOS_SAP_SYSTEMS));
    this.loading = true;
    this.loadBegan = Date.now();
    this.load = this.submitLoad();
  }

  /**
   * The shutdown, once its moment has come and the load has given the server its burst: asked
   * until the dispatcher accepts it (the same target is the same shutdown).
   */
  async tick(): Promise<void> {
    if (!this.loading || !this.shutdown.run) return;
    if (!this.shutdown.accepted) {
      if (this.burstGiven) await this.shutdown.ask(this.client(), this.loadBegan);
      return;
    }
    // In the background, so the run's kills and faults go on while the load is held.
    if (!this.returning && (await this.shutdown.returnDue(this.client(), this.loadBegan))) {
      this.returning = this.returnWithLoadHeld().finally(() => (this.returning = undefined));
    }
  }

  /** Whether the shutdown's moment has come (or the run ends first). */
  private shutdownDue(): boolean {
    const run = this.shutdown.run;
    return run !== undefined && (this.shutdownForced || Date.now() - this.loadBegan >= run.afterMs);
  }

  /**
   * The operator's return of the shut-down server: the load held between tasks, and only once every
   * set-sequence request given so far has printed (none waits on the other server to be overtaken by
   * one given back here; up to 15 s for them); else the load goes on and a later look tries again.
   */
  private async returnWithLoadHeld(): Promise<void> {
    this.loadHeld = true;
    try {
      if (!(await waitFor(() => !this.giving, 10_000))) return;
      const sequencesPrinted = () => {
        const printed = this.printedIds();
        return Object.values(this.submitted.sequences).every((ids) => ids.every((id) => printed.has(id) || !this.submitted.outputs.includes(id)));
      };
      if (!(await waitFor(sequencesPrinted, 15_000))) return;
      await this.shutdown.bringBack(this.client(), this.loadBegan);
    } finally {
      this.loadHeld = false;
    }
  }

  private printedIds(): Set<string> {
    return new Set(this.record().filter((e) => e.operation === 'finish' && e.outcome === 'printed').map((e) => e.target));
  }

  /**
   * Before the shutdown, users print a batch on the server: a request to its set-sequence device
   * (queued behind one another) and to the devices without one, so requests wait to be moved.
   */
  private burst(system: SimSapSystem, server: string): { server: string; task: SpoolTask }[] {
    const sequenced = system.devices.filter((d) => d.sequence);
    const servers = system.servers.map((s) => s.server);
    const own = sequenced.filter((_d, i) => servers[i % servers.length] === server);
    const others = system.devices.filter((d) => !d.sequence);
    const devices = [...own, ...others];
    return Array.from({ length: 8 }, (_x, i) => {
      const device = devices[i % devices.length] as SimSapSystem['devices'][number];
      return { server, task: { kind: 'output', id: `chaos-${this.runTag}-burst-${i + 1}`, device: device.name, sequence: device.sequence, frontend: false } };
    });
  }

  private async submitLoad(): Promise<void> {
    const system = CHAOS_SAP_SYSTEMS[0] as SimSapSystem;
    for (let n = 1; this.loading; n++) {
      while (this.loadHeld && this.loading) await sleep(100);
      const planned = this.shutdown.run;
      const burst = planned && !this.burstGiven && this.shutdownDue() ? this.burst(system, planned.server) : [];
      this.giving = true;
      try {
        for (const { server, task } of [...this.tasksDue(system, n), ...burst]) await this.give(system.system, server, task);
      } finally {
        this.giving = false;
      }
      if (burst.length > 0) this.burstGiven = true;
      await sleep(700 + this.rng() * 600);
    }
  }

  /** The n-th tick's tasks: an output request, every 12th a host spool demand per server, every 20th a global task. */
  private tasksDue(system: SimSapSystem, n: number): { server: string; task: SpoolTask }[] {
    const servers = system.servers.map((s) => s.server);
    const id = (what: string) => `chaos-${this.runTag}-${what}-${n}`;
    const device = pick(this.rng, system.devices);
    const frontend = !device.sequence && this.rng() < 0.1;
    // A device with a set sequence is defined on one spool server, as in SAP (its order is that server's dispatcher's to keep); the others go to either.
    const sequenced = system.devices.filter((d) => d.sequence);
    const server = device.sequence ? (servers[sequenced.indexOf(device) % servers.length] as string) : pick(this.rng, servers);
    const tasks: { server: string; task: SpoolTask }[] = [{ server, task: { kind: 'output', id: id('r'), device: frontend ? 'frontend' : device.name, sequence: device.sequence, frontend } }];
    if (n % 12 === 0) tasks.push(...servers.map((server) => ({ server, task: { kind: 'management' as const, id: id(`demand-${server}`), task: 'host-spool-demand' as const } })));
    if (n % 20 === 0) tasks.push({ server: pick(this.rng, servers), task: { kind: 'management', id: id('scan'), task: 'scan-lost-requests' } });
    return tasks;
  }

  /**
   * One task to its dispatcher, again until it answers (the same id is the same task), or the load
   * stops. A server shut down names where its requests went: the task follows it there, as the
   * clients give it (`submitFollowingShutdowns`: an output request comes after the requests moved
   * before it); a management task of the server's own does not follow, and is dropped.
   */
  private async give(system: string, server: string, task: SpoolTask): Promise<void> {
    if (task.kind === 'output' && task.sequence) (this.submitted.sequences[task.device] ??= []).push(task.id);
    // Given again, the task goes on from the server it had reached (a lost answer must not take it back to the first).
    const route = givingRouteFrom(server);
    while (this.loading) {
      try {
        // An Update on a connection to a killed server can wait long: given again after 5 s (the same Update id, and the same task id).
        const { passedBy } = await withinFiveSeconds(submitFollowingShutdowns(this.client(), system, server, task, { route }));
        this.followed += passedBy.length;
        this.given += 1;
        if (task.kind === 'output') this.submitted.outputs.push(task.id);
        return;
      } catch (err) {
        if (forwardOfShutDownRefusal(err) !== undefined && !followsAShutdown(task)) {
          this.dropped += 1;
          return;
        }
        await sleep(500);
      }
    }
  }

  private record(): SapSpoolOperation[] {
    return readOperationRecord(sapSpoolRecordFile(this.simDir)) as SapSpoolOperation[];
  }

  /**
   * Waits for every accepted output request to be printed: 40 s after the last one printed, at most
   * 5 min in all. A sequence device's backlog is printed one request after another (seconds each),
   * so a run whose load outpaced a busy machine still drains; a request lost makes no progress.
   */
  async settle(): Promise<void> {
    // A run that ends before its shutdown's moment has it now, under the load still.
    this.shutdownForced = true;
    await waitFor(() => !this.shutdown.run || this.burstGiven, 20_000);
    for (let i = 0; this.shutdown.run && !this.shutdown.accepted && i < 12; i++) {
      if (!(await this.shutdown.ask(this.client(), this.loadBegan))) await sleep(2000);
    }
    await this.returning;
    this.loading = false;
    await this.load;
    await waitWhileProgressing(() => this.submitted.outputs.every((id) => this.printedIds().has(id)), () => this.printedIds().size, 40_000, 5 * 60_000);
    // A return the load never gave a moment for comes now, with everything printed: up to 30 s for the move to end first.
    for (let i = 0; this.shutdown.run?.returnPlanned && !this.shutdown.run.returned && i < 30; i++) {
      if (!((await this.shutdown.returnDue(this.client(), this.loadBegan)) && (await this.shutdown.bringBack(this.client(), this.loadBegan, true)))) await sleep(1000);
    }
  }

  async finish(): Promise<InvariantBreak[]> {
    const system = CHAOS_SAP_SYSTEMS[0] as SimSapSystem;
    const dispatchers = system.servers.map((s) => spoolDispatcherWorkflowId(system.system, s.server));
    const stuck = await this.stuckDispatchers(dispatchers);
    const shutdownOfRun = await this.shutdown.atTheEnd(this.client());
    const shutdownBreaks = shutdownOfRun ? sapShutdownBreaks(shutdownOfRun) : [];
    const ids = [...dispatchers, globalManagementWorkflowId(system.system)];
    for (const id of ids) {
      await retrying(async () => {
        try {
          await this.client().workflow.getHandle(id).terminate('chaos run over');
        } catch (err) {
          // Not running (the slot between holders): nothing to end.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }, 6).catch(() => undefined);
    }
    return [...stuck, ...shutdownBreaks, ...sapBreaks(this.record(), this.submitted)];
  }

  /** Dispatchers whose workflow task fails on a nondeterminism error: the requests they hold are lost for that reason. */
  private async stuckDispatchers(ids: string[]): Promise<InvariantBreak[]> {
    const breaks: InvariantBreak[] = [];
    for (const id of ids) {
      const history = await retrying(() => this.client().workflow.getHandle(id).fetchHistory(), 6).catch(() => undefined);
      const error = history && stuckOnNondeterminism(history.events ?? []);
      if (error) breaks.push({ invariant: 'sap-dispatcher-stuck', detail: `${id}: ${error} (docs/sap-spool-work-processes.md: a dispatcher stuck with TMPRL1100)` });
    }
    return breaks;
  }

  summary(): string {
    const record = this.record();
    const shutdown = this.shutdown.summary(this.followed, this.dropped);
    return `sap: ${this.given} tasks given (${this.submitted.outputs.length} output requests), ${record.filter((e) => e.operation === 'finish' && e.outcome === 'printed').length} printed, ${record.filter((e) => e.outcome === 'rejoined').length} rejoined${shutdown}`;
  }
}
