/**
 * What the lease workflows (workflows/leases.ts) ask the Temporal server through the worker's own
 * client: who holds a lease, and whether its holder is still running. Both only read.
 *
 * A lease's watch waits on the server for its holder's run to close (a long poll of the run's close
 * event) rather than asking every few seconds: each held lease (a group restart holds five) was a
 * describe call every 2 s, a few hundred a second on a large estate, and a holder that ends is now
 * seen at once.
 */
import { Context } from '@temporalio/activity';
import { type Client, isGrpcDeadlineError, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LEASE_HOLDER_MEMO, LeaseHolder } from '../../machines/core/leases';

export interface LeaseActivityOptions {
  /**
   * The longest one wait on the server for the holder's end lasts before the watch heartbeats and
   * waits again; well inside the watch's 30 s heartbeat timeout (workflows/leases.ts).
   */
  pollMs?: number;
}

/** The running run of the holder's own chain, or undefined when the chain is over (ended, or replaced under the same id). */
async function holderRun(client: Client, holder: LeaseHolder): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(holder.workflowId).describe();
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
    if (firstRunId !== holder.firstRunId || description.status.name !== 'RUNNING') return undefined;
    return description.runId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Waits on the server, at most `waitMs`, for this run to close (completed, failed, terminated,
 * timed out, cancelled or continued as new): true once it closed, false when the wait ran out.
 */
async function runCloses(client: Client, workflowId: string, runId: string, waitMs: number): Promise<boolean> {
  try {
    const { history } = await client.withDeadline(Date.now() + waitMs, () =>
      client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId },
        waitNewEvent: true,
        historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
        skipArchival: true,
      }),
    );
    return (history?.events?.length ?? 0) > 0;
  } catch (err) {
    if (isGrpcDeadlineError(err)) return false;
    throw err;
  }
}

export function createLeaseActivities(options: LeaseActivityOptions = {}) {
  const pollMs = options.pollMs ?? 15_000;

  /** The holder's chain is over: ended in any way, or replaced by a new chain under the same id. */
  async function holderClosed(holder: LeaseHolder): Promise<boolean> {
    return (await holderRun(Context.current().client, holder)) === undefined;
  }

  return {
    /**
     * Who holds the lease now (null when no lease workflow of this id is running), and whether
     * that holder has already ended: its lease is then about to end too.
     */
    async describeLeaseHolder(leaseWorkflowId: string): Promise<{ holder: LeaseHolder; holderEnded: boolean } | null> {
      let holder: LeaseHolder | undefined;
      try {
        const description = await Context.current().client.workflow.getHandle(leaseWorkflowId).describe();
        if (description.status.name !== 'RUNNING') return null;
        holder = description.memo?.[LEASE_HOLDER_MEMO] as LeaseHolder | undefined;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
      if (!holder) return null;
      return { holder, holderEnded: await holderClosed(holder) };
    },

    /**
     * Returns `{ closed: true }` as soon as the holder has ended in any way (completed, failed,
     * terminated, timed out, cancelled), or `{ closed: false }` after `maxMs` so the lease
     * workflow's history stays small. Waits on the server for the holder's run to close, `pollMs`
     * at a time with a heartbeat before each; a run that continued as new is followed to the next
     * run of its chain. Cancelled when the holder releases the lease itself: the activity ends
     * at once, and its wait on the server ends by its deadline (`pollMs` at most; the worker's
     * connection does not cut a call short on an abort signal, bounded-server-call.ts).
     */
    async awaitLeaseHolderClosed(holder: LeaseHolder, maxMs: number): Promise<{ closed: boolean }> {
      const context = Context.current();
      const client = context.client;
      const until = Date.now() + maxMs;
      for (;;) {
        const runId = await holderRun(client, holder);
        if (runId === undefined) return { closed: true };
        for (;;) {
          const left = until - Date.now();
          if (left <= 0) return { closed: false };
          context.heartbeat();
          // Cancelled (released, or the worker shuts down): end now, not at the end of the wait.
          const closes = runCloses(client, holder.workflowId, runId, Math.min(left, pollMs));
          if (await Promise.race([closes, context.cancelled])) break;
        }
      }
    },
  };
}

export type LeaseActivities = ReturnType<typeof createLeaseActivities>;
