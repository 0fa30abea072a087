/**
 * The fleet rollout through the client: validate its input (each group's by its procedure)
 * before anything reaches Temporal, start it with its summary and details, pause and resume it.
 */
import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describeIssues, InvalidInputError, parseInput } from '../machines/core/input-errors';
import { FLEET_ROLLOUT, rolloutDetails, rolloutSummary, rolloutWorkflowId } from '../machines/fleet/fleet-rollout';
import type { FleetRolloutInput } from '../machines/fleet/rollout-input';
import { RolloutCommand, rolloutCommandSchema, rolloutOperatorUpdate, RolloutStatus } from '../workflows/fleet/rollout-messages';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';

/** Validates a rollout's input; throws InvalidInputError naming the fields. */
export function validateRolloutInput(input: unknown): FleetRolloutInput {
  return parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, input);
}

/** Every host of the rollout's groups, for the check that their agents poll. */
export function rolloutHosts(input: FleetRolloutInput): string[] {
  return [...new Set(input.groups.flatMap((g) => g.hosts))];
}

export async function startRollout(client: Client, input: unknown, opts: { workflowId?: string } = {}): Promise<{ workflowId: string; runId: string }> {
  const parsed = validateRolloutInput(input);
  const workflowId = opts.workflowId ?? rolloutWorkflowId(parsed, new Date());
  const handle = await client.workflow.start(FLEET_ROLLOUT.workflowType, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId,
    args: [input],
    staticSummary: rolloutSummary(parsed),
    staticDetails: rolloutDetails(parsed),
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/** Pauses or resumes a rollout; a command it does not take now is refused with its reason. */
export async function commandRollout(client: Client, workflowId: string, command: RolloutCommand): Promise<RolloutStatus> {
  const parsed = rolloutCommandSchema.safeParse(command);
  if (!parsed.success) throw new InvalidInputError('rollout command', describeIssues(parsed.error.issues));
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(rolloutOperatorUpdate, { args: [parsed.data] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause) throw new Error(`${workflowId} refused ${command.type}: ${err.cause.message}`, { cause: err });
    throw err;
  }
}
