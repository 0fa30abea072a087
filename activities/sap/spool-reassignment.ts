/**
 * The move of a spool server's output requests to another spool server of its system at a
 * shutdown (machines/sap/spool-shutdown.ts): each request is given to the other server's
 * dispatcher, in order, as any system that prints through SAP gives it (client/sap-spool-submit.ts).
 *
 * Idempotent: a request is given under its own Update id, and a dispatcher answers a request it
 * holds or has done `already-held` or `already-done`, so a second run of this activity (its worker
 * killed halfway) gives no request twice; an attempt that timed out or was cancelled gives nothing
 * more (an Update already on its way may still be taken, under the same id: the dispatcher then
 * counts the round as partly given). A request the other server refuses (its release has no frontend printing, the device's
 * sequence setting differs from what it holds, it is full) is answered back with the refusal, for
 * the operator, and not retried; the later requests of a device with a set sequence are then held
 * back too, as they would overtake it.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { withinDeadline } from '../core/bounded-server-call';
import { whileHeartbeating } from '../core/host-activity';
import { shutdownWithoutNameCheck } from '../../client/sap-spool-shutdown';
import { giveWithoutNameCheck } from '../../client/sap-spool-submit';
import { describeIssues } from '../../machines/core/input-errors';
import { spoolDispatcherWorkflowId } from '../../machines/sap/spool-dispatcher-input';
import { REASSIGN_TARGET_REFUSED, REASSIGN_TARGET_REFUSED_LATE, reassignSpoolTaskUpdateId, targetRefusalDetails, type ReassignResult, type TargetRefusal } from '../../machines/sap/spool-shutdown';
import { outputRequestSchema, type OutputRequest } from '../../machines/sap/spool-tasks';

/** How long one request's Update may take before the attempt gives up (the other server's worker down). */
const SUBMIT_TIMEOUT_MS = 60_000;

const reassignInputSchema = z.strictObject({
  system: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  requests: z.array(outputRequestSchema),
  /** Set-sequence devices refused in an earlier round, with the refused request: their requests are held back. */
  heldBack: z.record(z.string(), z.string()).optional(),
});
export type ReassignInput = z.input<typeof reassignInputSchema>;

/**
 * How long one look at the target may take: the dispatcher of a server whose worker is down does
 * not answer. Longer than a worker's sticky queue is waited for (10 s), so a target whose worker has
 * just restarted answers within one look.
 */
const LOOK_TIMEOUT_MS = 12_000;
/** Looks before the target counts as not answering: a query can fail for a moment (the target handing over to a new run). */
const LOOK_TRIES = 2;

/** A failure in words, with its cause (the client's own message says little: "Failed to query Workflow"). */
function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}

/**
 * Why the move cannot go to that server at all (no dispatcher runs for it, it shuts down too, its
 * dispatcher does not answer), or null; a server shut down says where its own requests went (the
 * dispatcher follows them there). Nothing is given before this look, so a target that does not
 * answer is refused as a whole: the move tries it again later, and the operator may name another.
 */
async function targetRefusal(client: Client, system: string, to: string, cancelled: AbortSignal): Promise<TargetRefusal | null> {
  const workflowId = spoolDispatcherWorkflowId(system, to);
  for (let look = 1; ; look += 1) {
    try {
      const found = await withinDeadline(client, LOOK_TIMEOUT_MS, cancelled, () => shutdownWithoutNameCheck(client, system, to));
      if (found.system !== system || found.server !== to) return { reason: `${workflowId} is the dispatcher of spool server ${found.server} of system ${found.system}, not of ${to} of ${system}: name another spool server` };
      const shutdown = found.shutdown;
      if (!shutdown) return null;
      if (shutdown.phase === 'holding') return { reason: `spool server ${to} is shutting down itself: name another spool server of ${system}` };
      return { reason: `spool server ${to} is shut down itself`, forwardedTo: shutdown.reassignTo };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { reason: `no dispatcher runs for spool server ${to} of ${system} (${workflowId}): start it, or name another spool server` };
      cancelled.throwIfAborted();
      if (look < LOOK_TRIES) {
        await sleep(1000, undefined, { signal: cancelled });
        continue;
      }
      return { reason: `the dispatcher of spool server ${to} of ${system} (${workflowId}) did not answer its status query (${failureText(err)}): its worker may be down, or its workflow task failing; the move tries it again, or name another spool server` };
    }
  }
}

/**
 * Gives each request in turn (`give` answers null when the other server took it, else its
 * refusal); once a request of a device with a set sequence is refused, that device's later
 * requests are not given: they would overtake it. A failure `give` throws ends the round.
 */
export async function giveInOrder(requests: readonly OutputRequest[], heldBefore: Readonly<Record<string, string>>, give: (request: OutputRequest) => Promise<string | null>): Promise<ReassignResult> {
  const result: ReassignResult = { reassigned: [], refused: [], heldBack: { ...heldBefore } };
  const heldBack = new Map<string, string>(Object.entries(heldBefore));
  for (const request of requests) {
    const earlier = request.sequence ? heldBack.get(request.device) : undefined;
    if (earlier !== undefined) {
      result.refused.push({ id: request.id, device: request.device, reason: `held back: ${earlier}, an earlier request of device ${request.device} (set sequence), was not taken` });
      continue;
    }
    const refusal = await give(request);
    if (refusal === null) {
      result.reassigned.push(request.id);
      continue;
    }
    result.refused.push({ id: request.id, device: request.device, reason: refusal });
    if (request.sequence) {
      heldBack.set(request.device, request.id);
      result.heldBack = { ...result.heldBack, [request.device]: request.id };
    }
  }
  return result;
}

export function createSapReassignActivities() {
  return {
    async reassignSpoolRequests(raw: ReassignInput): Promise<ReassignResult> {
      const parsed = reassignInputSchema.safeParse(raw);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid reassignment: ${describeIssues(parsed.error.issues)}`, 'InvalidInputError');
      const { system, from, to, requests, heldBack } = parsed.data;
      const context = Context.current();
      return whileHeartbeating(async () => {
        const refusal = await targetRefusal(context.client, system, to, context.cancellationSignal);
        // Only a first attempt gave nothing before: a later one's earlier attempts may have given requests.
        if (refusal) {
          const type = context.info.attempt === 1 ? REASSIGN_TARGET_REFUSED : REASSIGN_TARGET_REFUSED_LATE;
          throw ApplicationFailure.create({ message: refusal.reason, type, nonRetryable: true, details: targetRefusalDetails(refusal.forwardedTo) });
        }
        return giveInOrder(requests, heldBack ?? {}, async (request) => {
          // An attempt timed out or cancelled gives nothing more: its retry (or the next move) does.
          context.cancellationSignal.throwIfAborted();
          try {
            // A server whose worker is down would hold the Update for as long: each request has SUBMIT_TIMEOUT_MS.
            // Under the move's own Update id: a target that once gave this request away to `from` takes it back from this move.
            await withinDeadline(context.client, SUBMIT_TIMEOUT_MS, context.cancellationSignal, () => giveWithoutNameCheck(context.client, system, to, request, { updateId: reassignSpoolTaskUpdateId(from, request) }));
            return null;
          } catch (err) {
            if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            return err.cause?.message ?? err.message;
          }
        });
      });
    },
  };
}

export type SapReassignActivities = ReturnType<typeof createSapReassignActivities>;
