/**
 * `spoolflow plan fleet-rollout --input <file>`: the rollout's rules in the operator's words and the
 * waves its rate control gives (machines/fleet/rollout-waves.ts), after the same check `start`
 * makes (every group's input by its procedure). Loaded by the plan action only for a rollout; it
 * loads no Temporal client.
 */
import { parseInput } from '../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../machines/fleet/fleet-rollout';
import { planRollout, type RolloutPlan } from '../machines/fleet/rollout-waves';

export function planFleetRollout(input: unknown): RolloutPlan {
  return planRollout(parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, input));
}
