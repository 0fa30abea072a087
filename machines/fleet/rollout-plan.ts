/**
 * The fleet rollout's one decision, pure: given where every group of the rollout is (waiting,
 * running, halted, done, failed, not started), the limits, the maintenance window, the clock and
 * whether an operator paused it, which groups start now and which will never start (and why).
 * The rollout workflow asks it after everything that can change the answer; tests and the
 * fast-check property ask it without Temporal.
 *
 * A "group" here is one unit of the rollout: a SPOC group, or a set of standalone servers run by
 * one procedure. A halted group still counts as running: its members may be down and its
 * procedure holds their leases until an operator retries or aborts it.
 */

/** Where one group of the rollout is. */
export type RolloutGroupState = 'waiting' | 'running' | 'halted' | 'done' | 'failed' | 'not-started';

export interface RolloutGroup {
  /** The SPOC group's name, or the label of a set of standalone servers; unique in the rollout. */
  name: string;
  site: string;
  state: RolloutGroupState;
  /**
   * It halted at least once. It counts against the failure budget for good, also after the
   * operator got it going again: the budget stops the rollout at the first K troubles it met.
   */
  haltedOnce?: boolean;
  /** Why it failed or was not started. */
  reason?: string;
}

export interface RolloutLimits {
  /** At most this many groups running (or halted) at a time. */
  maxGroupsAtOnce: number;
  /** At most this many of one site's groups running (or halted) at a time. */
  maxGroupsPerSite: number;
  /** No group is started once this many have halted or failed. */
  failureBudget: number;
  /**
   * At least this many seconds between two group starts (absent or 0: the limits alone). Many
   * groups started at once all ask for their checks and first steps at once; spaced, the workers
   * and the Management Server meet one group's first burst at a time.
   */
  secondsBetweenStarts?: number;
}

export interface RolloutMoment {
  /** Workflow time, ms since the epoch. */
  now: number;
  /** The maintenance window, ms since the epoch: no group starts before `start` or from `end` on. */
  window?: { start: number; end: number };
  paused: boolean;
  /** When the rollout last started a group, ms since the epoch (for `secondsBetweenStarts`). */
  lastStartAt?: number;
  /**
   * A timer of the spacing, started with the last start, has not run out yet: no start, whatever
   * the clock says, and no wake for the spacing (the timer wakes the rollout itself). The timer
   * counts from the server's record of the last start; the workflow's clock is the start of the
   * task that decided it, earlier by as long as that task took.
   */
  spacingTimerRuns?: boolean;
}

export interface RolloutDecision {
  /** Groups to start now, in the order of the input. */
  start: string[];
  /** Waiting groups that will never start, each with why. */
  notStarted: { name: string; reason: string }[];
  /** Why nothing (more) starts now although groups wait; absent when nothing holds them. */
  holding?: string;
  /** When time alone changes the answer (the window opens or closes, the next spaced start is due), ms since the epoch. */
  wakeAt?: number;
}

/** A group in maintenance: it takes one of the places the limits allow. */
export function occupiesPlace(group: RolloutGroup): boolean {
  return group.state === 'running' || group.state === 'halted';
}

/** The groups that have spent the failure budget: failed, halted now, or halted once. */
export function failuresSpent(groups: readonly RolloutGroup[]): number {
  return groups.filter((g) => g.state === 'failed' || g.state === 'halted' || g.haltedOnce === true).length;
}

/** Decides which waiting groups start now, and which will never start. */
export function decideRollout(groups: readonly RolloutGroup[], limits: RolloutLimits, moment: RolloutMoment): RolloutDecision {
  const waiting = groups.filter((g) => g.state === 'waiting');
  if (waiting.length === 0) return { start: [], notStarted: [] };
  const spent = failuresSpent(groups);
  if (spent >= limits.failureBudget) {
    return giveUp(waiting, `the failure budget is spent: ${spent} group(s) halted or failed (failureBudget ${limits.failureBudget})`);
  }
  const window = moment.window;
  if (window && moment.now >= window.end) {
    return giveUp(waiting, `the maintenance window ended at ${new Date(window.end).toISOString()}`);
  }
  const wakeAt = window ? (moment.now < window.start ? window.start : window.end) : undefined;
  if (moment.paused) return { start: [], notStarted: [], holding: 'paused by an operator', ...(wakeAt !== undefined ? { wakeAt } : {}) };
  if (window && moment.now < window.start) {
    return { start: [], notStarted: [], holding: `the maintenance window opens at ${new Date(window.start).toISOString()}`, wakeAt: window.start };
  }
  const allowed = pickWithinLimits(groups, waiting, limits);
  // Whole milliseconds: 0.7 s is 700.0000000000001 ms in floating point.
  const spacing = Math.round((limits.secondsBetweenStarts ?? 0) * 1000);
  if (spacing > 0 && allowed.length > 0) return spacedStart(allowed, spacing, moment, wakeAt);
  const left = waiting.length - allowed.length;
  const holding = left > 0 ? `at the limits: ${limits.maxGroupsAtOnce} group(s) at a time, ${limits.maxGroupsPerSite} per site` : undefined;
  return { start: allowed, notStarted: [], ...(holding ? { holding } : {}), ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

/**
 * One group now if the last start is `spacing` ms ago (and its spacing timer, if any, ran out),
 * none before; the decision wakes when the next is due, unless a spacing timer will wake it.
 */
function spacedStart(allowed: readonly string[], spacing: number, moment: RolloutMoment, windowWake: number | undefined): RolloutDecision {
  const due = moment.lastStartAt === undefined ? moment.now : moment.lastStartAt + spacing;
  const start = moment.now >= due && moment.spacingTimerRuns !== true ? allowed.slice(0, 1) : [];
  const nextDue = start.length > 0 ? moment.now + spacing : due;
  const more = allowed.length > start.length;
  const wakeForSpacing = more && moment.spacingTimerRuns !== true;
  const wakeAt = wakeForSpacing ? Math.min(nextDue, windowWake ?? Number.POSITIVE_INFINITY) : windowWake;
  const holding = more ? `starts are ${spacing / 1000} s apart: the next at ${new Date(nextDue).toISOString()}` : undefined;
  return { start, notStarted: [], ...(holding ? { holding } : {}), ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

/** Waiting groups in input order, each taken while the rollout and its site have a free place. */
function pickWithinLimits(groups: readonly RolloutGroup[], waiting: readonly RolloutGroup[], limits: RolloutLimits): string[] {
  let busy = groups.filter(occupiesPlace).length;
  const perSite = new Map<string, number>();
  for (const g of groups.filter(occupiesPlace)) perSite.set(g.site, (perSite.get(g.site) ?? 0) + 1);
  const start: string[] = [];
  for (const group of waiting) {
    if (busy >= limits.maxGroupsAtOnce) break;
    const atSite = perSite.get(group.site) ?? 0;
    if (atSite >= limits.maxGroupsPerSite) continue;
    start.push(group.name);
    busy += 1;
    perSite.set(group.site, atSite + 1);
  }
  return start;
}

function giveUp(waiting: readonly RolloutGroup[], reason: string): RolloutDecision {
  return { start: [], notStarted: waiting.map((g) => ({ name: g.name, reason })) };
}

/** The groups after the decision: those it starts running, those it gives up not started. */
export function applyDecision(groups: readonly RolloutGroup[], decision: RolloutDecision): RolloutGroup[] {
  const starting = new Set(decision.start);
  const givenUp = new Map(decision.notStarted.map((n) => [n.name, n.reason]));
  return groups.map((g) => {
    if (starting.has(g.name)) return { ...g, state: 'running' };
    const reason = givenUp.get(g.name);
    return reason !== undefined ? { ...g, state: 'not-started', reason } : g;
  });
}

/** The rollout is over: no group waits, runs or is halted. */
export function rolloutFinished(groups: readonly RolloutGroup[]): boolean {
  return groups.every((g) => g.state === 'done' || g.state === 'failed' || g.state === 'not-started');
}

/** How many groups are in each state, and which; what the rollout's status says. */
export interface RolloutTally {
  counts: Record<RolloutGroupState, number>;
  groups: Record<RolloutGroupState, string[]>;
}

export function tallyRollout(groups: readonly RolloutGroup[]): RolloutTally {
  const states: RolloutGroupState[] = ['done', 'running', 'halted', 'waiting', 'failed', 'not-started'];
  const byState = Object.fromEntries(states.map((s) => [s, groups.filter((g) => g.state === s).map((g) => g.name)])) as Record<RolloutGroupState, string[]>;
  const counts = Object.fromEntries(states.map((s) => [s, byState[s].length])) as Record<RolloutGroupState, number>;
  return { counts, groups: byState };
}
