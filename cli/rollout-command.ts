/**
 * `spoolflow rollout pause|resume <workflowId> [--operator <name>] [--reason <text>]`: the fleet
 * rollout's own operator commands. Checked before connecting; a command the rollout does not take
 * now (pause when paused) is refused by it with the reason.
 */
import type { Command } from 'commander';
import { commandRollout } from '../client/fleet-rollout-client';
import { describeIssues, InvalidInputError } from '../machines/core/input-errors';
import { RolloutCommand, rolloutCommandSchema } from '../workflows/fleet/rollout-messages';
import type { WithClient } from './chart-command';
import { UsageError } from './errors';

export const ROLLOUT_COMMANDS = ['pause', 'resume'] as const;

/** The Update's argument for `pause` or `resume` with the flags given; a usage error otherwise. */
export function rolloutCommandFromArgs(command: string | undefined, flags: { operator?: string; reason?: string }): RolloutCommand {
  if (command !== 'pause' && command !== 'resume') throw new UsageError(command ? `unknown rollout command "${command}": ${ROLLOUT_COMMANDS.join(', ')}` : `rollout needs a command: ${ROLLOUT_COMMANDS.join(', ')}`);
  const parsed = rolloutCommandSchema.safeParse({ type: `operator.${command}`, ...flags });
  if (!parsed.success) throw new InvalidInputError('rollout command', describeIssues(parsed.error.issues));
  return parsed.data;
}

export function registerRollout(program: Command, withClient: WithClient, print: (value: unknown) => void): void {
  program
    .command('rollout')
    .usage('<pause|resume> <workflowId> [--operator <name>] [--reason <text>]')
    .description('pauses a fleet rollout (no group starts; running ones go on) or resumes it; prints its status')
    .argument('[command]', ROLLOUT_COMMANDS.join(', '))
    .argument('[workflowId]')
    .option('--operator <name>', 'who sends the command')
    .option('--reason <text>', 'why')
    .action(async (command: string | undefined, workflowId: string | undefined, opts: { operator?: string; reason?: string }) => {
      const payload = rolloutCommandFromArgs(command, opts);
      if (!workflowId) throw new UsageError(`rollout ${command} needs a workflow id`);
      await withClient(async (c) => print(await commandRollout(c.client, workflowId, payload)));
    });
}
