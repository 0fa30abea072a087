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

/**
 * The queue of the procedures' central watches (actions declared `watch`, e.g. a FlexiSpooler
 * job's release watch, minutes at a time for as long as a job waits at a printer), served in the
 * central worker's process with room for thousands: on the central queue each held one of the
 * central worker's places, so a few hundred held print jobs kept the procedures' central steps
 * waiting for minutes.
 */
export const CENTRAL_WATCH_TASK_QUEUE = 'spoolflow-central-watches';

/** Whether a queue is served by the central worker's process (no agent's pickup to wait for). */
export function isCentralQueue(queue: string): boolean {
  return queue === CENTRAL_TASK_QUEUE || queue === CENTRAL_WATCH_TASK_QUEUE;
}

/** The queue a host's agent polls. Host names are case-insensitive, like Windows computer names. */
export function hostTaskQueue(host: string): string {
  return `spoolflow-host-${host.toLowerCase()}`;
}

/** The queue a spool server's work processes poll (SAP spool: docs/sap-spool-work-processes.md). */
export function sapWorkProcessTaskQueue(system: string, server: string): string {
  return `spoolflow-sap-${system.toLowerCase()}-${server.toLowerCase()}`;
}
