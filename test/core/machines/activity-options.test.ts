/**
 * Timeouts per step: a step on a host halts when its agent does not pick it up in time (the host
 * is gone); a central step waits for the central worker however long spoolflow was down.
 */
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import { ActivityCancellationType } from '@temporalio/workflow';
import type { Effect } from '../../../machines/core/effects';
import { hostOf } from '../../../machines/core/effects';
import { ACTION_REGISTRY, limitsOf, placeOf, type ActionWord } from '../../../machines/actions';
import { activityOptionsFor, NON_RETRYABLE_ERRORS } from '../../../workflows/runtime/activity-options';
import { SAMPLE_EFFECTS } from './sample-effects';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';

test('a host step has a pickup timeout; a central step has none', () => {
  const stop: Effect = { step: 's', title: 't', action: 'stop-service', host: 'spoc-1', service: 'x', timeoutSeconds: 30 };
  const check: Effect = { step: 'c', title: 't', action: 'check-management-server' };
  expect(activityOptionsFor(stop, hostTaskQueue('spoc-1'), 45).scheduleToStartTimeout).toBe('45s');
  expect(activityOptionsFor(check, CENTRAL_TASK_QUEUE, 45).scheduleToStartTimeout).toBeUndefined();
});

test('with runtime version 2, a cancelled host step counts as ended only once it ended on the host; a central step and version 1 keep the default', () => {
  const stop: Effect = { step: 's', title: 't', action: 'stop-service', host: 'spoc-1', service: 'x', timeoutSeconds: 30 };
  const online: Effect = { step: 'o', title: 't', action: 'await-spoc-online', host: 'spoc-1', since: '2026-01-01T00:00:00Z', others: [], timeoutSeconds: 60 };
  expect(activityOptionsFor(stop, hostTaskQueue('spoc-1'), 45, undefined, true).cancellationType).toBe(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
  expect(activityOptionsFor(online, CENTRAL_TASK_QUEUE, 45, undefined, true)).not.toHaveProperty('cancellationType');
  // Version 1's options, which recorded histories replay, have no such key at all.
  expect(activityOptionsFor(stop, hostTaskQueue('spoc-1'), 45)).not.toHaveProperty('cancellationType');
});

test('the wait for a restarting host to come back is as long as its boot timeout', () => {
  const back: Effect = { step: 'b', title: 't', action: 'await-host-restarted', host: 'spoc-1', since: '2026-01-01T00:00:00Z', services: [], timeoutSeconds: 900 };
  expect(activityOptionsFor(back, hostTaskQueue('spoc-1'), 60).scheduleToStartTimeout).toBe('900s');
});

describe('limits derived from the step', () => {
  const seconds = (d: Duration | undefined) => (d === undefined ? undefined : msToNumber(d) / 1000);
  const host = hostTaskQueue('spoc-1');

  test('a stop or start may take the whole service timeout the input allows (up to 30 minutes), and more for the sc.exe calls', () => {
    for (const action of ['stop-service', 'start-service'] as const) {
      const options = activityOptionsFor({ step: 's', title: 't', action, host: 'spoc-1', service: 'x', timeoutSeconds: 1800 }, host);
      expect(seconds(options.startToCloseTimeout)).toBeGreaterThan(1800 + 60);
      expect(options.heartbeatTimeout).toBe('10s');
    }
  });

  test('several services stopped or started one after the other get each its own timeout', () => {
    for (const action of ['stop-services', 'start-services'] as const) {
      const one = activityOptionsFor({ step: 's', title: 't', action, host: 'spoc-1', services: ['a'], timeoutSeconds: 600 }, host);
      const three = activityOptionsFor({ step: 's', title: 't', action, host: 'spoc-1', services: ['a', 'b', 'c'], timeoutSeconds: 600 }, host);
      expect(seconds(three.startToCloseTimeout)).toBeGreaterThan(3 * 600);
      expect(seconds(three.startToCloseTimeout)! - seconds(one.startToCloseTimeout)!).toBeGreaterThanOrEqual(2 * 600);
    }
  });

  test("a cache deletion may take the step's own time, 30 minutes when the step does not say, and heartbeats", () => {
    const large = activityOptionsFor({ step: 'd', title: 't', action: 'delete-cache', host: 'spoc-1', installDir: 'C:\\DP', timeoutSeconds: 5400 }, host);
    expect(seconds(large.startToCloseTimeout)).toBeGreaterThan(5400);
    expect(large.heartbeatTimeout).toBe('10s');
    const unsaid = activityOptionsFor({ step: 'd', title: 't', action: 'delete-cache', host: 'spoc-1', installDir: 'C:\\DP' }, host);
    expect(seconds(unsaid.startToCloseTimeout)).toBeGreaterThan(1800);
  });

  test('every SPOC host step has a heartbeat timeout: a dead agent is noticed within seconds, not at the end of the step', () => {
    const effects: Effect[] = [
      { step: 's', title: 't', action: 'query-services', host: 'spoc-1', services: ['a', 'b'] },
      { step: 's', title: 't', action: 'restart-os', host: 'spoc-1', delaySeconds: 5 },
      { step: 's', title: 't', action: 'await-service-running', host: 'spoc-1', service: 'x', timeoutSeconds: 120 },
    ];
    for (const effect of effects) expect(activityOptionsFor(effect, host).heartbeatTimeout).toBe('10s');
  });
});

describe("each action's own options, from its entry in the action registry", () => {
  /** Today's numbers, action by action, for the sample effects: a change here changes recorded histories' options. */
  const EXPECTED: Record<ActionWord, { attempt: string; heartbeat?: string; pickup: string | undefined; retry: [string, string, number] }> = {
    'check-management-server': { attempt: '2m', pickup: undefined, retry: ['1s', '20s', 3] },
    'check-no-load': { attempt: '2m', pickup: undefined, retry: ['1s', '20s', 3] },
    'check-spocs-online': { attempt: '2m', pickup: undefined, retry: ['1s', '20s', 3] },
    'await-spoc-online': { attempt: '720s', heartbeat: '30s', pickup: undefined, retry: ['1s', '20s', 5] },
    'preflight': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'query-services': { attempt: '240s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'survey-other-services': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'stop-service': { attempt: '600s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'stop-services': { attempt: '1140s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'start-service': { attempt: '720s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'start-services': { attempt: '2040s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'await-service-running': { attempt: '1020s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 5] },
    'await-lifecycle-online': { attempt: '1320s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 5] },
    'await-rescue-finished': { attempt: '1620s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 5] },
    'delete-cache': { attempt: '5520s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'restart-os': { attempt: '180s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'await-host-restarted': { attempt: '1020s', heartbeat: '10s', pickup: '900s', retry: ['1s', '20s', 10] },
    'watch-cluster': { attempt: '661s', heartbeat: '10s', pickup: undefined, retry: ['1s', '5s', 20] },
    'fence-member': { attempt: '30s', pickup: undefined, retry: ['200ms', '20s', 5] },
    'activate-member': { attempt: '30s', pickup: undefined, retry: ['200ms', '20s', 5] },
    'assign-pending-steps': { attempt: '30s', pickup: undefined, retry: ['200ms', '20s', 5] },
    'reassign-steps-of': { attempt: '30s', pickup: undefined, retry: ['200ms', '20s', 5] },
    'submit-order': { attempt: '30s', pickup: undefined, retry: ['200ms', '20s', 5] },
    'terminate-member': { attempt: '46s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'check-scheduler-member': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'stop-scheduler': { attempt: '360s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'start-scheduler': { attempt: '420s', heartbeat: '10s', pickup: '60s', retry: ['1s', '20s', 3] },
    'remove-scheduler-service': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'install-scheduler-service': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'set-cluster-options': { attempt: '2m', pickup: '60s', retry: ['1s', '20s', 3] },
    'discover-spooler-controllers': { attempt: '30s', heartbeat: '5s', pickup: '60s', retry: ['1s', '20s', 3] },
    'deliver-to-spooler-controller': { attempt: '30s', heartbeat: '5s', pickup: '60s', retry: ['1s', '20s', 3] },
    'deliver-through-public-server': { attempt: '30s', heartbeat: '5s', pickup: '60s', retry: ['1s', '20s', 3] },
    'await-job-release': { attempt: '360s', heartbeat: '10s', pickup: undefined, retry: ['1s', '5s', 20] },
  };
  const queueOf = (effect: Effect) => (placeOf(effect) === 'host' ? hostTaskQueue(hostOf(effect) ?? '') : CENTRAL_TASK_QUEUE);

  test.each(Object.keys(EXPECTED) as ActionWord[])('%s keeps its timeouts and retries', (action) => {
    const effect: Effect = SAMPLE_EFFECTS[action];
    const expected = EXPECTED[action];
    const options = activityOptionsFor(effect, queueOf(effect));
    expect(options).toEqual({
      taskQueue: queueOf(effect),
      startToCloseTimeout: expected.attempt,
      ...(expected.heartbeat ? { heartbeatTimeout: expected.heartbeat } : {}),
      ...(expected.pickup ? { scheduleToStartTimeout: expected.pickup } : {}),
      retry: { initialInterval: expected.retry[0], backoffCoefficient: 2, maximumInterval: expected.retry[1], maximumAttempts: expected.retry[2], nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] },
    });
  });

  test.each(Object.keys(ACTION_REGISTRY) as ActionWord[])("%s's options are what its registry entry says", (action) => {
    const effect: Effect = SAMPLE_EFFECTS[action];
    const limits = limitsOf(effect.action, effect);
    const options = activityOptionsFor(effect, queueOf(effect));
    expect(options.startToCloseTimeout).toBe(limits.attempt);
    expect(options.heartbeatTimeout).toBe(limits.heartbeat);
    expect(options.retry?.maximumAttempts).toBe(limits.retry?.maximumAttempts ?? 3);
    expect(Object.keys(EXPECTED)).toContain(action);
  });
});
