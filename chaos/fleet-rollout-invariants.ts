/**
 * The invariants of a fleet rollout that ran through a chaos run, judged from what the Temporal
 * server recorded (when each group's procedure started and closed, which starts the rollout asked
 * for) against the rollout's input and its result. Pure: chaos/run-once.ts feeds it a run's
 * observations, test/chaos/fleet-rollout-invariants.test.ts hand-made ones that break each rule.
 *
 * - within the limits: at no moment more group procedures open (running or halted) than
 *   `maxGroupsAtOnce`, nor more of one site than `maxGroupsPerSite`;
 * - each group started once: the rollout asked at most one start of each group's procedure, over
 *   all its runs (a replay after a kill, a continue-as-new);
 * - the rollout ended, and its result is what happened: a group it says done completed, one it
 *   says failed ended otherwise (aborted, failed), one it says not started never started and is
 *   held back only by a spent failure budget (no window, no pause left in a chaos run), and once
 *   the budget is not spent, every group started.
 */
import type { InvariantBreak } from './invariants';

/** One unit of the rollout (a group, or a site's standalone servers) and what its procedure did. */
export interface RolloutUnitObserved {
  name: string;
  site: string;
  /** The procedure's server times in this run; absent when it never started. */
  startedAtMs?: number;
  /** Absent while it is open. */
  closedAtMs?: number;
  /** The procedure's own outcome (`completed`, `aborted`, or `failed: ...`); absent when it never started or is still open. */
  ending?: string;
  /** Start commands the rollout issued for it, over all its runs. */
  startsAsked: number;
}

export interface RolloutObserved {
  workflowId: string;
  limits: { maxGroupsAtOnce: number; maxGroupsPerSite?: number; failureBudget: number };
  units: RolloutUnitObserved[];
  /** How the rollout itself ended: `completed`, or what else. */
  ending: string;
  /** Its result's state per group (done, failed, not-started, ...), and whether each halted once. */
  result?: Record<string, { state: string; haltedOnce: boolean }>;
}

export function rolloutBreaks(rollout: RolloutObserved): InvariantBreak[] {
  return [...overLimits(rollout), ...startedTwice(rollout), ...resultBreaks(rollout)];
}

/** The most units open at once, overall and per site, counted at each start (where the count can rise). */
function overLimits(rollout: RolloutObserved): InvariantBreak[] {
  const started = rollout.units.filter((u): u is RolloutUnitObserved & { startedAtMs: number } => u.startedAtMs !== undefined);
  const openAt = (t: number, units: typeof started) => units.filter((u) => u.startedAtMs <= t && (u.closedAtMs === undefined || u.closedAtMs > t));
  const perSite = rollout.limits.maxGroupsPerSite ?? rollout.limits.maxGroupsAtOnce;
  const breaks: InvariantBreak[] = [];
  for (const unit of started) {
    const open = openAt(unit.startedAtMs, started);
    if (open.length > rollout.limits.maxGroupsAtOnce) {
      breaks.push({ invariant: 'rollout-over-limit', detail: `${rollout.workflowId}: ${open.length} groups open at once when ${unit.name} started (${open.map((u) => u.name).join(', ')}), maxGroupsAtOnce ${rollout.limits.maxGroupsAtOnce}` });
    }
    const ofSite = open.filter((u) => u.site === unit.site);
    if (ofSite.length > perSite) {
      breaks.push({ invariant: 'rollout-over-limit', detail: `${rollout.workflowId}: ${ofSite.length} groups of site ${unit.site} open at once when ${unit.name} started, maxGroupsPerSite ${perSite}` });
    }
  }
  return breaks;
}

function startedTwice(rollout: RolloutObserved): InvariantBreak[] {
  return rollout.units
    .filter((u) => u.startsAsked > 1)
    .map((u) => ({ invariant: 'rollout-started-twice' as const, detail: `${rollout.workflowId}: the start of ${u.name}'s procedure was asked ${u.startsAsked} times` }));
}

function resultBreaks(rollout: RolloutObserved): InvariantBreak[] {
  if (rollout.ending !== 'completed' || !rollout.result) return [{ invariant: 'rollout-not-ended', detail: `${rollout.workflowId} ended ${rollout.ending}` }];
  const result = rollout.result;
  const wrong = (detail: string): InvariantBreak => ({ invariant: 'rollout-result-wrong', detail: `${rollout.workflowId}: ${detail}` });
  const spent = Object.values(result).filter((g) => g.state === 'failed' || g.haltedOnce).length;
  const budgetSpent = spent >= rollout.limits.failureBudget;
  return rollout.units.flatMap((unit) => {
    const said = result[unit.name];
    if (!said) return [wrong(`its result does not name ${unit.name}`)];
    if (said.state === 'not-started') {
      if (unit.startedAtMs !== undefined) return [wrong(`${unit.name} is reported not started, but its procedure started`)];
      return budgetSpent ? [] : [wrong(`${unit.name} was not started though only ${spent} group(s) halted or failed (failureBudget ${rollout.limits.failureBudget})`)];
    }
    if (unit.startedAtMs === undefined) return [wrong(`${unit.name} is reported ${said.state}, but its procedure never started`)];
    if (said.state === 'done' && unit.ending !== 'completed') return [wrong(`${unit.name} is reported done, but its procedure ended ${unit.ending ?? 'not at all'}`)];
    if (said.state === 'failed' && unit.ending === 'completed') return [wrong(`${unit.name} is reported failed, but its procedure completed`)];
    if (said.state !== 'done' && said.state !== 'failed') return [wrong(`${unit.name} is still ${said.state} in the result of an ended rollout`)];
    return [];
  });
}
