/**
 * A call an activity makes to the Temporal server (a query, an Update, a long poll), bounded: it
 * fails once its time is up, and the activity stops waiting for it the moment it is cancelled.
 *
 * Why not `client.withAbortSignal`: an activity's client runs on the worker's native connection,
 * which honours a deadline but ignores an abort signal (SDK 1.x), so a call under an abort signal
 * alone waits for as long as the server holds it: a query to a dispatcher whose worker is down for
 * the server's own 30 s, an Update to it until the activity's attempt times out.
 */
import type { Client } from '@temporalio/client';

export async function withinDeadline<T>(client: Client, ms: number, cancelled: AbortSignal, call: () => Promise<T>): Promise<T> {
  cancelled.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelled.reason);
    cancelled.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // The call goes on in the background after a cancellation, until its deadline at the latest.
    return await Promise.race([client.withDeadline(Date.now() + ms, call), abandoned]);
  } finally {
    cancelled.removeEventListener('abort', onAbort!);
  }
}
