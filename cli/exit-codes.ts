/**
 * How a `spoolflow` command ends: 0 done, 1 failure, 2 invalid input or usage (the message names
 * the field and the rule), the same for every command.
 *
 * Loaded by every command, so it loads nothing heavy: the configuration errors of the agent, the
 * worker and the connection settings live in modules that load zod or Temporal's configuration
 * reader, and are recognised by their name instead of by importing them (the type checker ties the
 * names to the classes where they are declared as literals; test/cli/cli-program.test.ts checks the
 * connection settings' one).
 */
import { CommanderError } from 'commander';
import type { AgentConfigError } from '../agent/agent-config';
import { InvalidInputError } from '../machines/core/input-errors';
import type { FleetConfigError, FleetFileMissingError } from '../worker/fleet-config';
import { UsageError } from './errors';

/** The configuration errors of modules a command loads only when it needs them (see above). */
const CONFIG_ERROR_NAMES: readonly (AgentConfigError['name'] | FleetConfigError['name'] | FleetFileMissingError['name'] | 'ConnectionConfigError')[] = [
  'AgentConfigError',
  'FleetConfigError',
  'FleetFileMissingError',
  'ConnectionConfigError',
];

/** Errors of the input or the configuration. */
const isInputError = (err: unknown): err is Error =>
  err instanceof InvalidInputError || (err instanceof Error && ((CONFIG_ERROR_NAMES as readonly string[]).includes(err.name) || /^unknown procedure/.test(err.message)));

/** The message once prefixed with `spoolflow: `: some errors (the connection settings') carry it already. */
const said = (message: string): string => (message.startsWith('spoolflow: ') ? message : `spoolflow: ${message}`);

/** The exit code and the message of an error a command ended with. */
export function exitOf(err: unknown): { code: number; message: string } {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return { code: 0, message: '' }; // --help, help <command>
    return { code: 2, message: `spoolflow: ${err.message.replace(/^error: /, '')}\n(spoolflow --help lists the commands, spoolflow <command> --help the flags of one)\n` };
  }
  if (err instanceof UsageError) return { code: 2, message: `${said(err.message)}\n(spoolflow <command> --help says how to call it)\n` };
  if (isInputError(err)) return { code: 2, message: `${said(err.message)}\n` };
  return { code: 1, message: `${said(err instanceof Error ? err.message : String(err))}\n` };
}
