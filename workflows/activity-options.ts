/**
 * Timeouts and retries per action. None is infinite: a step that cannot finish halts the
 * procedure with a reason instead of hanging. `scheduleToStartTimeout` catches a host whose agent
 * is gone (nobody polls its queue), which a retry cannot fix.
 *
 * Every limit of a step that waits is derived from the step's own timeouts (one service's, times
 * the services it handles one after the other), plus the time the programs it runs may take, so
 * a step is never cut short by its activity while the input still allows it to wait. The SPOC
 * host activities heartbeat on a timer (activities/core/host-activity.ts), so a short heartbeat
 * timeout notices a dead agent without cutting a long sc.exe call or deletion short.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { DEFAULT_CACHE_DELETION_SECONDS, type Effect } from '../machines/core/effects';
import { NON_RETRYABLE_ERRORS } from '../activities/core/non-retryable-errors';
import { CENTRAL_TASK_QUEUE } from './task-queues';

/** Non-retryable failure types: retrying them cannot help, the operator must act. One list, kept with the activities. */
export { NON_RETRYABLE_ERRORS };

/**
 * What one service costs a step beyond its own wait: the sc.exe calls around it (query, control,
 * a query after a refused control, the last query after the deadline), each of which the agent's
 * command runner stops after 60 s.
 */
export const SC_EXE_SECONDS_PER_SERVICE = 4 * 60;

/** Room for the rest of an attempt: accepting the step, answering, a slow disk. */
const MARGIN_SECONDS = 60;

/** How long an attempt of a host step may go without a heartbeat before it is taken for dead. */
const HOST_HEARTBEAT_TIMEOUT = '10s';

/** How long a host's agent may take to pick up a step before the procedure halts, by default. */
export const HOST_PICKUP_SECONDS = 60;

export function activityOptionsFor(effect: Effect, taskQueue: string, pickupSeconds = HOST_PICKUP_SECONDS): ActivityOptions {
  const base: ActivityOptions = {
    taskQueue,
    // Only a host's agent can be gone while the procedure runs; the central worker runs the
    // workflow itself, so a central step waits for it however long spoolflow was down.
    ...(taskQueue === CENTRAL_TASK_QUEUE ? {} : { scheduleToStartTimeout: `${pickupSeconds}s` }),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] },
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
      return { ...base, startToCloseTimeout: `${effect.timeoutSeconds + SC_EXE_SECONDS_PER_SERVICE + MARGIN_SECONDS}s`, heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT };
    case 'stop-services':
    case 'start-services':
      // One service after the other, each with its own timeout (the agent's deadlines say the same).
      return {
        ...base,
        startToCloseTimeout: `${Math.max(1, effect.services.length) * (effect.timeoutSeconds + SC_EXE_SECONDS_PER_SERVICE) + MARGIN_SECONDS}s`,
        heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT,
      };
    case 'query-services':
      return { ...base, startToCloseTimeout: `${Math.max(1, effect.services.length) * 60 + MARGIN_SECONDS}s`, heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT };
    case 'delete-cache':
      // The agent stops deleting at the step's own deadline and says how far it got; the limit
      // here only catches an attempt that cannot report (a disk that no longer answers).
      return { ...base, startToCloseTimeout: `${(effect.timeoutSeconds ?? DEFAULT_CACHE_DELETION_SECONDS) + 60 + MARGIN_SECONDS}s`, heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT };
    case 'restart-os':
      // Two short programs (the boot time, shutdown.exe): the restart itself happens after the answer.
      return { ...base, startToCloseTimeout: `${2 * 60 + MARGIN_SECONDS}s`, heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT };
    // Single checks and single commands.
    case 'check-management-server':
    case 'check-no-load':
    case 'check-spocs-online':
    case 'preflight':
    case 'survey-other-services':
    case 'check-scheduler-member':
    case 'remove-scheduler-service':
    case 'install-scheduler-service':
    case 'set-cluster-options':
    default:
      return { ...base, startToCloseTimeout: '2m' };
  }
}
