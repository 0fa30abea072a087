/**
 * The move of a spool server's output requests to another spool server of its system at a
 * shutdown (machines/sap/spool-shutdown.ts): each request is given to the other server's
 * dispatcher, in order, as any system that prints through SAP gives it (client/sap-spool-submit.ts).
 *
 * Idempotent: a request is given under its own Update id, and a dispatcher answers a request it
 * holds or has done `already-held` or `already-done`, so a second run of this activity (its worker
 * killed halfway) gives no request twice. A request the other server refuses (its release has no
 * frontend printing, the device's sequence setting differs from what it holds, it is full) is
 * answered back with the refusal, for the operator; it is not retried.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { spoolServerShutdownOf } from '../../client/sap-spool-shutdown';
import { submitSpoolTask } from '../../client/sap-spool-submit';
import { describeIssues } from '../../machines/core/input-errors';
import { spoolDispatcherWorkflowId } from '../../machines/sap/spool-dispatcher-input';
import type { NotReassigned } from '../../machines/sap/spool-shutdown';
import { outputRequestSchema } from '../../machines/sap/spool-tasks';

const reassignInputSchema = z.strictObject({
  system: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  requests: z.array(outputRequestSchema),
});
export type ReassignInput = z.input<typeof reassignInputSchema>;

export interface ReassignResult {
  /** The ids the other server took (new, or held or done already), in order. */
  reassigned: string[];
  refused: NotReassigned[];
}

/** Why the move cannot go to that server at all (no dispatcher runs for it, it shuts down too), or null. */
async function targetRefusal(client: Client, system: string, to: string): Promise<string | null> {
  const workflowId = spoolDispatcherWorkflowId(system, to);
  try {
    const shutdown = await spoolServerShutdownOf(client, system, to);
    return shutdown ? `spool server ${to} is ${shutdown.phase === 'holding' ? 'shutting down' : 'shut down'} itself: name another spool server of ${system}` : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `no dispatcher runs for spool server ${to} of ${system} (${workflowId}): start it, or name another spool server`;
    throw err;
  }
}

export function createSapReassignActivities() {
  return {
    async reassignSpoolRequests(raw: ReassignInput): Promise<ReassignResult> {
      const parsed = reassignInputSchema.safeParse(raw);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid reassignment: ${describeIssues(parsed.error.issues)}`, 'InvalidInputError');
      const { system, to, requests } = parsed.data;
      const context = Context.current();
      const refusal = await targetRefusal(context.client, system, to);
      if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'ReassignTargetRefused');
      const result: ReassignResult = { reassigned: [], refused: [] };
      for (const request of requests) {
        context.heartbeat(result.reassigned.length);
        try {
          await submitSpoolTask(context.client, system, to, request);
          result.reassigned.push(request.id);
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          result.refused.push({ id: request.id, device: request.device, reason: err.cause?.message ?? err.message });
        }
      }
      return result;
    },
  };
}

export type SapReassignActivities = ReturnType<typeof createSapReassignActivities>;
