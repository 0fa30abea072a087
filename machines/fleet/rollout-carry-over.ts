/**
 * What a fleet rollout hands to its next run when it continues as new (a rollout over hundreds of
 * groups would otherwise grow an unbounded history): where every group is, when it started and
 * ended, the child procedure of each group that runs or is halted (its workflow id and the first
 * run of its chain, so the next run can follow it without a handle), the failure budget used (the
 * groups' `haltedOnce`), the pause and the operator commands so far. The next run resumes exactly:
 * it decides again from this state and follows the children still running across the boundary.
 *
 * Only the rollout writes it, and only a run that continued as new from the same workflow may take
 * one (the workflow checks that); it is validated even then, against the rollout's own input.
 */
import { z } from 'zod';
import { describeIssues } from '../core/input-errors';
import type { FleetRolloutInput } from './rollout-input';
import type { RolloutGroup } from './rollout-plan';

const GROUP_STATES = ['waiting', 'running', 'halted', 'done', 'failed', 'not-started'] as const;
const COMMANDS = ['operator.pause', 'operator.resume'] as const;

export const rolloutCarryOverSchema = z.strictObject({
  groups: z.array(
    z.strictObject({
      name: z.string().min(1),
      site: z.string().min(1),
      state: z.enum(GROUP_STATES),
      haltedOnce: z.boolean().optional(),
      reason: z.string().optional(),
    }),
  ),
  times: z.record(z.string(), z.strictObject({ startedAt: z.string().optional(), endedAt: z.string().optional() })),
  /** Group name → the first run id of its child procedure, for every group that was started. */
  children: z.record(z.string(), z.string().min(1)),
  paused: z.boolean(),
  commands: z.array(z.strictObject({ type: z.enum(COMMANDS), at: z.string(), operator: z.string().optional(), reason: z.string().optional() })),
  /** How many times the rollout continued as new so far (this hand-over included). */
  continuedAsNew: z.number().int().min(1),
  /** When the server last confirmed a group's start, ms since the epoch: spaced starts count from it. */
  lastStartConfirmedAt: z.number().int().nonnegative().optional(),
});
export type RolloutCarryOver = z.infer<typeof rolloutCarryOverSchema>;

/** The carry-over, checked against the input; throws an Error saying what is wrong. */
export function checkCarryOver(input: FleetRolloutInput, carry: unknown): RolloutCarryOver {
  const parsed = rolloutCarryOverSchema.safeParse(carry);
  if (!parsed.success) throw new Error(`the carried-over state is malformed: ${describeIssues(parsed.error.issues)}`);
  const names = input.groups.map((g) => g.name);
  const carried = parsed.data.groups.map((g) => g.name);
  if (names.join('\n') !== carried.join('\n')) throw new Error(`the carried-over groups (${carried.join(', ')}) are not the input's (${names.join(', ')})`);
  const unfollowed = parsed.data.groups.filter((g: RolloutGroup) => (g.state === 'running' || g.state === 'halted') && parsed.data.children[g.name] === undefined);
  if (unfollowed.length > 0) throw new Error(`group(s) ${unfollowed.map((g) => g.name).join(', ')} run without a child procedure to follow`);
  return parsed.data;
}
