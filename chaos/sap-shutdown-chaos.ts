/**
 * The operator's shutdown of an SAP spool server in a chaos run (chaos/sap-chaos.ts runs the load
 * around it): in half the runs one server is shut down, its requests reassigned to the other, at a
 * moment 4-20 s into the load; in half of those the operator brings it back into service once it is
 * shut down (docs/sap-spool-work-processes.md#back-in-service), as the docs say to: the load held,
 * every set-sequence request given so far printed (none still waits on the other server to be
 * overtaken), then `movedRequestsChecked`. Both are asked again until answered, through the kills
 * (the same target is the same shutdown; a return refused because the server is back already is
 * taken as done). At the end its dispatcher's status says how the shutdown ended, for
 * chaos/sap-invariants.ts.
 */
import type { Client } from '@temporalio/client';
import { returnSpoolServerToService, shutDownSpoolServer } from '../client/sap-spool-shutdown';
import { spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import { spoolDispatcherStatusQuery } from '../workflows/sap/spool-dispatcher-messages';
import { pick, retrying, sleep, withinFiveSeconds } from './chaos-system';
import type { SapShutdownOfRun } from './sap-invariants';

type Rng = () => number;

export class SapShutdownChaos {
  /** What the run plans and what came of it; undefined in a run without a shutdown. */
  readonly run: (SapShutdownOfRun & { afterMs: number; acceptedAfterMs?: number; returnedAfterMs?: number; returnedAfterLoad?: boolean }) | undefined;

  constructor(
    private readonly system: string,
    servers: string[],
    rng: Rng,
    private readonly log: (line: string) => void,
  ) {
    if (rng() < 0.5) {
      const server = pick(rng, servers);
      const to = pick(rng, servers.filter((s) => s !== server));
      this.run = { server, to, afterMs: 4000 + rng() * 16_000, accepted: false, shutdown: undefined, returnPlanned: rng() < 0.5, returned: false };
    }
  }

  get accepted(): boolean {
    return this.run?.accepted ?? false;
  }

  /** Asks for the shutdown; false while not accepted (asked again at the next look). */
  async ask(client: Client, loadBegan: number): Promise<boolean> {
    const run = this.run;
    if (!run || run.accepted) return run?.accepted ?? false;
    try {
      await withinFiveSeconds(shutDownSpoolServer(client, this.system, run.server, { reassignTo: run.to, operator: 'chaos', reason: 'chaos run' }));
      run.accepted = true;
      run.acceptedAfterMs = Date.now() - loadBegan;
      this.log(`  sap: shut down ${run.server}, its requests to ${run.to}`);
    } catch (err) {
      this.log(`  sap: shutdown of ${run.server} not accepted yet: ${err instanceof Error ? err.message : String(err)}`);
    }
    return run.accepted;
  }

  /**
   * Whether the return is due: planned, not done, the server shut down (its status read now). A
   * return the dispatcher took whose answer a kill lost shows as in service with this run's shutdown
   * ended by chaos: it is done, not due.
   */
  async returnDue(client: Client, loadBegan: number): Promise<boolean> {
    const run = this.run;
    if (!run?.accepted || !run.returnPlanned || run.returned) return false;
    const status = await withinFiveSeconds(client.workflow.getHandle(spoolDispatcherWorkflowId(this.system, run.server)).query(spoolDispatcherStatusQuery)).catch(() => undefined);
    if (status?.shutdown === null && status.lastShutdown?.returnedBy === 'chaos') {
      this.taken(run, loadBegan);
      return false;
    }
    return status?.shutdown?.phase === 'shut-down';
  }

  private taken(run: NonNullable<SapShutdownChaos['run']>, loadBegan: number, afterLoad = false): void {
    run.returned = true;
    run.returnedAfterMs = Date.now() - loadBegan;
    run.returnedAfterLoad = afterLoad;
    this.log(`  sap: ${run.server} back in service`);
  }

  /** Brings the server back (the caller holds the load and has seen every set-sequence request printed); false while not answered. */
  async bringBack(client: Client, loadBegan: number, afterLoad = false): Promise<boolean> {
    const run = this.run;
    if (!run) return false;
    try {
      await withinFiveSeconds(returnSpoolServerToService(client, this.system, run.server, { operator: 'chaos', reason: 'chaos run: the other server printed what it was given', movedRequestsChecked: true }));
    } catch (err) {
      // Taken already, its answer lost to a kill: the server says it is in service.
      if (!(err instanceof Error && /is in service: it has no shutdown to end/.test(String((err.cause as Error | undefined)?.message)))) {
        this.log(`  sap: return of ${run.server} not answered yet: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
    }
    this.taken(run, loadBegan, afterLoad);
    return true;
  }

  /** The run with the dispatcher's shutdown (and the one it ended, when brought back) as they stand at the end; a move still holding gets up to 30 s. */
  async atTheEnd(client: Client): Promise<SapShutdownOfRun | undefined> {
    const run = this.run;
    if (!run?.accepted) return run;
    const read = () => retrying(() => client.workflow.getHandle(spoolDispatcherWorkflowId(this.system, run.server)).query(spoolDispatcherStatusQuery), 6).catch(() => undefined);
    let status = await read();
    for (let i = 0; status?.shutdown?.phase === 'holding' && i < 30; i++) {
      await sleep(1000);
      status = await read();
    }
    run.shutdown = status === undefined ? undefined : (status.shutdown ?? null);
    run.lastShutdown = status?.lastShutdown;
    return run;
  }

  summary(followed: number, dropped: number): string {
    const s = this.run;
    if (!s) return '';
    if (!s.accepted) return `; shutdown of ${s.server} never accepted`;
    const ended = s.returned ? s.lastShutdown : (s.shutdown ?? undefined);
    const what = ended ? `${ended.phase}, ${ended.reassigned} moved, ${ended.notReassignedCount ?? ended.notReassigned.length} refused${ended.followedFrom ? `, followed from ${ended.followedFrom.join(', ')}` : ''}` : 'status unread';
    const back = s.returned ? `; back in service at ${((s.returnedAfterMs ?? 0) / 1000).toFixed(1)} s${s.returnedAfterLoad ? ' (after the load)' : ' (under the load)'}` : s.returnPlanned ? '; its return never answered' : '';
    return `; ${s.server} shut down at ${((s.acceptedAfterMs ?? 0) / 1000).toFixed(1)} s to ${s.to}: ${what}${back}; ${followed} tasks given where its refusal said, ${dropped} of its management tasks dropped`;
  }
}
