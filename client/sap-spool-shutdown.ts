/**
 * Shuts a spool server down, its output requests reassigned to another spool server of the system
 * (docs/sap-spool-work-processes.md#shutting-a-spool-server-down): the `sap.shutDownSpoolServer`
 * Update of its dispatcher. The input is checked here first, naming the field and the rule, before
 * anything is sent; the dispatcher checks it again with what it knows (the server itself, its
 * release, a shutdown already done). Answers the shutdown as it stands: `holding` until the
 * requests have moved, then `shut-down`; follow it with the dispatcher's status query.
 */
import type { Client } from '@temporalio/client';
import { parseInput } from '../machines/core/input-errors';
import { checkSpoolServerAddress, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import { shutDownInputSchema, type ShutDownInput, type SpoolServerShutdown } from '../machines/sap/spool-shutdown';
import { returnToServiceInputSchema, type EndedShutdown, type ReturnToServiceInput } from '../machines/sap/spool-server-return';
import { returnSpoolServerToServiceUpdate, shutDownSpoolServerUpdate, spoolDispatcherStatusQuery } from '../workflows/sap/spool-dispatcher-messages';

export async function shutDownSpoolServer(client: Client, system: string, server: string, input: ShutDownInput): Promise<SpoolServerShutdown> {
  checkSpoolServerAddress(system, server);
  const checked = parseInput(shutDownInputSchema, `shutdown of spool server ${server}`, input);
  return client.workflow.getHandle(spoolDispatcherWorkflowId(system, server)).executeUpdate(shutDownSpoolServerUpdate, { args: [checked] });
}

/**
 * Brings a spool server back into service after its shutdown
 * (docs/sap-spool-work-processes.md#back-in-service): the input is checked here first; the
 * dispatcher refuses while a round of the move runs, or, where requests may be on the target
 * already, until `movedRequestsChecked: true`. Answers the shutdown it ended.
 */
export async function returnSpoolServerToService(client: Client, system: string, server: string, input: ReturnToServiceInput = {}): Promise<EndedShutdown> {
  checkSpoolServerAddress(system, server);
  const checked = parseInput(returnToServiceInputSchema, `return to service of spool server ${server}`, input);
  return client.workflow.getHandle(spoolDispatcherWorkflowId(system, server)).executeUpdate(returnSpoolServerToServiceUpdate, { args: [checked] });
}

/**
 * Which server the dispatcher under the server's workflow id says it is, and its shutdown (null
 * while it runs as usual). A dispatcher begun before the system had to be a SID may run under a
 * longer name, and then an id can name two servers (`prd` + `eu-spool1` and `prd-eu` + `spool1`),
 * so a caller checks. Throws WorkflowNotFoundError when no dispatcher runs under it.
 */
export async function spoolServerShutdownOf(client: Client, system: string, server: string): Promise<{ system: string; server: string; shutdown: SpoolServerShutdown | null }> {
  checkSpoolServerAddress(system, server);
  return shutdownWithoutNameCheck(client, system, server);
}

/** `spoolServerShutdownOf` without the check of the names: for the move of a shutdown (`giveWithoutNameCheck` says why). */
export async function shutdownWithoutNameCheck(client: Client, system: string, server: string): Promise<{ system: string; server: string; shutdown: SpoolServerShutdown | null }> {
  const status = await client.workflow.getHandle(spoolDispatcherWorkflowId(system, server)).query(spoolDispatcherStatusQuery);
  return { system: status.system, server: status.server, shutdown: status.shutdown ?? null };
}
