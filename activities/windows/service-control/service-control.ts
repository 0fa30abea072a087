/**
 * The contract for stopping, starting and querying Windows services on a site server.
 *
 * Procedures talk to this interface only. Production implements it over `sc.exe`
 * (`sc-exe-service-control.ts`); the simulator feeds the same implementation with
 * emulated `sc.exe` output, so the parser that reads real hosts is the one under test.
 *
 * Every `service` argument is a service KEY name (for example `Spooler`), never a
 * display name such as "Dispatcher Paragon Spooler Controller": `sc.exe` looks services
 * up by key only. The site inventory is where display names are mapped to key names.
 */

/** The seven states the Windows Service Control Manager reports, by their `sc.exe` names. */
export type ServiceState =
  | 'STOPPED'
  | 'START_PENDING'
  | 'STOP_PENDING'
  | 'RUNNING'
  | 'CONTINUE_PENDING'
  | 'PAUSE_PENDING'
  | 'PAUSED';

/** What a finished program left behind. `exitCode` is the process exit code, never thrown. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program on the host (execFile semantics: no shell). */
export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

/** The operations a procedure may ask of a service; also the `operation` field of errors. */
export type ServiceOperation = 'query' | 'stop' | 'start' | 'list';

/** One service as the service control manager lists it: key name, display name, state. */
export interface ListedService {
  key: string;
  display: string;
  state: ServiceState;
}

/** Query, stop and start one Windows service by its key name. */
export interface ServiceControl {
  /** 'NOT_INSTALLED' when the host has no such service. */
  query(service: string): Promise<ServiceState | 'NOT_INSTALLED'>;
  /** Idempotent: a service already stopped (or stopping) is not an error. */
  stop(service: string): Promise<'stop-requested' | 'already-stopped' | 'already-stopping'>;
  /** Idempotent: a service already running (or starting) is not an error. */
  start(service: string): Promise<'start-requested' | 'already-running' | 'already-starting'>;
  /**
   * Every Windows service of the host (not drivers), with its display name and state: how the
   * agent finds the vendor's services, and resolves a display name to its key.
   */
  list(): Promise<ListedService[]>;
}
