/**
 * Timeouts and retries of an effect's activity, from its action's entry (machines/actions.ts): the
 * entry says them as plain data, this makes Temporal's activity options of them. None is
 * infinite: a step that cannot finish halts the procedure with a reason instead of hanging.
 * `scheduleToStartTimeout` catches a host whose agent is gone (nobody polls its queue), which a
 * retry cannot fix.
 *
 * Every limit of a step that waits is derived from the step's own timeouts, plus the time the
 * programs it runs may take, so a step is never cut short by its activity while the input still
 * allows it to wait (see the entries in machines/spoc/spoc-actions.ts and
 * machines/jobscheduler/jobscheduler-actions.ts).
 */
import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { limitsOf, type Effect } from '../../machines/actions';
import { NON_RETRYABLE_ERRORS } from '../../activities/core/non-retryable-errors';
import { isCentralQueue } from '../task-queues';

/** Non-retryable failure types: retrying them cannot help, the operator must act. One list, kept with the activities. */
export { NON_RETRYABLE_ERRORS };

/** What one service costs a step beyond its own wait (the SPOC actions' limits use it). */
export { SC_EXE_SECONDS_PER_SERVICE } from '../../machines/spoc/spoc-actions';

/** How long a host's agent may take to pick up a step before the procedure halts, by default. */
export const HOST_PICKUP_SECONDS = 60;

/**
 * `summary`: the activity's line on the Web UI's timeline (timeline-summaries.ts).
 * `waitForCancelledHostStep` (runtime version 2): a cancelled step on a host's queue counts as
 * ended only once its activity has really ended on the host (it acknowledged the cancellation on
 * a heartbeat, finished, or timed out), so the next step on that host (an abort's restore) never
 * runs while the cancelled one still acts there. Temporal's default (TRY_CANCEL) settles the
 * step as cancelled the moment the cancellation is asked for. Central steps keep the default:
 * they do nothing on a host (they read the Management Server or a cluster's API), and an abort
 * must not wait for a read to time out.
 */
export function activityOptionsFor(effect: Effect, taskQueue: string, pickupSeconds = HOST_PICKUP_SECONDS, summary?: string, waitForCancelledHostStep = false): ActivityOptions {
  const limits = limitsOf(effect.action, effect);
  const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS], ...limits.retry };
  // Only a host's agent can be gone while the procedure runs; the central worker runs the
  // workflow itself, so a central step waits for it however long spoolflow was down.
  const pickup: Pick<ActivityOptions, 'scheduleToStartTimeout'> =
    limits.pickupAtLeastSeconds !== undefined
      ? { scheduleToStartTimeout: `${Math.max(pickupSeconds, limits.pickupAtLeastSeconds)}s` }
      : isCentralQueue(taskQueue)
        ? {}
        : { scheduleToStartTimeout: `${pickupSeconds}s` };
  return {
    taskQueue,
    ...pickup,
    retry,
    startToCloseTimeout: limits.attempt,
    ...(limits.heartbeat ? { heartbeatTimeout: limits.heartbeat } : {}),
    ...(summary ? { summary } : {}),
    ...(waitForCancelledHostStep && !isCentralQueue(taskQueue) ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
  };
}
