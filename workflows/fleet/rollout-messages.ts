/**
 * What an operator exchanges with a fleet rollout: the `status` query (the same wire name as a
 * procedure's, so `spoolflow status <id>` answers for a rollout too) and the `operator` Update
 * with the rollout's own two commands, pause and resume.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { operatorNameSchema, reasonSchema } from '../../machines/core/input-rules';
import type { RolloutGroupState, RolloutLimits, RolloutTally } from '../../machines/fleet/rollout-plan';

const attribution = {
  operator: operatorNameSchema.optional().describe('Who sends the command; recorded in the status and the result.'),
  reason: reasonSchema().optional().describe('Why; recorded in the status and the result.'),
};

/** Pause: no group starts until resumed (running ones go on). Resume: groups start again within the limits. */
export const rolloutCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('operator.pause'), ...attribution }),
  z.strictObject({ type: z.literal('operator.resume'), ...attribution }),
]);
export type RolloutCommand = z.infer<typeof rolloutCommandSchema>;

export const ROLLOUT_UPDATE_DESCRIPTION =
  'A fleet rollout command, with an optional operator and reason (kept in the status and the result): {"type": "operator.pause"} stops starting groups (those running go on), {"type": "operator.resume"} starts them again within the limits.';

/** One group of the rollout as the status shows it. */
export interface RolloutGroupStatus {
  name: string;
  site: string;
  procedure: string;
  workflowId: string;
  state: RolloutGroupState;
  haltedOnce: boolean;
  startedAt?: string;
  endedAt?: string;
  /** Why it halted, failed or was not started. */
  reason?: string;
}

export interface RolloutCommandRecord {
  type: RolloutCommand['type'];
  at: string;
  operator?: string;
  reason?: string;
}

/** What the rollout's `status` (and its result) says. */
export interface RolloutStatus extends RolloutTally {
  procedure: 'fleet-rollout';
  /** The procedure it runs on the groups. */
  runs: string;
  status: 'running' | 'paused' | 'done';
  /** Why no (more) group starts now although some wait; absent when nothing holds them. */
  holding: string | null;
  limits: RolloutLimits;
  window: { start: string; end: string } | null;
  accepts: RolloutCommand['type'][];
  commands: RolloutCommandRecord[];
  /** How many times the rollout continued as new (a fresh history, its state carried over). */
  continuedAsNew: number;
  /** Every group, in the order of the input. */
  perGroup: RolloutGroupStatus[];
}

export const rolloutStatusQuery = defineQuery<RolloutStatus>('status');
export const rolloutOperatorUpdate = defineUpdate<RolloutStatus, [RolloutCommand]>('operator');
