/**
 * How a group's procedure ended, in the rollout's terms: completed is done; aborted (or any other
 * outcome) is failed with why. One rule for the workflow, which reads its own children's results,
 * and for the activity that reads the results of children an earlier run started (after a
 * continue-as-new the rollout has no handle on them).
 */
import type { RolloutGroup } from './rollout-plan';

export function groupOutcome(output: unknown): Pick<RolloutGroup, 'state' | 'reason'> {
  const outcome = (output as { outcome?: string } | null)?.outcome;
  if (outcome === undefined || outcome === 'completed') return { state: 'done' };
  const why = (output as { abortReason?: string | null }).abortReason;
  return { state: 'failed', reason: `ended ${outcome}${why ? `: ${why}` : ''}` };
}
