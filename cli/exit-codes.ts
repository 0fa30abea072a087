/**
 * How a `spoolflow` command ends: 0 done, 1 failure, 2 invalid input or usage (the message names
 * the field and the rule), the same for every command.
 */
import { CommanderError } from 'commander';
import { AgentConfigError } from '../agent/agent-config';
import { ConnectionConfigError } from '../engine/connection-config';
import { InvalidInputError } from '../machines/core/input-errors';
import { FleetConfigError, FleetFileMissingError } from '../worker/fleet-config';
import { USAGE_ERRORS } from './program';

/** Errors of the input or the configuration. */
const INPUT_ERRORS = [InvalidInputError, FleetConfigError, FleetFileMissingError, AgentConfigError, ConnectionConfigError];

/** The message once prefixed with `spoolflow: `: some errors (the connection settings') carry it already. */
const said = (message: string): string => (message.startsWith('spoolflow: ') ? message : `spoolflow: ${message}`);

/** The exit code and the message of an error a command ended with. */
export function exitOf(err: unknown): { code: number; message: string } {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return { code: 0, message: '' }; // --help, help <command>
    return { code: 2, message: `spoolflow: ${err.message.replace(/^error: /, '')}\n(spoolflow --help lists the commands, spoolflow <command> --help the flags of one)\n` };
  }
  if (USAGE_ERRORS.some((type) => err instanceof type)) return { code: 2, message: `${said((err as Error).message)}\n(spoolflow <command> --help says how to call it)\n` };
  if (INPUT_ERRORS.some((type) => err instanceof type) || (err instanceof Error && /^unknown procedure/.test(err.message))) return { code: 2, message: `${said((err as Error).message)}\n` };
  return { code: 1, message: `${said(err instanceof Error ? err.message : String(err))}\n` };
}
