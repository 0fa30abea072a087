/**
 * What the lease workflows (workflows/leases.ts) ask the Temporal server through the worker's own
 * client: who holds a lease, and whether its holder is still running. Both only read.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { LEASE_HOLDER_MEMO, LeaseHolder } from '../../machines/core/leases';

export interface LeaseActivityOptions {
  /** How often to look at the holder while waiting for it to end. */
  pollMs?: number;
}

export function createLeaseActivities(options: LeaseActivityOptions = {}) {
  const pollMs = options.pollMs ?? 2000;

  /** The holder's chain is over: ended in any way, or replaced by a new chain under the same id. */
  async function holderClosed(holder: LeaseHolder): Promise<boolean> {
    try {
      const description = await Context.current().client.workflow.getHandle(holder.workflowId).describe();
      const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
      if (firstRunId !== holder.firstRunId) return true;
      return description.status.name !== 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return true;
      throw err;
    }
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
     * workflow's history stays small. Heartbeats while it waits; cancelled when the holder
     * releases the lease itself.
     */
    async awaitLeaseHolderClosed(holder: LeaseHolder, maxMs: number): Promise<{ closed: boolean }> {
      const until = Date.now() + maxMs;
      for (;;) {
        if (await holderClosed(holder)) return { closed: true };
        if (Date.now() >= until) return { closed: false };
        Context.current().heartbeat();
        await Context.current().sleep(pollMs);
      }
    },
  };
}

export type LeaseActivities = ReturnType<typeof createLeaseActivities>;
