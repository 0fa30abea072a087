/**
 * The work of `spoolflow sap status`, `sap shutdown` and `sap return` (registered in
 * cli/sap-command.ts), loaded when one runs: a spool server's dispatcher as an operator reads it,
 * its shutdown with its output requests reassigned
 * (docs/sap-spool-work-processes.md#shutting-a-spool-server-down), and its return to service.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { InvalidInputError, parseInput } from '../machines/core/input-errors';
import { returnSpoolServerToService, shutDownSpoolServer } from '../client/sap-spool-shutdown';
import { returnToServiceInputSchema, type EndedShutdown, type ReturnToServiceInput } from '../machines/sap/spool-server-return';
import { checkSpoolServerAddress, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import { shutDownInputSchema, type ShutDownInput, type SpoolServerShutdown } from '../machines/sap/spool-shutdown';
import { describeTask } from '../machines/sap/spool-tasks';
import { spoolDispatcherStatusQuery, type TaskOutcome } from '../workflows/sap/spool-dispatcher-messages';

export { checkSpoolServerAddress };

/** How many of the latest outcomes the status shows. */
const RECENT_SHOWN = 10;

export interface SpoolServerView {
  system: string;
  server: string;
  holdsGlobalManagement: boolean;
  submitted: number;
  finished: number;
  /** Each work process: what it prints or does, the device it is reserved for, how many requests wait in its input queue. */
  workProcesses: { number: number; running: string | null; reservedFor: string | null; queued: number }[];
  /** Tasks in the dispatch queue. */
  waiting: number;
  shutdown: SpoolServerShutdown | null;
  /** The latest shutdown the operator ended by bringing the server back, when there was one. */
  lastShutdown?: EndedShutdown;
  recent: TaskOutcome[];
}

/** The dispatcher of the spool server, as an operator reads it. */
export async function spoolServerView(client: Client, system: string, server: string): Promise<SpoolServerView> {
  checkSpoolServerAddress(system, server);
  const status = await client.workflow.getHandle(spoolDispatcherWorkflowId(system, server)).query(spoolDispatcherStatusQuery);
  return {
    system: status.system,
    server: status.server,
    holdsGlobalManagement: status.holdsGlobalManagement,
    submitted: status.submitted,
    finished: status.finished,
    workProcesses: status.state.workProcesses.map((wp) => ({ number: wp.number, running: wp.running ? describeTask(wp.running) : null, reservedFor: wp.reservedFor, queued: wp.inputQueue.length })),
    waiting: status.state.waiting.length,
    shutdown: status.shutdown ?? null,
    ...(status.lastShutdown ? { lastShutdown: status.lastShutdown } : {}),
    recent: status.recent.slice(-RECENT_SHOWN),
  };
}

/** The shutdown the flags ask for, checked (field and rule named, exit code 2) before anything connects. */
export function shutDownAskedByFlags(server: string, flags: { to: string; operator?: string; reason?: string }): ShutDownInput {
  const input = parseInput(shutDownInputSchema, `shutdown of spool server ${server}`, { reassignTo: flags.to, ...(flags.operator !== undefined ? { operator: flags.operator } : {}), ...(flags.reason !== undefined ? { reason: flags.reason } : {}) });
  if (input.reassignTo === server) throw new InvalidInputError(`shutdown of spool server ${server}`, `--to: ${server} is the server shutting down; name another spool server of the system`);
  return input;
}

/** Shuts the spool server down; answers the shutdown as it stands (`holding` until its requests have moved). A refusal is told as the dispatcher worded it. */
export async function shutDownFromCli(client: Client, system: string, server: string, input: ShutDownInput): Promise<SpoolServerShutdown> {
  try {
    return await shutDownSpoolServer(client, system, server, input);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new InvalidInputError(`shutdown of spool server ${server}`, (err.cause)?.message ?? err.message);
    throw err;
  }
}

/** The return to service the flags ask for, checked (field and rule named, exit code 2) before anything connects. */
export function returnAskedByFlags(server: string, flags: { operator?: string; reason?: string; movedRequestsChecked?: boolean }): ReturnToServiceInput {
  return parseInput(returnToServiceInputSchema, `return to service of spool server ${server}`, {
    ...(flags.operator !== undefined ? { operator: flags.operator } : {}),
    ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
    ...(flags.movedRequestsChecked ? { movedRequestsChecked: true } : {}),
  });
}

/** Brings the spool server back into service; answers the shutdown it ended. A refusal is told as the dispatcher worded it. */
export async function returnFromCli(client: Client, system: string, server: string, input: ReturnToServiceInput): Promise<EndedShutdown> {
  try {
    return await returnSpoolServerToService(client, system, server, input);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new InvalidInputError(`return to service of spool server ${server}`, err.cause?.message ?? err.message);
    throw err;
  }
}
