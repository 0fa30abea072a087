/**
 * How the supervisor's activities end a JobScheduler member's process. On the simulator the
 * scheduler fleet sends the signals itself; a real deployment plugs in the member host's agent
 * here, so the activities never need to know where a member runs.
 */

/** A member as the cluster database knows it: enough for an agent to find its process. */
export interface MemberProcessRef {
  member: string;
  host: string;
  pid: number;
}

/**
 * `whileWaiting` is called while the process is being waited for (some times a second): the
 * activity heartbeats there, so a member that takes its time to end (it finishes its running
 * tasks first) is not taken for a lost activity and signalled again.
 */
export interface MemberProcessControl {
  /**
   * Normal termination (SIGTERM): the member marks itself terminated, so no backup takes over.
   * Resolves once the process has exited; a member whose process is gone already is fine.
   */
  terminate(target: MemberProcessRef, timeoutMs: number, whileWaiting?: () => void): Promise<'terminated' | 'already-gone'>;
  /** Abort (SIGKILL): the member writes nothing; its heartbeat just stops. */
  kill(target: MemberProcessRef, timeoutMs: number, whileWaiting?: () => void): Promise<'killed' | 'already-gone'>;
}

/** The process did not exit in time; the caller decides whether to kill it. */
export class MemberWontStopError extends Error {
  override readonly name = 'MemberWontStopError';
}
