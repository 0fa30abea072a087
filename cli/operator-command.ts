/**
 * `spoolflow operator <workflowId> <command> [--operator <name>] [--reason <text>] [--chain <chain> --order <id>] [--location <location>]`:
 * the Update payload the CLI sends. Every flag given goes into the payload, and the payload is
 * checked with the same schema the procedure checks it with, so a flag the command does not take,
 * a misspelled flag or a blank name is refused here, before anything is sent.
 */
import { parseOperatorCommand } from '../client/operator-command';
import type { OperatorCommand } from '../workflows/operator-messages';
import { UsageError } from './errors';

export class OperatorUsageError extends UsageError {}

/** The flags an operator command can carry; which command takes which is the schema's to say. */
const COMMAND_FLAGS = ['operator', 'reason', 'chain', 'order', 'location'] as const;

export function operatorCommandFromArgs(command: string, flags: Record<string, string | true>): OperatorCommand {
  const unknown = Object.keys(flags).filter((flag) => !(COMMAND_FLAGS as readonly string[]).includes(flag));
  if (unknown.length > 0) throw new OperatorUsageError(`operator takes ${COMMAND_FLAGS.map((f) => `--${f}`).join(', ')}; not ${unknown.map((f) => `--${f}`).join(', ')}`);
  const payload: Record<string, unknown> = { type: `operator.${command}` };
  for (const flag of COMMAND_FLAGS) {
    const value = flags[flag];
    if (value === true) throw new OperatorUsageError(`--${flag} needs a value`);
    if (value !== undefined) payload[flag] = value;
  }
  return parseOperatorCommand(payload);
}
