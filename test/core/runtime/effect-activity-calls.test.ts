/**
 * Runtime version 2 builds an action's activity options once per task queue and reuses them
 * (workflows/runtime/effect-activity-calls.ts): what reaches the server must stay exactly what
 * `activityOptionsFor` builds for each effect (timeouts, retry, summary, cancellation type).
 */
import type { Effect } from '../../../machines/core/effects';
import { hostOf } from '../../../machines/core/effects';
import { isCentralWatch, placeOf } from '../../../machines/actions';
import { activityOptionsFor } from '../../../workflows/runtime/activity-options';
import { EffectActivityCalls } from '../../../workflows/runtime/effect-activity-calls';
import { CENTRAL_TASK_QUEUE, CENTRAL_WATCH_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';
import { SAMPLE_EFFECTS } from '../machines/sample-effects';

function queueOf(effect: Effect): string {
  const host = hostOf(effect);
  if (placeOf(effect) === 'host' && host) return hostTaskQueue(host);
  return isCentralWatch(effect) ? CENTRAL_WATCH_TASK_QUEUE : CENTRAL_TASK_QUEUE;
}

/** As in a run begun since the central watches have their own queue. */
const ownWatchQueue = () => true;

const effects: Effect[] = Object.values(SAMPLE_EFFECTS);

test('every action gets the options activityOptionsFor builds for it, with or without a summary, also when built before', () => {
  const calls = new EffectActivityCalls(45, ownWatchQueue);
  for (const round of ['first', 'reused']) {
    for (const effect of effects) {
      expect({ round, options: calls.optionsFor(effect, `summary of ${effect.action}`) }).toEqual({ round, options: activityOptionsFor(effect, queueOf(effect), 45, `summary of ${effect.action}`, true) });
      expect({ round, options: calls.optionsFor(effect, undefined) }).toEqual({ round, options: activityOptionsFor(effect, queueOf(effect), 45, undefined, true) });
    }
  }
});

test('options reused for one host are not given to the same action on another host', () => {
  const calls = new EffectActivityCalls();
  const stop = (host: string): Effect => ({ step: 's', title: 't', action: 'stop-service', host, service: 'x', timeoutSeconds: 30 });
  expect(calls.optionsFor(stop('spoc-1'), undefined).taskQueue).toBe(hostTaskQueue('spoc-1'));
  expect(calls.optionsFor(stop('spoc-2'), undefined).taskQueue).toBe(hostTaskQueue('spoc-2'));
});

test('an action whose limits follow the effect gets them from each effect, not from the one before', () => {
  const calls = new EffectActivityCalls(undefined, ownWatchQueue);
  const restart = (timeoutSeconds: number): Effect => ({ ...SAMPLE_EFFECTS['await-spoc-online'], timeoutSeconds });
  for (const timeout of [600, 1200, 600]) {
    expect(calls.optionsFor(restart(timeout), undefined)).toEqual(activityOptionsFor(restart(timeout), queueOf(restart(timeout)), undefined, undefined, true));
  }
  expect(calls.optionsFor(restart(1200), undefined).startToCloseTimeout).not.toEqual(calls.optionsFor(restart(600), undefined).startToCloseTimeout);
});
