/**
 * What the service-control tests share: every state a Windows service can be in, and one of each
 * service-control error, split by whether a retry can help (the split NON_RETRYABLE_ERRORS must make).
 */
import type { ServiceState } from '../../activities/windows/service-control/service-control';
import {
  ServiceAccessDeniedError,
  ServiceBusyError,
  ServiceControlError,
  ServiceControlOutputError,
  ServiceDisabledError,
  type ServiceErrorDetails,
  ServiceHasDependentsError,
  ServiceLogonFailedError,
  ServiceNotInstalledError,
  ServicePausedError,
  ServiceStartTimeoutError,
} from '../../activities/windows/service-control/service-control-errors';

/** In the order of the SCM's numeric codes: STOPPED is 1, PAUSED is 7. */
export const SERVICE_STATES: readonly ServiceState[] = ['STOPPED', 'START_PENDING', 'STOP_PENDING', 'RUNNING', 'CONTINUE_PENDING', 'PAUSE_PENDING', 'PAUSED'];

/**
 * One error of each class. Retryable: the base class (what a code without its own class becomes,
 * where nothing says a retry is pointless), a busy service and a start that did not answer in time.
 */
export function serviceControlErrors(details: ServiceErrorDetails, baseMessage = 'x'): { nonRetryable: ServiceControlError[]; retryable: ServiceControlError[] } {
  return {
    nonRetryable: [
      new ServiceNotInstalledError(details),
      new ServiceAccessDeniedError(details),
      new ServiceDisabledError(details),
      new ServiceHasDependentsError(details),
      new ServiceLogonFailedError(details),
      new ServicePausedError(details),
      new ServiceControlOutputError(details),
    ],
    retryable: [new ServiceBusyError(details), new ServiceStartTimeoutError(details), new ServiceControlError(baseMessage, details)],
  };
}
