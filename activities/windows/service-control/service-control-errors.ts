/**
 * Errors raised by {@link ServiceControl} implementations.
 *
 * Each class sets `name` explicitly: when an activity throws one, Temporal carries the
 * name across as the `ApplicationFailure` type, and retry policies match on that string
 * (`NON_RETRYABLE_ERRORS`, activities/core/non-retryable-errors.ts, lists those a retry cannot
 * fix). Renaming a class is therefore a wire change.
 */
import type { ServiceOperation, ServiceState } from './service-control';

/** Everything known about a failed service operation. */
export interface ServiceErrorDetails {
  /** Service key name the operation was about. */
  service: string;
  operation: ServiceOperation;
  /** Win32 error code reported by the Service Control Manager, when there was one. */
  win32Code?: number;
  /** The raw output of the command, kept so an operator can read what the host said. */
  output: string;
  /** State the service was found in, when that is what made the operation fail. */
  state?: ServiceState;
}

/**
 * A service operation failed. Thrown as is for win32 codes without a dedicated subclass;
 * those are left retryable because nothing says retrying is pointless.
 */
export class ServiceControlError extends Error {
  override readonly name: string = 'ServiceControlError';
  readonly service: string;
  readonly operation: ServiceOperation;
  readonly win32Code?: number;
  readonly output: string;
  readonly state?: ServiceState;

  constructor(message: string, details: ServiceErrorDetails) {
    super(message);
    this.service = details.service;
    this.operation = details.operation;
    this.output = details.output;
    // Assigned only when present so that `'win32Code' in error` means something.
    if (details.win32Code !== undefined) this.win32Code = details.win32Code;
    if (details.state !== undefined) this.state = details.state;
  }
}

/** Prefix shared by every message: which command, on which service. */
function what(details: ServiceErrorDetails): string {
  return `sc.exe ${details.operation} "${details.service}"`;
}

/** The message of a failure whose cause is known: the command, the cause, and what the operator does. */
function diagnosis(details: ServiceErrorDetails, cause: string, remedy: string): string {
  return `${what(details)}: ${cause}. ${remedy}`;
}

/** Win32 1060: the host has no service with this key name. Not retryable. */
export class ServiceNotInstalledError extends ServiceControlError {
  override readonly name: string = 'ServiceNotInstalledError';
  constructor(details: ServiceErrorDetails) {
    const why =
      details.win32Code !== undefined
        ? `no service with this key name is installed on the host (win32 ${details.win32Code})`
        : 'this is not a service key name (it is empty or contains a slash), so nothing was run';
    const remedy =
      'sc.exe accepts only the service key name, never the display name: check the inventory entry, ' +
      'and on the host run `sc.exe getkeyname "<display name>"` to find the key name.';
    super(diagnosis(details, why, remedy), details);
  }
}

/** Win32 5: the account running the worker may not open or control this service. Not retryable. */
export class ServiceAccessDeniedError extends ServiceControlError {
  override readonly name: string = 'ServiceAccessDeniedError';
  constructor(details: ServiceErrorDetails) {
    const remedy = 'Run the worker as a local administrator of the host (elevated), or grant its account start/stop rights on this service, then retry the step.';
    super(diagnosis(details, 'access is denied (win32 5)', remedy), details);
  }
}

/** Win32 1058: the service's start type is Disabled. Not retryable. */
export class ServiceDisabledError extends ServiceControlError {
  override readonly name: string = 'ServiceDisabledError';
  constructor(details: ServiceErrorDetails) {
    const remedy = `Set its start type back (services.msc, or \`sc.exe config ${details.service} start= auto\`), then retry the step.`;
    super(diagnosis(details, 'the service is disabled (win32 1058)', remedy), details);
  }
}

/**
 * Win32 1061, or a pending state that makes the request meaningless right now: the
 * service is between states. Retryable: the pending state ends by itself.
 */
export class ServiceBusyError extends ServiceControlError {
  override readonly name: string = 'ServiceBusyError';
  constructor(details: ServiceErrorDetails) {
    const why =
      details.win32Code !== undefined
        ? `the service cannot accept control messages at this time (win32 ${details.win32Code})`
        : `the service is ${details.state ?? 'in a pending state'}`;
    const remedy = "Wait until it leaves its pending state and retry; if it stays pending, look at the service's own log on the host.";
    super(diagnosis(details, why, remedy), details);
  }
}

/** Win32 1053: the service did not report back to the SCM in time. Retryable: a slow start may succeed next time. */
export class ServiceStartTimeoutError extends ServiceControlError {
  override readonly name: string = 'ServiceStartTimeoutError';
  constructor(details: ServiceErrorDetails) {
    const remedy = 'Query it again; if it is not running, read its log on the host before retrying.';
    super(diagnosis(details, 'the service did not respond to the request in time (win32 1053)', remedy), details);
  }
}

/** Win32 1051: other running services depend on this one, so Windows refuses to stop it. Not retryable. */
export class ServiceHasDependentsError extends ServiceControlError {
  override readonly name: string = 'ServiceHasDependentsError';
  constructor(details: ServiceErrorDetails) {
    const remedy = `Stop the dependants first (\`sc.exe enumdepend ${details.service}\` lists them), then retry the step.`;
    super(diagnosis(details, 'running services depend on this one (win32 1051)', remedy), details);
  }
}

/** Win32 1069: the service account could not log on (typically an expired password). Not retryable. */
export class ServiceLogonFailedError extends ServiceControlError {
  override readonly name: string = 'ServiceLogonFailedError';
  constructor(details: ServiceErrorDetails) {
    const remedy = "Fix the account or password on the service's Log On tab in services.msc, then retry the step.";
    super(diagnosis(details, 'the service did not start due to a logon failure (win32 1069)', remedy), details);
  }
}

/**
 * A start was asked of a paused service. `sc.exe start` would answer "already running"
 * (1056), which is not what a procedure needs. Not retryable: pausing is deliberate.
 */
export class ServicePausedError extends ServiceControlError {
  override readonly name: string = 'ServicePausedError';
  constructor(details: ServiceErrorDetails) {
    const remedy = `Resume it (\`sc.exe continue ${details.service}\`) or stop it, then retry the step.`;
    super(diagnosis(details, `the service is ${details.state ?? 'PAUSED'}, not running`, remedy), details);
  }
}

/** sc.exe answered something this code cannot read. Not retryable: the same host answers the same way. */
export class ServiceControlOutputError extends ServiceControlError {
  override readonly name: string = 'ServiceControlOutputError';
  constructor(details: ServiceErrorDetails) {
    const code = details.win32Code !== undefined ? ` (exit code ${details.win32Code})` : '';
    const remedy = 'Check that the worker runs the Windows sc.exe (not a wrapper or another program on PATH); the raw output is in `output`.';
    super(diagnosis(details, `the output was not understood${code}`, remedy), details);
  }
}

/** Win32 error codes that have a dedicated error class. */
export const WIN32 = {
  ACCESS_DENIED: 5,
  DEPENDENT_SERVICES_RUNNING: 1051,
  SERVICE_REQUEST_TIMEOUT: 1053,
  SERVICE_ALREADY_RUNNING: 1056,
  SERVICE_DISABLED: 1058,
  SERVICE_DOES_NOT_EXIST: 1060,
  SERVICE_CANNOT_ACCEPT_CTRL: 1061,
  SERVICE_NOT_ACTIVE: 1062,
  SERVICE_LOGON_FAILED: 1069,
} as const;

/**
 * The error for a win32 code from a failed operation: the dedicated class when there is
 * one, otherwise a plain (retryable) {@link ServiceControlError}.
 */
export function serviceErrorForWin32Code(
  details: ServiceErrorDetails & { win32Code: number },
): ServiceControlError {
  switch (details.win32Code) {
    case WIN32.ACCESS_DENIED:
      return new ServiceAccessDeniedError(details);
    case WIN32.DEPENDENT_SERVICES_RUNNING:
      return new ServiceHasDependentsError(details);
    case WIN32.SERVICE_REQUEST_TIMEOUT:
      return new ServiceStartTimeoutError(details);
    case WIN32.SERVICE_DISABLED:
      return new ServiceDisabledError(details);
    case WIN32.SERVICE_DOES_NOT_EXIST:
      return new ServiceNotInstalledError(details);
    case WIN32.SERVICE_CANNOT_ACCEPT_CTRL:
      return new ServiceBusyError(details);
    case WIN32.SERVICE_LOGON_FAILED:
      return new ServiceLogonFailedError(details);
    default:
      return new ServiceControlError(
        `${what(details)} failed with win32 error ${details.win32Code}. ` +
          `\`net helpmsg ${details.win32Code}\` on the host explains the code; the raw output is in \`output\`.`,
        details,
      );
  }
}
