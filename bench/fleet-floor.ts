/**
 * The fleet bench's floor: how long the rollout must take whatever the orchestration, from the
 * plan alone. Each group's restart takes its members' simulated service times (at the estate's
 * time scale, fixed in a generated inventory) plus the waits the runbook mandates; the rollout
 * starts groups in input order as the rate limits allow (the same decision the rollout workflow
 * asks, `decideRollout`), each the moment a place is free.
 */
import { applyDecision, decideRollout, RolloutGroup, RolloutLimits } from '../machines/fleet/rollout-plan';
import type { SimTimings } from '../simulator/spoc/inventory';

/** The simulated durations, as single values: a generated inventory's ranges are single values. */
function fixed([min, max]: [number, number], field: string): number {
  if (min !== max) throw new Error(`timings.${field} is a range [${min}, ${max}]; the floor needs a fixed duration (use a generated inventory)`);
  return min;
}

export interface MemberRestartPlan {
  timings: SimTimings;
  timeScale: number;
  /** Jobs in the SPOC's cache: the rescue takes `rescueSecondsPerJob` each. */
  jobsInCache: number;
  /** Other vendor services step 3 stops and the last step starts, one after another. */
  otherServices: number;
  /** The convergence wait after the rescue line (real seconds: the input's wait). */
  convergenceSeconds: number;
}

/**
 * One member of the restart without cache deletion, in real seconds: stop SPOC, group service,
 * terminal server and the others one after another; start the SPOC; the group service starts
 * by itself after it runs; then the terminal server, ONLINE (counted from the SPOC running), the
 * others; the rescue line (ONLINE plus the jobs' rescue); then the convergence wait.
 */
export function memberRestartSeconds(p: MemberRestartPlan): number {
  const stop = fixed(p.timings.stopSeconds, 'stopSeconds');
  const start = fixed(p.timings.startSeconds, 'startSeconds');
  const groupService = fixed(p.timings.groupServiceAutoStartSeconds, 'groupServiceAutoStartSeconds');
  const online = fixed(p.timings.onlineAfterStartSeconds, 'onlineAfterStartSeconds');
  const stopped = stop * (3 + p.otherServices);
  // From the SPOC running: the group service runs after its auto-start plus half a start (the simulator's).
  const othersStarted = Math.max(groupService + start / 2 + start, online) + start * p.otherServices;
  const rescued = online + p.jobsInCache * p.timings.rescueSecondsPerJob;
  const simulated = stopped + start + Math.max(othersStarted, rescued);
  return simulated / p.timeScale + p.convergenceSeconds;
}

/** A group's restart without cache deletion: its members one after another. */
export function groupRestartSeconds(members: number, member: MemberRestartPlan): number {
  return members * memberRestartSeconds(member);
}

export interface StandaloneRestartPlan {
  timings: SimTimings;
  timeScale: number;
  /** The input's `restartDelaySeconds` (real seconds: `shutdown.exe /t`). */
  restartDelaySeconds: number;
}

/**
 * A site's standalone servers' OS restart, all at once, in real seconds: the restart delay,
 * Windows' shutdown and boot, the SPOC's start, then ONLINE on the Management Server.
 */
export function standaloneRestartSeconds(p: StandaloneRestartPlan): number {
  const simulated =
    fixed(p.timings.shutdownSeconds, 'shutdownSeconds') + fixed(p.timings.bootSeconds, 'bootSeconds') + fixed(p.timings.startSeconds, 'startSeconds') + fixed(p.timings.onlineAfterStartSeconds, 'onlineAfterStartSeconds');
  return p.restartDelaySeconds + simulated / p.timeScale;
}

/** One unit of the rollout with how long it takes. */
export interface TimedTarget {
  name: string;
  site: string;
  seconds: number;
}

/**
 * The rollout's floor in seconds: an event simulation of the rollout's own decision. Groups
 * start in input order within the limits; each ends `seconds` after it started, which frees its
 * place at once; with `secondsBetweenStarts`, starts are that far apart. No failures, no window,
 * not paused.
 */
export function rolloutFloorSeconds(targets: readonly TimedTarget[], limits: RolloutLimits): number {
  // In milliseconds throughout, as the workflow decides: a wake time turned into seconds and back
  // can come out a hair before the start it is for, and the loop would wake at the same moment for ever.
  const durationMs = new Map(targets.map((t) => [t.name, t.seconds * 1000]));
  let groups: RolloutGroup[] = targets.map((t) => ({ name: t.name, site: t.site, state: 'waiting' }));
  const endsAt = new Map<string, number>();
  let now = 0;
  let lastStartAt: number | undefined;
  // Each moment starts a group, ends one or is a spaced start's due time: more means it stands still.
  for (let moments = 0; ; moments++) {
    if (moments > 3 * targets.length + 10) throw new Error(`the floor's simulation stands still at ${now} ms`);
    const decision = decideRollout(groups, limits, { now, paused: false, ...(lastStartAt !== undefined ? { lastStartAt } : {}) });
    groups = applyDecision(groups, decision);
    for (const name of decision.start) endsAt.set(name, now + (durationMs.get(name) ?? 0));
    if (decision.start.length > 0) lastStartAt = now;
    const running = groups.filter((g) => g.state === 'running');
    if (running.length === 0) return now / 1000;
    // The next moment anything changes: a group ends, or the next spaced start is due.
    now = Math.min(...running.map((g) => endsAt.get(g.name) ?? now), decision.wakeAt ?? Number.POSITIVE_INFINITY);
    groups = groups.map((g) => (g.state === 'running' && (endsAt.get(g.name) ?? 0) <= now ? { ...g, state: 'done' } : g));
  }
}
