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

export interface MemberProcessControl {
  /**
   * Normal termination (SIGTERM): the member marks itself terminated, so no backup takes over.
   * Resolves once the process has exited; a member whose process is gone already is fine.
   */
  terminate(target: MemberProcessRef, timeoutMs: number): Promise<'terminated' | 'already-gone'>;
  /** Abort (SIGKILL): the member writes nothing; its heartbeat just stops. */
  kill(target: MemberProcessRef, timeoutMs: number): Promise<'killed' | 'already-gone'>;
}

/** The process did not exit in time; the caller decides whether to kill it. */
export class MemberWontStopError extends Error {
  override readonly name = 'MemberWontStopError';
}
