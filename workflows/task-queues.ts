/**
 * Task queue names: one source for the worker, the host agents, the client and the workflows.
 * Each site server's agent polls its own queue, so service control and file operations run on
 * the host itself; the central worker runs the workflows and the central checks.
 */

/** The orchestrating worker: workflows and central checks (Management Server). */
export const CENTRAL_TASK_QUEUE = 'spoolflow-central';

/** The queue a host's agent polls. Host names are case-insensitive, like Windows computer names. */
export function hostTaskQueue(host: string): string {
  return `spoolflow-host-${host.toLowerCase()}`;
}

/** The queue a spool server's work processes poll (SAP spool: docs/sap-spool-work-processes.md). */
export function sapWorkProcessTaskQueue(system: string, server: string): string {
  return `spoolflow-sap-${system.toLowerCase()}-${server.toLowerCase()}`;
}
