/**
 * Some chaos runs start their SPOC procedures through one fleet rollout (`fleet-rollout`) instead
 * of one by one: the same procedures on the same groups and standalone servers, as the rollout's
 * children (`spoc-group-<group>`, `spoc-standalone-os-restart-<site>`), at most one or two at a
 * time, starts spaced or not, a failure budget of one or of all of them, and now and then an
 * operator's pause and resume while the kills go on; half of them hand over to a new run every
 * few dozen history events (the new run waits on the server for the children the run before
 * started). The run answers the children's halts as it
 * answers any procedure's; this file starts the rollout, plays its operator, tells which children
 * started in this run (their ids are reused run after run), and gathers what the rollout did for
 * chaos/fleet-rollout-invariants.ts.
 */
import type { Client } from '@temporalio/client';
import { runHistories } from '../bench/run-histories';
import { commandRollout, startRollout } from '../client/fleet-rollout-client';
import type { Inventory } from '../simulator/spoc/inventory';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';
import { retrying } from './chaos-system';
import type { RolloutObserved, RolloutUnitObserved } from './fleet-rollout-invariants';
import type { PlannedProcedure } from './procedures';

/** A rollout that hands over this soon does so a few times in a run (at least 50: the input's floor). */
const HAND_OVER_AFTER_EVENTS = 60;

type Rng = () => number;

/** One unit of the rollout: the procedure the run planned for it, under the child's id. */
interface RolloutUnit {
  name: string;
  site: string;
  childId: string;
}

export class FleetRolloutChaos {
  readonly workflowId: string;
  readonly input: {
    procedure: string;
    groups: { site: string; procedure: string; input: unknown }[];
    limits: { maxGroupsAtOnce: number; maxGroupsPerSite: number; failureBudget: number; secondsBetweenStarts: number };
    pollSeconds: number;
    continueAsNewAfterEvents?: number;
  };
  private readonly units: RolloutUnit[];
  /** The run ids the children's ids had before this run: an execution with another one started in this run. */
  private readonly before = new Map<string, string | undefined>();
  /** How long after the start the operator pauses it; undefined: no pause this run. */
  private readonly pauseAfterMs: number | undefined;
  /** When the operator pauses it (ms since the epoch), and resumes it. */
  private pauseAt: number | undefined;
  private resumeAt: number | undefined;
  private paused = false;
  pauses = 0;
  ending: string | undefined;
  result: RolloutStatus | undefined;

  /**
   * The run's SPOC procedures as the rollout's units: returns the procedures under their children's
   * ids (the run tracks and answers them so), the others (the cluster option change) as they were.
   */
  constructor(
    inventory: Inventory,
    planned: PlannedProcedure[],
    private readonly rng: Rng,
    runTag: string,
    private readonly log: (line: string) => void,
  ) {
    const siteOf = (host: string) => inventory.siteServers.find((s) => s.host === host)?.site ?? 'unknown';
    const spoc = planned.filter((p) => p.member === undefined);
    this.units = spoc.map((p) => {
      const site = siteOf(p.hosts[0] ?? '');
      const group = (p.input as { group?: string }).group;
      return group !== undefined ? { name: group, site, childId: `spoc-group-${group}` } : { name: `standalone:${site}`, site, childId: `spoc-standalone-os-restart-${site}` };
    });
    this.workflowId = `chaos-${runTag}-rollout`;
    this.input = {
      procedure: spoc[0]?.procedureId ?? 'restart-group-without-cache-deletion',
      groups: spoc.map((p, i) => ({ site: this.units[i]!.site, procedure: p.procedureId, input: p.input })),
      limits: {
        maxGroupsAtOnce: rng() < 0.5 ? 1 : 2,
        maxGroupsPerSite: 1,
        // One: the first halt holds the rest back; all: every unit starts whatever halts.
        failureBudget: rng() < 0.5 ? 1 : spoc.length,
        secondsBetweenStarts: rng() < 0.5 ? 0 : 1,
      },
      pollSeconds: 1,
    };
    this.pauseAfterMs = rng() < 0.4 ? 2000 + rng() * 6000 : undefined;
    // Half of them hand over to a new run every few dozen events, so the new runs' wait for the
    // groups the run before started is killed and resumed too.
    if (rng() < 0.5) this.input.continueAsNewAfterEvents = HAND_OVER_AFTER_EVENTS;
  }

  /** The run's procedures with the SPOC ones under their children's ids. */
  procedures(planned: PlannedProcedure[]): PlannedProcedure[] {
    let unit = 0;
    return planned.map((p) => (p.member === undefined ? { ...p, workflowId: this.units[unit++]!.childId } : p));
  }

  describe(): string {
    const { maxGroupsAtOnce, failureBudget, secondsBetweenStarts } = this.input.limits;
    const handedOver = this.result ? ` (${this.result.continuedAsNew} time(s))` : '';
    const handsOver = this.input.continueAsNewAfterEvents ? `, hands over past ${this.input.continueAsNewAfterEvents} events${handedOver}` : '';
    return `fleet rollout: ${this.units.length} units, ${maxGroupsAtOnce} at a time, failure budget ${failureBudget}, ${secondsBetweenStarts ? `starts ${secondsBetweenStarts} s apart` : 'starts not spaced'}${handsOver}, paused ${this.pauses} time(s), ended ${this.ending ?? 'not'}`;
  }

  async start(client: Client): Promise<void> {
    for (const unit of this.units) this.before.set(unit.childId, await retrying(() => runIdOf(client, unit.childId)));
    await retrying(() => startRollout(client, this.input, { workflowId: this.workflowId }));
    if (this.pauseAfterMs !== undefined) this.pauseAt = Date.now() + this.pauseAfterMs;
    this.log(`  ${this.describe()}`);
  }

  /** Whether the procedure is one of the rollout's children. */
  owns(p: PlannedProcedure): boolean {
    return this.units.some((u) => u.childId === p.workflowId);
  }

  /** Whether the child's procedure started in this run (not an earlier run's under the same id). */
  async startedInThisRun(client: Client, childId: string): Promise<boolean> {
    const runId = await runIdOf(client, childId);
    return runId !== undefined && runId !== this.before.get(childId);
  }

  /** The operator's pause and resume when due, and the rollout's end once it came. */
  async tick(client: Client): Promise<void> {
    if (this.ending !== undefined) return;
    try {
      const handle = client.workflow.getHandle(this.workflowId);
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        this.result = await handle.result().catch(() => undefined);
        this.ending = this.result ? 'completed' : description.status.name.toLowerCase();
        this.log(`  ${this.workflowId} ${this.ending}`);
        return;
      }
      if (!this.paused && this.pauseAt !== undefined && Date.now() >= this.pauseAt) {
        this.pauseAt = undefined;
        await commandRollout(client, this.workflowId, { type: 'operator.pause', operator: 'chaos', reason: 'the change board asks to hold' });
        this.paused = true;
        this.pauses += 1;
        this.resumeAt = Date.now() + 2000 + this.rng() * 3000;
        this.log(`  ${this.workflowId}: operator pauses it`);
      } else if (this.paused && this.resumeAt !== undefined && Date.now() >= this.resumeAt) {
        await commandRollout(client, this.workflowId, { type: 'operator.resume', operator: 'chaos' });
        this.paused = false;
        this.log(`  ${this.workflowId}: operator resumes it`);
      }
    } catch (err) {
      // The server or the worker is down (look again next time), or the command is not possible now
      // (a pause once no group waits): no pause this run.
      if (err instanceof Error && /not possible now/.test(err.message)) this.pauseAt = undefined;
    }
  }

  /** Ended here at the run limit, so its children's ids and leases are free for the next run. */
  async terminate(client: Client): Promise<void> {
    if (this.ending !== undefined) return;
    this.ending = 'still running at the run limit';
    await retrying(() => client.workflow.getHandle(this.workflowId).terminate('chaos run limit'), 10).catch(() => undefined);
  }

  /** What the rollout did, from the server: its children's times and endings, the starts it asked. */
  async observed(client: Client, endings: ReadonlyMap<string, string | undefined>): Promise<RolloutObserved> {
    const runs = await retrying(() => runHistories(client, this.workflowId)).catch(() => []);
    const asked = new Map<string, number>();
    for (const event of runs.flat()) {
      const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (id) asked.set(id, (asked.get(id) ?? 0) + 1);
    }
    const units: RolloutUnitObserved[] = [];
    for (const unit of this.units) {
      const observed: RolloutUnitObserved = { name: unit.name, site: unit.site, startsAsked: asked.get(unit.childId) ?? 0 };
      if (await retrying(() => this.startedInThisRun(client, unit.childId))) {
        const description = await retrying(() => client.workflow.getHandle(unit.childId).describe());
        observed.startedAtMs = description.startTime.getTime();
        if (description.closeTime) observed.closedAtMs = description.closeTime.getTime();
        const ending = endings.get(unit.childId);
        if (ending !== undefined) observed.ending = ending;
      }
      units.push(observed);
    }
    const result = this.result ? Object.fromEntries(this.result.perGroup.map((g) => [g.name, { state: g.state, haltedOnce: g.haltedOnce }])) : undefined;
    return { workflowId: this.workflowId, limits: this.input.limits, units, ending: this.ending ?? 'unknown', ...(result ? { result } : {}) };
  }
}

/** The run id of the latest execution under `workflowId`, undefined when there is none. */
async function runIdOf(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).runId;
  } catch (err) {
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') return undefined;
    throw err;
  }
}
