/**
 * The task queue an effect's activity is scheduled on: its host's (an agent's), the central
 * watches' for an action declared a watch, else the central worker's. Runs begun before the
 * watches had their own queue keep scheduling them on the central queue, which still serves them.
 */
import * as wf from '@temporalio/workflow';
import { hostOf } from '../../machines/core/effects';
import { isCentralWatch, placeOf, type Effect } from '../../machines/actions';
import { CENTRAL_TASK_QUEUE, CENTRAL_WATCH_TASK_QUEUE } from '../task-queues';

export const CENTRAL_WATCHES_PATCH = 'central-watches-on-their-own-queue';

/** Whether this run schedules the central watches on their own queue (asked only for a watch, so no other run gets the patch's marker). */
export function watchesOnOwnQueue(): boolean {
  return wf.patched(CENTRAL_WATCHES_PATCH);
}

export function effectTaskQueue(effect: Effect, hostQueueOf: (host: string) => string, ownWatchQueue: () => boolean = watchesOnOwnQueue): string {
  const host = hostOf(effect);
  if (placeOf(effect) === 'host' && host) return hostQueueOf(host);
  return isCentralWatch(effect) && ownWatchQueue() ? CENTRAL_WATCH_TASK_QUEUE : CENTRAL_TASK_QUEUE;
}
