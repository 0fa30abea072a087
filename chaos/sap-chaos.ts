/**
 * The SAP spool part of a chaos run: the simulated system `prd` (chaos/estate-process.ts runs its
 * spool servers' work processes in the agents process), both dispatchers started for the run, and
 * the run's own load: output requests to devices with and without a set sequence (a tenth
 * frontend; each device with a set sequence on one spool server, as SAP defines it), a host spool
 * demand per server and a global task now and then, submitted one at a time (a submission that fails is given again, same id, before the next), so the order of a
 * sequence device's requests is the order they were submitted. Its faults are the run's kills (the
 * work processes, the dispatchers' worker, the server). At the end the load stops, the accepted
 * requests get up to 40 s to be printed, a dispatcher stuck on a nondeterminism error is named, the
 * dispatchers and the global slot are terminated, and chaos/sap-invariants.ts judges the spool
 * servers' record.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { globalManagementWorkflowId, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import type { SpoolTask } from '../machines/sap/spool-tasks';
import { DEFAULT_SAP_SYSTEMS, startSapDispatchers, type SimSapSystem } from '../simulator/sap/sim-sap-estate';
import { readOperationRecord } from '../simulator/core/operation-record';
import { sapSpoolRecordFile, type SapSpoolOperation } from '../simulator/sap/sim-spool-servers';
import { submitSpoolTaskUpdate, submitSpoolTaskUpdateId } from '../workflows/sap/spool-dispatcher-messages';
import { pick, retrying, sleep, waitWhileProgressing, type ChaosSystem } from './chaos-system';
import type { InvariantBreak } from './invariants';
import { sapBreaks, type SapSubmissions } from './sap-invariants';
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
  readonly faults = 0;
  private readonly submitted: SapSubmissions = { outputs: [], sequences: {} };
  private given = 0;
  private loading = false;
  private load: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: () => Client,
    private readonly simDir: string,
    private readonly runTag: string,
    private readonly rng: Rng,
  ) {}

  async start(): Promise<void> {
    await retrying(() => startSapDispatchers(this.client(), CHAOS_SAP_SYSTEMS));
    this.loading = true;
    this.load = this.submitLoad();
  }

  tick(): Promise<void> {
    return Promise.resolve();
  }

  private async submitLoad(): Promise<void> {
    const system = CHAOS_SAP_SYSTEMS[0] as SimSapSystem;
    for (let n = 1; this.loading; n++) {
      for (const { server, task } of this.tasksDue(system, n)) await this.give(system.system, server, task);
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

  /** One task to its dispatcher, again until it answers (the same id is the same task), or the load stops. */
  private async give(system: string, server: string, task: SpoolTask): Promise<void> {
    if (task.kind === 'output' && task.sequence) (this.submitted.sequences[`${server}/${task.device}`] ??= []).push(task.id);
    while (this.loading) {
      try {
        // An Update on a connection to a killed server can wait long: given again after 5 s (the same Update id, and the same task id).
        const update = this.client().workflow.getHandle(spoolDispatcherWorkflowId(system, server)).executeUpdate(submitSpoolTaskUpdate, { args: [task], updateId: submitSpoolTaskUpdateId(task) });
        update.catch(() => undefined);
        await Promise.race([update, sleep(5000).then(() => Promise.reject(new Error('no answer within 5 s')))]);
        this.given += 1;
        if (task.kind === 'output') this.submitted.outputs.push(task.id);
        return;
      } catch {
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
    this.loading = false;
    await this.load;
    const printed = () => new Set(this.record().filter((e) => e.operation === 'finish' && e.outcome === 'printed').map((e) => e.target));
    await waitWhileProgressing(() => this.submitted.outputs.every((id) => printed().has(id)), () => printed().size, 40_000, 5 * 60_000);
  }

  async finish(): Promise<InvariantBreak[]> {
    const system = CHAOS_SAP_SYSTEMS[0] as SimSapSystem;
    const dispatchers = system.servers.map((s) => spoolDispatcherWorkflowId(system.system, s.server));
    const stuck = await this.stuckDispatchers(dispatchers);
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
    return [...stuck, ...sapBreaks(this.record(), this.submitted)];
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
    return `sap: ${this.given} tasks given (${this.submitted.outputs.length} output requests), ${record.filter((e) => e.operation === 'finish' && e.outcome === 'printed').length} printed, ${record.filter((e) => e.outcome === 'rejoined').length} rejoined`;
  }
}
