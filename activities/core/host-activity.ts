/**
 * What every activity of a host's agent shares, whatever it does: it heartbeats on a timer for as
 * long as it runs, and an error a retry cannot fix leaves it as a non-retryable failure that names
 * the host.
 *
 * Heartbeating only between polls is not enough: one `sc.exe` call may take a minute (a starting
 * service holds the service control manager's lock), a cache of many files takes as long as it
 * takes, and an activity that is silent for longer than its heartbeat timeout is declared dead and
 * run a second time while the first still works. A timer keeps the heartbeat going across any
 * awaited call; it stops with the agent's process, which is what the heartbeat timeout is there
 * to notice.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isNonRetryableErrorType } from './non-retryable-errors';

/**
 * How often a host activity heartbeats while it runs. Well inside the 10 s heartbeat timeout of
 * host steps (workflows/runtime/activity-options.ts), and the SDK throttles what it sends to the server.
 */
export const HEARTBEAT_EVERY_MS = 2000;

/**
 * The longest a host's agent holds back a heartbeat (its worker's `maxHeartbeatThrottleInterval`).
 * A cancellation reaches a step only on a heartbeat's answer, and by default the SDK sends one at
 * most every 0.8 × the heartbeat timeout (8 s for host steps): an abort's restore, which waits for
 * the cancelled step to end on the host (runtime version 2), would wait that long for nothing.
 */
export const HOST_HEARTBEAT_THROTTLE = '2s';

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The details each running activity last reported, which its timer's heartbeats carry on. */
const reportedDetails = new WeakMap<Context, unknown>();

/**
 * Until when a running activity keeps its heartbeats to itself: its first `everyMs`. The SDK sends
 * an activity's first heartbeat at once and each is a write on the server, while most steps end
 * within a second or two; the timer's first beat, well inside the heartbeat timeout, is the first
 * the server sees. A cancellation asked in that time reaches the step with that beat, as one asked
 * just after an early heartbeat would have waited for the throttled next one.
 */
const quietUntil = new WeakMap<Context, number>();

/** A heartbeat, unless the activity is still in its quiet start (the details are kept for the timer's beat). */
function beat(context: Context, details: unknown): void {
  if (Date.now() < (quietUntil.get(context) ?? 0)) return;
  context.heartbeat(details);
}

/**
 * Heartbeats with details an operator sees on the pending activity (what a wait has seen so far);
 * the timer's heartbeats repeat them until the next report, so they are not blanked between polls.
 */
export function heartbeatWithDetails(details: unknown): void {
  const context = activityContext();
  if (!context) return;
  reportedDetails.set(context, details);
  beat(context, details);
}

/** A heartbeat carrying the details last reported, or none before the activity's quiet start is over. */
export function heartbeat(): void {
  const context = activityContext();
  if (context) beat(context, reportedDetails.get(context));
}

/**
 * Runs `work` and heartbeats every `everyMs` until it settles, also while `work` waits on a single
 * slow call; the first beat after `everyMs` (a step that ends sooner sends none). Outside an
 * activity (a plain function call in a test) it just runs `work`.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, everyMs = HEARTBEAT_EVERY_MS): Promise<T> {
  const context = activityContext();
  if (!context) return work();
  quietUntil.set(context, Date.now() + everyMs);
  const timer = setInterval(() => context.heartbeat(reportedDetails.get(context)), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Ends the step as cancelled once its cancellation has reached it (on a heartbeat's answer, see
 * HOST_HEARTBEAT_THROTTLE); the workflow starts the host's next step only then (runtime version 2,
 * activity-options.ts).
 */
export function throwIfCancelled(): void {
  const context = activityContext();
  if (context?.cancellationSignal.aborted) throw context.cancellationSignal.reason;
}

/** A pause between polls that a cancellation does not cut short: for a step finishing what it began. */
export async function pauseThroughCancellation(ms: number): Promise<void> {
  heartbeat();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The error as the workflow should see it: an error whose type is in `NON_RETRYABLE_ERRORS`
 * becomes a non-retryable `ApplicationFailure` of that type, its message prefixed with the host
 * (and `output`, when the error carries what a program printed, kept as its details). Anything
 * else is left as it is, for the retry policy to decide.
 */
export function asNonRetryableFailure(host: string, err: unknown): unknown {
  if (err instanceof ApplicationFailure || !(err instanceof Error) || !isNonRetryableErrorType(err.name)) return err;
  const output = (err as { output?: unknown }).output;
  const message = err.message.startsWith(`${host}:`) ? err.message : `${host}: ${err.message}`;
  return ApplicationFailure.create({
    message,
    type: err.name,
    nonRetryable: true,
    cause: err,
    ...(typeof output === 'string' && output !== '' ? { details: [{ output }] } : {}),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any effect type
type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/** The activities of a host's agent, each heartbeating while it runs and failing for good on errors no retry can fix. */
export function asHostActivities<A extends Activities>(host: string, activities: A, heartbeatEveryMs = HEARTBEAT_EVERY_MS): A {
  const wrapped: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await whileHeartbeating(() => activity(...args), heartbeatEveryMs);
      } catch (err) {
        throw asNonRetryableFailure(host, err);
      }
    };
  }
  return wrapped as A;
}
