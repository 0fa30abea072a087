/**
 * `spoolflow rollout pause|resume <workflowId> [--operator <name>] [--reason <text>]`: the fleet
 * rollout's own operator commands. Checked before connecting; a command the rollout does not take
 * now (pause when paused) is refused by it with the reason. The checks and the Update are in
 * cli/rollout-actions.ts, loaded by the action (zod, the Temporal client), so registering costs nothing.
 */
import type { Command } from 'commander';
import type { WithClient } from './chart-command';

export const ROLLOUT_COMMANDS = ['pause', 'resume'] as const;

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
      const { sendRolloutCommand } = await import('./rollout-actions');
      print(await sendRolloutCommand(withClient, command, workflowId, opts));
    });
}
