/**
 * The operating system of a site server, as far as an OS restart needs it: when did it last boot,
 * and "restart in a few seconds". The agent asks for the restart with a delay, so it can report
 * the request before Windows takes it (and the agent) down; whether the host really restarted is
 * then observed from the boot time and the services after the boot, never from the request.
 */
export interface OsControl {
  /** When the OS last booted, ms since the epoch (UTC). */
  lastBootTime(): Promise<number>;
  /** Schedules a restart; a restart already scheduled (or under way) is reported, not repeated. */
  requestRestart(delaySeconds: number, comment: string): Promise<'scheduled' | 'already-scheduled'>;
}

/** The OS refused the restart for a reason a retry cannot fix (no privilege, bad arguments). */
export class OsRestartRefusedError extends Error {
  override readonly name = 'OsRestartRefusedError';
}
