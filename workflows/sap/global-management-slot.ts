/**
 * Global management in an SAP system is done by at most one spool work process at a time, across
 * its spool servers (docs/sap-spool-work-processes.md#global-management-across-spool-servers). The
 * slot is a workflow under one id per system, `sap-spool-global-management-<system>`: the Temporal
 * server runs at most one workflow per id, so the dispatcher that started it is the only one that
 * may hand a global task to a work process until it gives the slot up. Another dispatcher's start
 * fails while it runs, and that dispatcher asks again later.
 *
 * Why a workflow of its own and not the procedures' leases (workflows/leases.ts): a lease is held
 * for a whole procedure and its holder's second take of a lease that is ending counts as held;
 * the slot changes hands every few minutes between running dispatchers, so it ends at once when
 * given up, and a dispatcher never counts a slot as its own unless its own start succeeded.
 *
 * The slot ends when its holder gives it up, or when it finds the holder's chain ended in any way
 * (it looks every `checkEverySeconds`, with the leases' look), so a terminated dispatcher does not
 * keep global management from the others for longer than that. It looks in short calls rather
 * than with one long watch, so giving it up ends it at once with no activity left running.
 */
import * as wf from '@temporalio/workflow';
import type { LeaseActivities } from '../../activities/core/lease-activities';
import type { LeaseHolder } from '../../machines/core/leases';
import { CENTRAL_TASK_QUEUE } from '../task-queues';
import { releaseGlobalManagementSignal } from './spool-dispatcher-messages';

export interface GlobalManagementSlotInput {
  system: string;
  holder: LeaseHolder;
  /** How often to look whether the holder still runs (a terminated dispatcher frees the slot within this). */
  checkEverySeconds: number;
  /** Hands over to a new run past this many history events (default 1000; tests make it small). */
  handOverAfterEvents?: number;
}

/**
 * From here on a release that comes while the slot looks at its holder ends the slot even when
 * that look is the one after which it hands over to a new run: the new run started with no
 * memory of it, and the holder, which had given the slot up, never sends it again.
 */
export const RELEASE_BEFORE_HAND_OVER_PATCH = 'global-slot-release-before-hand-over';

const { awaitLeaseHolderClosed } = wf.proxyActivities<LeaseActivities>({
  taskQueue: CENTRAL_TASK_QUEUE,
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export async function sapGlobalManagementSlot(input: GlobalManagementSlotInput): Promise<{ ended: 'released' | 'holder-ended' }> {
  let released = false;
  wf.setHandler(releaseGlobalManagementSignal, (workflowId) => {
    if (workflowId === input.holder.workflowId) released = true;
  });
  wf.setCurrentDetails(`Global spool management of SAP system **${input.system}** is with \`${input.holder.workflowId}\` since ${input.holder.since}.`);
  for (;;) {
    if (await wf.condition(() => released, input.checkEverySeconds * 1000)) return { ended: 'released' };
    // One short look, awaited even when the release comes meanwhile: no activity outlives the slot.
    const { closed } = await awaitLeaseHolderClosed(input.holder, 0);
    if (closed) return { ended: 'holder-ended' };
    if (wf.workflowInfo().historyLength > (input.handOverAfterEvents ?? 1000)) {
      if (released && wf.patched(RELEASE_BEFORE_HAND_OVER_PATCH)) return { ended: 'released' };
      return wf.continueAsNew<typeof sapGlobalManagementSlot>(input);
    }
  }
}
