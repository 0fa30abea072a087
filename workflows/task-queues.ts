/**
 * Task queue names: one source for the worker, the host agents, the client and the workflows.
 * Each site server's agent polls its own queue, so service control and file operations run on
 * the host itself; the central worker runs the workflows and the central checks.
 */

/** The orchestrating worker: workflows and central checks (Management Server). */
export const CENTRAL_TASK_QUEUE = 'spoolflow-central';

/**
 * The leases' watches of their holders, served by the central worker's process on a queue of their
 * own: each held lease keeps one long poll running, and on the central queue a few dozen
 * procedures' leases took every activity place the procedures' own central steps needed.
 */
export const LEASE_WATCH_TASK_QUEUE = 'spoolflow-lease-watches';

/** The queue a host's agent polls. Host names are case-insensitive, like Windows computer names. */
export function hostTaskQueue(host: string): string {
  return `spoolflow-host-${host.toLowerCase()}`;
}

/** The queue a spool server's work processes poll (SAP spool: docs/sap-spool-work-processes.md). */
export function sapWorkProcessTaskQueue(system: string, server: string): string {
  return `spoolflow-sap-${system.toLowerCase()}-${server.toLowerCase()}`;
}
