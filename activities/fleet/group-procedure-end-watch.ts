/**
 * What a fleet rollout that continued as new asks the server about the group procedures an earlier
 * run started: which of them has ended. The new run holds no handle on those children, so no
 * child-completed event tells it; without this it learned of each end at its next look, up to
 * `pollSeconds` later (10 s by default), and the group's place stayed empty that long. Here the
 * server holds one call per procedure until its run chain closes, and the activity answers as soon
 * as one has. Only reads.
 */
import { Context } from '@temporalio/activity';
import { isGrpcCancelledError, isGrpcDeadlineError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { endOf } from './group-procedure-end';
import type { GroupProcedureLook, GroupProcedureRef } from './group-procedure-look';

/** Heartbeats while waiting: the rollout's heartbeat timeout (30 s) notices a worker that died. */
const HEARTBEAT_MS = 10_000;
/**
 * One wait on the server for a procedure's end lasts this long at most, then the next begins: the
 * worker's connection ignores an abort signal (bounded-server-call.ts), so the waits of an ask that
 * has answered (one group ended, the rollout asks again for the others) end within this, not at
 * `maxMs`, and do not pile up on the server ask after ask.
 */
const WAIT_SLICE_MS = 15_000;

/** A slice shorter than this is not asked for: each slice is a call to the server. */
const SHORTEST_SLICE_MS = 100;

/** The procedure's end, waited for in slices until it comes (undefined once `stop` is aborted or `until` has passed). */
async function endWithin(client: Client, ref: GroupProcedureRef, stop: AbortSignal, until: number, sliceMs: number): Promise<GroupProcedureLook | undefined> {
  const slice = Math.max(SHORTEST_SLICE_MS, Number.isFinite(sliceMs) ? sliceMs : WAIT_SLICE_MS);
  while (!stop.aborted && Date.now() < until) {
    const deadline = Date.now() + Math.min(slice, until - Date.now());
    try {
      return await client.withDeadline(deadline, () => endOf(client, ref));
    } catch (err) {
      // A slice that ran out: the native connection says so as "Timeout expired" (CANCELLED: no
      // abort signal is passed here, so nothing else cancels the call), another connection as
      // DEADLINE_EXCEEDED at the deadline. Any other failure is the server's: the activity fails.
      if (!isGrpcCancelledError(err) && !(isGrpcDeadlineError(err) && Date.now() >= deadline)) throw err;
      // Ended in the first half of its slice (a connection closing, say): not asked again at once.
      if (Date.now() < deadline - slice / 2) await sleep(1000, undefined, { signal: stop }).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * The procedures among these whose run chain has ended (each with how: done, or failed and why),
 * as soon as at least one has; none after `maxMs` (the rollout asks again, keeping its history
 * short). One the server does not know (gone) is left to the rollout's look; any other error of
 * the server fails the activity, which the rollout retries. Cancelled (the rollout hands over or
 * ends): the activity ends at once; its waits on the server end with their slice (WAIT_SLICE_MS).
 */
export async function awaitGroupProcedureEnds(procedures: GroupProcedureRef[], maxMs: number, sliceMs = WAIT_SLICE_MS): Promise<GroupProcedureLook[]> {
  const context = Context.current();
  const client = context.client;
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  context.cancellationSignal.addEventListener('abort', onCancel);
  const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  const ended: GroupProcedureLook[] = [];
  try {
    const someEnded = new Promise<void>((resolve, reject) => {
      const until = Date.now() + maxMs;
      for (const ref of procedures) {
        endWithin(client, ref, stop.signal, until, sliceMs).then(
          (look) => {
            if (!look) return;
            ended.push(look);
            resolve();
          },
          (err: unknown) => {
            if (!stop.signal.aborted && !(err instanceof WorkflowNotFoundError)) reject(err);
          },
        );
      }
    });
    await Promise.race([someEnded, sleep(maxMs, undefined, { signal: stop.signal }).catch(() => undefined), context.cancelled]);
    // Those that ended at the same moment come along (each answered in the same turn of the loop).
    await new Promise((resolve) => setImmediate(resolve));
    return [...ended];
  } finally {
    clearInterval(heartbeat);
    context.cancellationSignal.removeEventListener('abort', onCancel);
    stop.abort();
  }
}
