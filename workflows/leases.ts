/**
 * Leases, enforced by the Temporal server: a lease is a workflow whose id names what it guards
 * (`spoolflow-lease:host:spoc-lon-1`, `spoolflow-lease:spoc-group:london`), and the server runs at
 * most one workflow per id. A procedure takes its leases by starting those workflows as children
 * before its first step; a second procedure on the same host or group, whatever its own workflow
 * id and however it was started (CLI, Web UI, client, Temporal CLI), cannot start them and fails
 * at once, touching nothing, with the holders named.
 *
 * Why fail rather than wait: a procedure queued behind another would start by itself later, after
 * the situation it was started for has changed (the first procedure may already have restarted
 * the same group); an operator should decide again, with the first one's result in front of them.
 *
 * A lease ends when its holder ends in any way: the holder releases it as its last act (completed,
 * failed, aborted), and the lease workflow itself watches the holder through the server, so a
 * holder that was terminated or timed out releases it too. Children are abandoned on parent close
 * (not terminated), so a continue-as-new of the holder keeps its leases without a gap; the holder
 * is known by its workflow id and the first run of its chain, which continue-as-new keeps.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LeaseActivities } from '../activities/core/lease-activities';
import { describeLease, Lease, LEASE_HOLDER_MEMO, LeaseHolder, leaseWorkflowId } from '../machines/core/leases';
import { CENTRAL_TASK_QUEUE, LEASE_WATCH_TASK_QUEUE } from './task-queues';

/** The holder's own release, by its workflow id; a signal from anyone else changes nothing. */
export const releaseLeaseSignal = wf.defineSignal<[string]>('releaseLease');
export const leaseHolderQuery = wf.defineQuery<LeaseHolder>('leaseHolder');

export interface LeaseInput {
  lease: Lease;
  holder: LeaseHolder;
}

/** How long a released lease waits for its watch to see the holder end before it cancels the watch. */
const RELEASE_GRACE_MS = 5_000;

/** How long one watch of the holder lasts before the lease workflow looks again (keeps its history short). */
const WATCH_MS = 10 * 60_000;

const WATCH_OPTIONS: wf.ActivityOptions = {
  taskQueue: CENTRAL_TASK_QUEUE,
  startToCloseTimeout: WATCH_MS + 60_000,
  heartbeatTimeout: '30s',
  // Unlimited attempts: a lease must outlive any outage of the server or the central worker.
  retry: { initialInterval: '1s', maximumInterval: '30s' },
};

const ASK_OPTIONS: wf.ActivityOptions = {
  taskQueue: CENTRAL_TASK_QUEUE,
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '5s', maximumAttempts: 10 },
};

/**
 * New lease runs watch their holder on the lease-watch queue (task-queues.ts); runs begun before
 * (no marker) keep the central queue, which the central worker still serves, so they replay.
 */
export const LEASE_WATCH_QUEUE_PATCH = 'lease-watches-on-their-own-queue';

/** The lease activities, each call with its own line on the Web UI's timeline. */
function watch(summary: string, onOwnQueue: boolean): LeaseActivities {
  return wf.proxyActivities<LeaseActivities>({ ...WATCH_OPTIONS, ...(onOwnQueue ? { taskQueue: LEASE_WATCH_TASK_QUEUE } : {}), summary });
}

function ask(summary: string): LeaseActivities {
  return wf.proxyActivities<LeaseActivities>({ ...ASK_OPTIONS, summary });
}

/** The lease workflow: held until its holder releases it or ends. */
export async function spoolflowLease(input: LeaseInput): Promise<{ ended: 'released' | 'holder-ended' }> {
  const onOwnQueue = wf.patched(LEASE_WATCH_QUEUE_PATCH);
  let released = false;
  wf.setHandler(releaseLeaseSignal, (workflowId) => {
    if (workflowId === input.holder.workflowId) released = true;
  });
  wf.setHandler(leaseHolderQuery, () => input.holder);
  wf.setCurrentDetails(`**${describeLease(input.lease)}** is held by \`${input.holder.workflowId}\` (${input.holder.procedure}) since ${input.holder.since}.`);
  // One wait for the release serves every look: a wait begun per look would stay pending after
  // its look ended (some 300 in a run before it continues as new, each checked on every task).
  const releaseAsked = wf.condition(() => released).then(() => 'released' as const);
  for (;;) {
    if (released) return { ended: 'released' };
    const scope = new wf.CancellationScope();
    const watching = scope.run(() => watch(`${describeLease(input.lease)}: held until ${input.holder.workflowId} ends (one look of ${WATCH_MS / 60_000} min)`, onOwnQueue).awaitLeaseHolderClosed(input.holder, WATCH_MS));
    const outcome = await Promise.race([watching.then((r) => (r.closed ? 'holder-ended' : 'again')), releaseAsked]);
    if (outcome === 'released') {
      // The holder releases as its last act, so the watch sees it end within a poll; waiting for
      // that instead of cancelling keeps the worker from completing an activity of a closed lease.
      const settled = await Promise.race([watching.then(() => true, () => true), wf.sleep(RELEASE_GRACE_MS, { summary: `${describeLease(input.lease)}: released, let the watch see ${input.holder.workflowId} end` }).then(() => false)]);
      if (!settled) scope.cancel();
      return { ended: 'released' };
    }
    if (outcome === 'holder-ended') return { ended: 'holder-ended' };
    if (wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength > 2_000) {
      await wf.condition(wf.allHandlersFinished);
      if (!released) await wf.continueAsNew<typeof spoolflowLease>(input);
    }
  }
}

/** One lease another procedure holds (`holder` null: it changed hands while we looked). */
export interface LeaseConflict {
  lease: Lease;
  holder: LeaseHolder | null;
}

/** This run's holder identity: the workflow id and the first run of its chain. */
export function currentHolder(procedure: string): LeaseHolder {
  const info = wf.workflowInfo();
  return { workflowId: info.workflowId, firstRunId: info.firstExecutionRunId, procedure, since: new Date(info.runStartTime).toISOString() };
}

type TakeResult = { taken: true; fresh: boolean } | { taken: false; holder: LeaseHolder | null };

async function takeLease(lease: Lease, holder: LeaseHolder): Promise<TakeResult> {
  const workflowId = leaseWorkflowId(lease);
  let last: LeaseHolder | null = null;
  for (let attempt = 0; attempt < HANDOVER_ATTEMPTS; attempt += 1) {
    try {
      await wf.startChild(spoolflowLease, {
        workflowId,
        taskQueue: CENTRAL_TASK_QUEUE,
        args: [{ lease, holder }],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        memo: { [LEASE_HOLDER_MEMO]: holder },
        staticSummary: `Lease on ${describeLease(lease)} for ${holder.workflowId}`,
      });
      return { taken: true, fresh: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const current = await ask(`${describeLease(lease)}: who holds it`).describeLeaseHolder(workflowId);
      // Ended between our start and our look: try again.
      if (current === null) continue;
      // Ours already: this chain continued as new, or took it in an earlier attempt. The first run
      // id names the chain alone (a new chain under the same workflow id has another).
      if (current.holder.firstRunId === holder.firstRunId) return { taken: true, fresh: false };
      if (!current.holderEnded) return { taken: false, holder: current.holder };
      // Its holder has just ended and the lease is being handed back: look again shortly.
      last = current.holder;
      await wf.sleep(HANDOVER_PAUSE_MS, { summary: `${describeLease(lease)}: its holder has ended, wait for the lease to be handed back` });
    }
  }
  return { taken: false, holder: last };
}

/** A lease whose holder has ended is gone within the lease's poll (2 s); wait that long for it, no longer. */
const HANDOVER_ATTEMPTS = 20;
const HANDOVER_PAUSE_MS = 500;

/**
 * Takes every lease or none: when one is held by another procedure, the ones taken here are
 * released again and a non-retryable `LeaseHeldError` names each holder. Nothing else has happened
 * yet, so the procedure ends without a side effect.
 */
export async function acquireLeases(leases: Lease[], holder: LeaseHolder): Promise<void> {
  const results = await Promise.all(leases.map(async (lease) => ({ lease, result: await takeLease(lease, holder) })));
  const conflicts: LeaseConflict[] = results.flatMap(({ lease, result }) => (result.taken ? [] : [{ lease, holder: result.holder }]));
  if (conflicts.length === 0) return;
  await releaseLeases(
    results.filter(({ result }) => result.taken && result.fresh).map(({ lease }) => lease),
    holder,
  );
  const message = `refused before any step: ${conflicts.map(describeConflict).join('; ')}. One procedure at a time per host, SPOC group and cluster: wait until it ends (or abort it), then start this one again.`;
  wf.setCurrentDetails(`**Refused**: ${message}`);
  throw ApplicationFailure.nonRetryable(message, 'LeaseHeldError', ...conflicts);
}

function describeConflict(c: LeaseConflict): string {
  if (!c.holder) return `${describeLease(c.lease)} was changing hands`;
  return `${describeLease(c.lease)} is held by ${c.holder.workflowId} (${c.holder.procedure}, since ${c.holder.since})`;
}

/**
 * Releases the holder's leases as its last act, without waiting for the server to deliver the
 * releases: the holder ends in the same workflow task. Each lease watches its holder's close too,
 * so it ends either way (by the release, or by seeing its holder closed), and nothing of the
 * holder acts after its end. Ending at once frees the group sooner for whoever waits on the
 * holder's end (a fleet rollout's next group): with a thousand servers, the server delivered a
 * group's five releases one after another, up to one and a half seconds in all.
 */
export function releaseLeasesAsLastAct(leases: Lease[], holder: LeaseHolder): void {
  void releaseLeases(leases, holder);
}

/** Releases leases this holder took; never cancelled, never fails (a lease already gone is fine). */
export async function releaseLeases(leases: Lease[], holder: LeaseHolder): Promise<void> {
  await wf.CancellationScope.nonCancellable(() =>
    Promise.all(leases.map((lease) => wf.getExternalWorkflowHandle(leaseWorkflowId(lease)).signal(releaseLeaseSignal, holder.workflowId).catch(() => undefined))),
  );
}
