/**
 * Runs one effect as its activity: on the host's own task queue or the central one, with the
 * action's timeouts and retries. The only place a workflow turns an effect into an activity call.
 */
import * as wf from '@temporalio/workflow';
import { activityNameOf, Effect, hostOf, placeOf } from '../machines/core/effects';
import { activityOptionsFor } from './activity-options';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from './task-queues';

/** The activity's answer to the effect; throws the activity's failure once retries are spent. */
export function runEffectActivity(effect: Effect, hostPickupSeconds?: number): Promise<unknown> {
  const host = hostOf(effect);
  const taskQueue = placeOf(effect) === 'host' && host ? hostTaskQueue(host) : CENTRAL_TASK_QUEUE;
  const activity = wf.proxyActivities(activityOptionsFor(effect, taskQueue, hostPickupSeconds))[activityNameOf(effect.action)] as (e: Effect) => Promise<unknown>;
  return activity(effect);
}
