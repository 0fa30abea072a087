/**
 * Runs one effect as its activity: on the host's own task queue or a central one, with the
 * action's timeouts and retries. The only place a workflow turns an effect into an activity call.
 */
import * as wf from '@temporalio/workflow';
import { activityFor, type ActionWord, type AllActivities, type Effect, type EffectOf, type EffectOutputs } from '../../machines/actions';
import { activityOptionsFor } from './activity-options';
import { effectTaskQueue } from './effect-task-queue';
import { hostTaskQueue } from '../task-queues';

/**
 * The activity's answer to the effect; throws the activity's failure once retries are spent.
 * `summary` is its line on the Web UI's timeline. `waitForCancelledHostStep` (runtime version 2):
 * once cancelled, a host step's promise settles only when its activity has ended on the host
 * (activity-options.ts).
 */
export function runEffectActivity(effect: Effect, hostPickupSeconds?: number, summary?: string, waitForCancelledHostStep = false): Promise<EffectOutputs[ActionWord]> {
  const taskQueue = effectTaskQueue(effect, hostTaskQueue);
  return run(effect.action, effect, wf.proxyActivities<AllActivities>(activityOptionsFor(effect, taskQueue, hostPickupSeconds, summary, waitForCancelledHostStep)));
}

function run<A extends ActionWord>(action: A, effect: EffectOf<A>, activities: AllActivities): Promise<EffectOutputs[A]> {
  return activityFor(activities, action)(effect);
}
