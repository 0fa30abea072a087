/**
 * The fleet rollout workflow: validate the input (a bad one fails the run before any group
 * starts, naming the field and the rule), then, until every group ended or will never start, ask
 * the pure planner which groups start now and start each as a child procedure (the catalog's
 * workflow of that procedure, id `spoc-group-<group>`), which takes its own leases. It learns
 * that a group ended from the child's result, and that one halted by asking it (`status`) every
 * `pollSeconds`. The procedure workflow is not changed.
 *
 * The groups of one decision start together: one workflow task carries all their starts (in
 * batches of `STARTS_PER_WORKFLOW_TASK`), and the rollout awaits them together. Rollouts begun
 * before that (no `STARTS_TOGETHER_PATCH` marker in their history) start one group per task, as
 * they did, so their histories replay.
 *
 * Past `continueAsNewAfterEvents` history events (or when the server suggests it) it continues as
 * new, handing its state to the next run (machines/fleet/rollout-carry-over.ts). The next run has
 * no handle on the children started before, so it waits on the server for their ends (an activity
 * that answers as soon as one ended), and its look, which it asks for halts, sees them too.
 */
import * as wf from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { GroupProcedureLook, RolloutActivities } from '../../activities/fleet/group-procedure-look';
import { procedureDefinition } from '../../machines/procedure-modules';
import { describeIssues, InvalidInputError, parseInput } from '../../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../../machines/fleet/fleet-rollout';
import { groupOutcome } from '../../machines/fleet/group-outcome';
import { checkCarryOver, RolloutCarryOver } from '../../machines/fleet/rollout-carry-over';
import { startBatches } from '../../machines/fleet/rollout-starts';
import type { FleetRolloutInput, RolloutTarget } from '../../machines/fleet/rollout-input';
import { applyDecision, decideRollout, occupiesPlace, RolloutGroup, rolloutFinished } from '../../machines/fleet/rollout-plan';
import { runDetails, runSummary } from '../run-description';
import { PROCEDURE_KEY } from '../search-attributes';
import { CENTRAL_TASK_QUEUE } from '../task-queues';
import { RolloutCommand, rolloutCommandSchema, RolloutCommandRecord, rolloutOperatorUpdate, RolloutStatus, rolloutStatusQuery, ROLLOUT_UPDATE_DESCRIPTION } from './rollout-messages';
import { GroupTimes, report, rolloutStatus } from './rollout-report';

const look = (summary: string) =>
  wf.proxyActivities<RolloutActivities>({
    taskQueue: CENTRAL_TASK_QUEUE,
    startToCloseTimeout: '2 min',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
    summary,
  });

/** How long one wait for the ends of the children an earlier run started lasts before it is asked again (keeps the history short). */
const INHERITED_WATCH_MS = 5 * 60_000;

const watchEnds = (summary: string) =>
  wf.proxyActivities<RolloutActivities>({
    taskQueue: CENTRAL_TASK_QUEUE,
    startToCloseTimeout: INHERITED_WATCH_MS + 60_000,
    heartbeatTimeout: '30s',
    // Unlimited attempts: while it fails the look still learns of the ends, every `pollSeconds`.
    retry: { initialInterval: '1s', maximumInterval: '30s' },
    summary,
  });

/** The patch after which a decision's groups start together (one workflow task for all, not one each). */
export const STARTS_TOGETHER_PATCH = 'fleet-rollout-starts-groups-together';
/** New runs write the rollout's search attributes only when their values change (rollout-report.ts). */
export const ATTRIBUTES_ON_CHANGE_PATCH = 'fleet-rollout-attributes-only-when-they-change';
/**
 * New runs ask their running groups where they are every `pollSeconds`, counted from the last look,
 * whatever woke the loop in between. Before, every timer that ran out looked (a spaced start's timer
 * too, once a second), and every child that ended restarted the count (a busy rollout never looked).
 */
export const LOOKS_WHEN_DUE_PATCH = 'fleet-rollout-looks-every-poll-seconds';
/**
 * New runs start a timer of the spacing in the workflow task that starts a spaced group, and the
 * next start waits for it: the server writes the timer and the start together, so two starts are
 * asked at least the spacing apart by the server's clock, however long a task takes. Before, the
 * spacing counted from the task that saw the start confirmed: each round was the spacing plus the
 * start's round trip (some 200 ms a start at 1,000 servers).
 */
export const SPACING_TIMER_PATCH = 'fleet-rollout-spacing-timer-starts-with-the-start';
/**
 * A run that continued as new waits on the server for the group procedures an earlier run started
 * (one activity at a time, which answers as soon as one of them ends), so their places are free
 * at once. Before, it learned of those ends only at its next look, up to `pollSeconds` later.
 * Asked only in a run that continued as new.
 */
export const WATCHES_INHERITED_PATCH = 'fleet-rollout-waits-for-the-children-of-runs-before';
/**
 * New runs look at their groups beside their starts: a look that is due starts its activity and
 * the loop goes on, the answer waking it when it comes (one look at a time; no hand-over while one
 * runs). Before, the loop awaited the look, and a spacing timer that ran out meanwhile waited for
 * its answer: at 1,000 servers a look under load took up to half a second, and a run's first wave
 * lost up to 2.3 s so.
 */
export const LOOKS_BESIDE_STARTS_PATCH = 'fleet-rollout-looks-beside-its-starts';

export async function runFleetRollout(rawInput: unknown, carried?: unknown): Promise<RolloutStatus> {
  // Asked once, first: a rollout replaying a history without the marker keeps the old way to its end.
  const startsTogether = wf.patched(STARTS_TOGETHER_PATCH);
  const attributesOnlyWhenTheyChange = wf.patched(ATTRIBUTES_ON_CHANGE_PATCH);
  const looksWhenDue = wf.patched(LOOKS_WHEN_DUE_PATCH);
  const spacingTimerWithStart = wf.patched(SPACING_TIMER_PATCH);
  const looksBeside = spacingTimerWithStart && wf.patched(LOOKS_BESIDE_STARTS_PATCH);
  const input = parseRolloutInput(rawInput);
  const resumed = acceptCarryOver(input, carried);
  const watchesInherited = resumed !== undefined && wf.patched(WATCHES_INHERITED_PATCH);
  const targets = new Map(input.groups.map((t) => [t.name, t]));
  let groups: RolloutGroup[] = resumed?.groups ?? input.groups.map((t) => ({ name: t.name, site: t.site, state: 'waiting' }));
  const times = new Map<string, GroupTimes>(Object.entries(resumed?.times ?? {}));
  /** Group name → the first run id of its child procedure. */
  const children = new Map<string, string>(Object.entries(resumed?.children ?? {}));
  const commands: RolloutCommandRecord[] = [...(resumed?.commands ?? [])];
  const continuedAsNew = resumed?.continuedAsNew ?? 0;
  let paused = resumed?.paused ?? false;
  /**
   * When the server last confirmed a start (spaced starts only): before the spacing timer, the next
   * start was due `secondsBetweenStarts` after it; now only a new run's first start counts from it
   * (the timer of the run before is gone).
   */
  let lastStartConfirmedAt = resumed?.lastStartConfirmedAt;
  const spacesStarts = (input.limits.secondsBetweenStarts ?? 0) > 0;
  /** This run started a spacing timer: its starts count from their timers, not from a confirmation. */
  let spacingTimed = false;
  let spacingTimerRuns = false;
  let holding: string | undefined;
  let changed = false;
  const pollMs = input.pollSeconds * 1000;
  /** The groups whose procedures an earlier run started and that have not ended: no child-completed event will tell of them. */
  const inherited = new Set(groups.filter(occupiesPlace).map((g) => g.name));
  /** A look that runs beside the loop (new runs), and its failure once it failed for good. */
  let lookRunning = false;
  let lookFailure: unknown;
  /** The wait for an inherited group's end that runs now, if one does. */
  let inheritedWatch: wf.CancellationScope | undefined;
  let inheritedWatchFailed = false;
  /** The poll's count starts here: the last look, or the last moment nothing was running. */
  let lookedAt = Date.now();

  const update = (name: string, change: Partial<RolloutGroup>) => {
    groups = groups.map((g) => (g.name === name ? { ...g, ...change } : g));
    changed = true;
  };
  /** A group's procedure ended; told once, whichever learns it first (the child's result or the look). */
  const ended = (name: string, change: Partial<RolloutGroup>) => {
    const group = groups.find((g) => g.name === name);
    if (group && group.state !== 'running' && group.state !== 'halted') return;
    times.set(name, { ...times.get(name), endedAt: new Date().toISOString() });
    inherited.delete(name);
    update(name, change);
  };
  const statusNow = (): RolloutStatus => rolloutStatus(input, groups, times, { paused, holding, commands, continuedAsNew });

  wf.setHandler(rolloutStatusQuery, statusNow);
  wf.setHandler(
    rolloutOperatorUpdate,
    (command) => {
      const parsed = rolloutCommandSchema.parse(command);
      paused = parsed.type === 'operator.pause';
      commands.push(commandRecord(parsed));
      changed = true;
      return statusNow();
    },
    {
      description: ROLLOUT_UPDATE_DESCRIPTION,
      validator: (command) => {
        const parsed = rolloutCommandSchema.safeParse(command);
        if (!parsed.success) throw new Error(`invalid rollout command: ${describeIssues(parsed.error.issues)}`);
        const accepts = statusNow().accepts;
        if (!accepts.includes(parsed.data.type)) throw new Error(`"${parsed.data.type}" is not possible now; the rollout accepts: ${accepts.join(', ') || 'nothing (no group waits)'}`);
      },
    },
  );
  wf.upsertSearchAttributes([{ key: PROCEDURE_KEY, value: FLEET_ROLLOUT.id }]);

  const startGroup = async (target: RolloutTarget) => {
    times.set(target.name, { startedAt: new Date().toISOString() });
    try {
      const child = await wf.startChild(procedureDefinition(target.procedure).workflowType, childOptions(target));
      children.set(target.name, child.firstExecutionRunId);
      if (spacesStarts) lastStartConfirmedAt = Date.now();
      void child.result().then(
        (output) => ended(target.name, groupOutcome(output)),
        (err: unknown) => ended(target.name, { state: 'failed', reason: failureMessage(err) }),
      );
    } catch (err) {
      const why = err instanceof WorkflowExecutionAlreadyStartedError ? `a procedure is already running as ${target.workflowId}` : failureMessage(err);
      ended(target.name, { state: 'failed', reason: `not started: ${why}` });
    }
  };

  /** The spacing timer, started in the task that starts the group: the server writes both at once. */
  const startSpacingTimer = () => {
    const seconds = input.limits.secondsBetweenStarts ?? 0;
    spacingTimed = true;
    spacingTimerRuns = true;
    void wf.sleep(Math.round(seconds * 1000), { summary: `${seconds} s between two group starts` }).then(() => {
      spacingTimerRuns = false;
      changed = true;
    });
  };

  /** When the last start counts from for the spacing, and whether its timer still runs. */
  const spacingMoment = () => (spacingTimed ? { ...lastStart(input, times, undefined), spacingTimerRuns } : lastStart(input, times, lastStartConfirmedAt));

  /** The decision's groups: together (each batch one workflow task, awaited as one), or one after another before the patch. */
  const startGroups = async (names: readonly string[]) => {
    const chosen = names.flatMap((name) => targets.get(name) ?? []);
    if (!startsTogether) {
      for (const target of chosen) await startGroup(target);
      return;
    }
    for (const batch of startBatches(chosen)) await Promise.all(batch.map(startGroup));
  };

  let lastReport = '';
  for (;;) {
    // Reset before deciding: whatever changes from here on (a child ending while another starts) wakes the loop again.
    changed = false;
    // A look that failed for good ends the rollout, as it did when the loop awaited it.
    if (lookFailure !== undefined) throw lookFailure;
    if (watchesInherited) watchInheritedEnds();
    const decision = decideRollout(groups, input.limits, { now: Date.now(), window: windowMs(input), paused, ...spacingMoment() });
    groups = applyDecision(groups, decision);
    holding = decision.holding;
    if (spacingTimerWithStart && spacesStarts && decision.start.length > 0) startSpacingTimer();
    await startGroups(decision.start);
    // After the starts, so that a look falling due with a start never holds the start back (what
    // it finds wakes the loop again).
    if (looksBeside) lookBesideIfDue();
    else if (spacingTimerWithStart) await lookIfDue();
    lastReport = report(statusNow(), lastReport, attributesOnlyWhenTheyChange);
    if (rolloutFinished(groups)) break;
    // Nothing is in flight here (children started, looks answered or none running; the wait for inherited ends
    // is cancelled, the next run waits again) and an Update handler runs to its end at once, so
    // the state handed over is the whole state.
    if (handOverDue(input) && wf.allHandlersFinished() && !lookRunning) {
      inheritedWatch?.cancel();
      const next: RolloutCarryOver = {
        groups,
        times: Object.fromEntries(times),
        children: Object.fromEntries(children),
        paused,
        commands,
        continuedAsNew: continuedAsNew + 1,
        ...(lastStartConfirmedAt !== undefined ? { lastStartConfirmedAt } : {}),
      };
      return wf.continueAsNew<(input: unknown, carried?: unknown) => Promise<RolloutStatus>>(rawInput, next);
    }
    // A spaced start was decided at the task's time but made when the task completed, and confirmed
    // later still: decide again now, so the status says when the next is due, and (before the
    // spacing timer) the next start waits its full spacing after this one really started.
    if (spacesStarts && decision.start.length > 0) continue;
    const running = groups.filter(occupiesPlace);
    if (running.length === 0) lookedAt = Date.now();
    // At least 1 ms: the boundary may have passed while groups were being started, and a timer needs a duration.
    const wakeIn = decision.wakeAt !== undefined ? Math.max(decision.wakeAt - Date.now(), 1) : undefined;
    const pollIn = running.length === 0 ? undefined : looksWhenDue ? Math.max(lookedAt + pollMs - Date.now(), 1) : pollMs;
    const timeout = minDefined(wakeIn, pollIn);
    const woken = timeout === undefined ? (await wf.condition(() => changed), true) : await wf.condition(() => changed, timeout);
    if (spacingTimerWithStart) continue;
    if (looksWhenDue) await lookIfDue();
    else if (!woken && running.length > 0) await lookAtRunning(running.map((g) => g.name));
  }
  inheritedWatch?.cancel();
  // A look still running beside the loop is let finish (every group has ended: it changes nothing).
  await wf.condition(() => !lookRunning && wf.allHandlersFinished());
  return statusNow();

  /**
   * Waits on the server for the ends of the groups an earlier run started, one activity at a
   * time: what it answers ends those groups and wakes the loop, and the next wait asks for the
   * rest. One that fails for good leaves the ends to the look.
   */
  function watchInheritedEnds(): void {
    if (inheritedWatch || inheritedWatchFailed) return;
    const names = groups.filter((g) => inherited.has(g.name) && occupiesPlace(g)).map((g) => g.name);
    if (names.length === 0) return;
    const scope = new wf.CancellationScope();
    inheritedWatch = scope;
    const { byId, refs } = procedureRefs(names);
    scope
      .run(() => watchEnds(`wait for ${names.length} group procedure(s) started before the hand-over to end`).awaitGroupProcedureEnds(refs, INHERITED_WATCH_MS))
      .then(
        (looks) => {
          for (const seen of looks) {
            const name = byId.get(seen.workflowId);
            if (name) apply(name, seen);
          }
        },
        () => {
          inheritedWatchFailed = true;
        },
      )
      .finally(() => {
        if (inheritedWatch === scope) inheritedWatch = undefined;
        changed = true;
      });
  }

  /** The procedures of these groups as the server knows them: workflow id and the first run this rollout started. */
  function procedureRefs(names: string[]) {
    const byId = new Map(names.map((n) => [targets.get(n)?.workflowId ?? n, n]));
    const refs = names.map((n) => ({ workflowId: targets.get(n)?.workflowId ?? n, ...(children.has(n) ? { firstRunId: children.get(n) } : {}) }));
    return { byId, refs };
  }

  /** A look, if `pollSeconds` have passed since the last one and a group still runs or is halted. */
  async function lookIfDue(): Promise<void> {
    const running = groups.filter(occupiesPlace);
    if (running.length === 0 || Date.now() < lookedAt + pollMs) return;
    lookedAt = Date.now();
    await lookAtRunning(running.map((g) => g.name));
  }

  /** A look, if due, started beside the loop: its answer (or its failure) wakes the loop. */
  function lookBesideIfDue(): void {
    const running = groups.filter(occupiesPlace);
    if (lookRunning || running.length === 0 || Date.now() < lookedAt + pollMs) return;
    lookedAt = Date.now();
    lookRunning = true;
    lookAtRunning(running.map((g) => g.name))
      .catch((err: unknown) => {
        lookFailure = err;
      })
      .finally(() => {
        lookRunning = false;
        changed = true;
      });
  }

  /** Asks the running groups' procedures where they are: halted counts against the budget; ended ends the group. */
  async function lookAtRunning(names: string[]): Promise<void> {
    const { byId, refs } = procedureRefs(names);
    const looks = await look(`ask ${names.length} running group procedure(s) where they are`).lookAtGroupProcedures(refs);
    for (const seen of looks) {
      const name = byId.get(seen.workflowId);
      if (name) apply(name, seen);
    }
  }

  function apply(name: string, seen: GroupProcedureLook): void {
    const group = groups.find((g) => g.name === name);
    if (!group || seen.status === 'unknown') return;
    if (seen.status === 'ended' && seen.outcome) ended(name, seen.outcome);
    if (seen.status === 'halted' && group.state === 'running') update(name, { state: 'halted', haltedOnce: true, ...(seen.reason ? { reason: seen.reason } : {}) });
    if (seen.status === 'running' && group.state === 'halted') update(name, { state: 'running' });
  }
}

function parseRolloutInput(rawInput: unknown): FleetRolloutInput {
  try {
    return parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, rawInput);
  } catch (err) {
    if (err instanceof InvalidInputError) throw wf.ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
}

/**
 * The state carried over from the previous run, taken only in a run that continued as new from
 * this workflow (Temporal sets `continuedFromExecutionRunId` for nothing a user can start): a
 * crafted "group a1 is done" must never skip a group. Validated even then.
 */
function acceptCarryOver(input: FleetRolloutInput, carried: unknown): RolloutCarryOver | undefined {
  if (carried === undefined || carried === null) return undefined;
  const refuse = (why: string) => wf.ApplicationFailure.nonRetryable(`refused before any group starts: ${why}`, 'InvalidResumeStateError');
  if (!wf.workflowInfo().continuedFromExecutionRunId) {
    throw refuse('a fleet rollout takes one argument, its input; the second (the state carried over) is accepted only from a run of the same rollout that continued as new');
  }
  try {
    return checkCarryOver(input, carried);
  } catch (err) {
    throw refuse(err instanceof Error ? err.message : String(err));
  }
}

/**
 * When the rollout last started a group, asked only when its starts are spaced: the later of the
 * last decision to start one (a start that failed counts too) and the last start the server confirmed.
 */
function lastStart(input: FleetRolloutInput, times: ReadonlyMap<string, GroupTimes>, confirmedAt: number | undefined): { lastStartAt?: number } {
  if (!input.limits.secondsBetweenStarts) return {};
  let last = confirmedAt;
  for (const t of times.values()) if (t.startedAt) last = Math.max(last ?? 0, Date.parse(t.startedAt));
  return last === undefined ? {} : { lastStartAt: last };
}

/** The history is long enough to hand over: past the input's bound, or the server suggests it. */
function handOverDue(input: FleetRolloutInput): boolean {
  const info = wf.workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > input.continueAsNewAfterEvents;
}

/**
 * The child procedure as the CLI would start it: its id by convention, the input as given (it
 * validates it again), its summary and details. Abandoned when the rollout ends (or continues as
 * new): a group in the middle of its restart must finish or be aborted by its own rules, never be
 * cut off.
 */
function childOptions(target: RolloutTarget): wf.ChildWorkflowOptions & { args: unknown[] } {
  const procedure = procedureDefinition(target.procedure);
  const parsed = procedure.inputSchema.parse(target.input);
  return {
    workflowId: target.workflowId,
    taskQueue: CENTRAL_TASK_QUEUE,
    args: [target.input],
    parentClosePolicy: wf.ParentClosePolicy.ABANDON,
    staticSummary: runSummary(procedure, parsed),
    staticDetails: runDetails(procedure, parsed),
  };
}

function failureMessage(err: unknown): string {
  if (err instanceof wf.ChildWorkflowFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

function commandRecord(command: RolloutCommand): RolloutCommandRecord {
  return { type: command.type, at: new Date().toISOString(), ...(command.operator ? { operator: command.operator } : {}), ...(command.reason ? { reason: command.reason } : {}) };
}

function windowMs(input: FleetRolloutInput): { start: number; end: number } | undefined {
  return input.window ? { start: Date.parse(input.window.start), end: Date.parse(input.window.end) } : undefined;
}

function minDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}
