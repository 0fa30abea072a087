/**
 * How the runtime's second version (runtime-version.ts) schedules an effect's activity: the same
 * command as `runEffectActivity` (effect-activity.ts), which version 1 keeps, at less cost per
 * effect. The activity options of an action are built once per run for each task queue and kept
 * while the action's limits are the same object (most actions share constant limits, e.g.
 * QUICK_STEP; an action whose limits depend on the effect gets them built afresh); each effect
 * adds only its own summary. The activity is scheduled by its name, as the SDK's activity proxy
 * does, without building a proxy and checking the options again for every effect.
 */
import * as wf from '@temporalio/workflow';
import { activityNameOf, limitsOf, type Effect } from '../../machines/actions';
import type { ActionLimits } from '../../machines/core/action-registry';
import { activityOptionsFor } from './activity-options';
import { effectTaskQueue, watchesOnOwnQueue } from './effect-task-queue';
import { hostTaskQueue } from '../task-queues';

export class EffectActivityCalls {
  /** Per limits object, per task queue, the options without a summary. */
  private readonly optionsByLimits = new WeakMap<ActionLimits, Map<string, wf.ActivityOptions>>();
  /** Per host, its task queue (the name is built once). */
  private readonly hostQueues = new Map<string, string>();

  constructor(
    private readonly hostPickupSeconds?: number,
    /** Whether central watches go to their own queue (the run's patch; a test outside a workflow says). */
    private readonly ownWatchQueue: () => boolean = watchesOnOwnQueue,
  ) {}

  /**
   * The activity's answer to the effect, with `summary` as its line on the Web UI's timeline; a
   * host step cancelled settles only once it has ended on the host (activity-options.ts).
   */
  schedule(effect: Effect, summary: string | undefined): Promise<unknown> {
    return wf.scheduleActivity(activityNameOf(effect.action), [effect], this.optionsFor(effect, summary));
  }

  /** What `activityOptionsFor` gives the effect in version 2, without building it again. */
  optionsFor(effect: Effect, summary: string | undefined): wf.ActivityOptions {
    const options = this.optionsWithoutSummary(effect);
    return summary ? { ...options, summary } : options;
  }

  private optionsWithoutSummary(effect: Effect): wf.ActivityOptions {
    const taskQueue = effectTaskQueue(effect, (host) => this.queueOf(host), this.ownWatchQueue);
    const limits = limitsOf(effect.action, effect);
    let byQueue = this.optionsByLimits.get(limits);
    if (!byQueue) this.optionsByLimits.set(limits, (byQueue = new Map()));
    let options = byQueue.get(taskQueue);
    if (!options) byQueue.set(taskQueue, (options = activityOptionsFor(effect, taskQueue, this.hostPickupSeconds, undefined, true)));
    return options;
  }

  private queueOf(host: string): string {
    let queue = this.hostQueues.get(host);
    if (queue === undefined) this.hostQueues.set(host, (queue = hostTaskQueue(host)));
    return queue;
  }
}
