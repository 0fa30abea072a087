/**
 * Timeouts and retries per action. None is infinite: a step that cannot finish halts the
 * procedure with a reason instead of hanging. `scheduleToStartTimeout` catches a host whose agent
 * is gone (nobody polls its queue), which a retry cannot fix.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import type { Effect } from '../machines/effects';
import { CENTRAL_TASK_QUEUE } from './task-queues';

/** Non-retryable failure types: retrying them cannot help, the operator must act. */
export const NON_RETRYABLE_ERRORS = [
  'ProtectedServiceError',
  'InvalidEffectError',
  'UnsafeCachePathError',
  'ServiceNotInstalledError',
  'ServiceAccessDeniedError',
  'ServiceDisabledError',
  'StepTimedOutError',
  'ManagementServerUnreachableError',
  'MembersUnderLoadError',
  'SpocsNotOnlineError',
  'SpocInGroupError',
  'OsRestartRefusedError',
  // The cluster database's refusals (scheduler-activities.ts).
  'InvalidInputError',
  'UnknownEntityError',
  'MemberNotAliveError',
  'WrongRoleError',
  'StepNotCurrentError',
  'InvalidClusterOptionsError',
  'ClusterDatabaseNotFoundError',
  'MemberWontStopError',
  // The scheduler host activities mark their own non-retryable failures (scheduler-host-activities.ts).
];

/** How long a host's agent may take to pick up a step before the procedure halts, by default. */
export const HOST_PICKUP_SECONDS = 60;

export function activityOptionsFor(effect: Effect, taskQueue: string, pickupSeconds = HOST_PICKUP_SECONDS): ActivityOptions {
  const base: ActivityOptions = {
    taskQueue,
    // Only a host's agent can be gone while the procedure runs; the central worker runs the
    // workflow itself, so a central step waits for it however long spoolflow was down.
    ...(taskQueue === CENTRAL_TASK_QUEUE ? {} : { scheduleToStartTimeout: `${pickupSeconds}s` }),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
  };
  switch (effect.action) {
    case 'await-service-running':
    case 'await-lifecycle-online':
    case 'await-rescue-finished':
      // The activity polls until an absolute deadline derived from its input, so a retry on a
      // new agent keeps the same deadline instead of starting the wait over.
      return { ...base, startToCloseTimeout: `${effect.timeoutSeconds + 120}s`, heartbeatTimeout: '10s', retry: { ...base.retry, maximumAttempts: 5 } };
    case 'await-spoc-online':
      return { ...base, startToCloseTimeout: `${effect.timeoutSeconds + 120}s`, heartbeatTimeout: '30s', retry: { ...base.retry, maximumAttempts: 5 } };
    case 'await-host-restarted':
      // While the host restarts nobody polls its queue: the wait for pickup is the boot timeout.
      // An attempt that began before the shutdown dies with the agent; its heartbeat stops and it is
      // retried once the agent is back.
      return {
        ...base,
        scheduleToStartTimeout: `${Math.max(pickupSeconds, effect.timeoutSeconds)}s`,
        startToCloseTimeout: `${effect.timeoutSeconds + 120}s`,
        heartbeatTimeout: '10s',
        retry: { ...base.retry, maximumAttempts: 10 },
      };
    case 'watch-cluster':
      // A supervisor must not stop at a database hiccup: the watch retries until the operator looks.
      return {
        ...base,
        startToCloseTimeout: `${Math.ceil(effect.maxWatchMs / 1000) + 60}s`,
        heartbeatTimeout: '10s',
        retry: { ...base.retry, maximumInterval: '5s', maximumAttempts: 20 },
      };
    case 'fence-member':
    case 'activate-member':
    case 'assign-pending-steps':
    case 'reassign-steps-of':
    case 'submit-order':
      return { ...base, startToCloseTimeout: '30s', retry: { ...base.retry, initialInterval: '200ms', maximumAttempts: 5 } };
    case 'stop-scheduler':
    case 'start-scheduler':
      // They poll the member (status, ps / the service) and heartbeat while they wait.
      return { ...base, startToCloseTimeout: `${effect.timeoutSeconds + 120}s`, heartbeatTimeout: '10s' };
    case 'terminate-member':
      return { ...base, startToCloseTimeout: `${Math.ceil(effect.timeoutMs / 1000) + 30}s`, heartbeatTimeout: '10s' };
    case 'stop-service':
    case 'start-service':
    case 'stop-services':
    case 'start-services':
      return { ...base, startToCloseTimeout: '10m', heartbeatTimeout: '10s' };
    default:
      return { ...base, startToCloseTimeout: '2m' };
  }
}
