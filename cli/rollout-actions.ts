/**
 * The work of `spoolflow rollout pause|resume` (registered in cli/rollout-command.ts): the Update's
 * argument checked by the rollout's own schema before connecting, then sent. Loaded by the action,
 * as it loads zod and the Temporal client.
 */
import { commandRollout } from '../client/fleet-rollout-client';
import { describeIssues, InvalidInputError } from '../machines/core/input-errors';
import { RolloutCommand, rolloutCommandSchema } from '../workflows/fleet/rollout-messages';
import type { WithClient } from './chart-command';
import { UsageError } from './errors';
import { ROLLOUT_COMMANDS } from './rollout-command';

/** The Update's argument for `pause` or `resume` with the flags given; a usage error otherwise. */
export function rolloutCommandFromArgs(command: string | undefined, flags: { operator?: string; reason?: string }): RolloutCommand {
  if (command !== 'pause' && command !== 'resume') throw new UsageError(command ? `unknown rollout command "${command}": ${ROLLOUT_COMMANDS.join(', ')}` : `rollout needs a command: ${ROLLOUT_COMMANDS.join(', ')}`);
  const parsed = rolloutCommandSchema.safeParse({ type: `operator.${command}`, ...flags });
  if (!parsed.success) throw new InvalidInputError('rollout command', describeIssues(parsed.error.issues));
  return parsed.data;
}

/** Checks the command and the workflow id, then sends the command; the rollout's status after it. */
export async function sendRolloutCommand(withClient: WithClient, command: string | undefined, workflowId: string | undefined, flags: { operator?: string; reason?: string }): Promise<unknown> {
  const payload = rolloutCommandFromArgs(command, flags);
  if (!workflowId) throw new UsageError(`rollout ${command} needs a workflow id`);
  return withClient(async (c) => commandRollout(c.client, workflowId, payload));
}
