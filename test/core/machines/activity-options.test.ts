/**
 * Timeouts per step: a step on a host halts when its agent does not pick it up in time (the host
 * is gone); a central step waits for the central worker however long spoolflow was down.
 */
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import type { Effect } from '../../../machines/core/effects';
import { activityOptionsFor } from '../../../workflows/activity-options';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';

test('a host step has a pickup timeout; a central step has none', () => {
  const stop: Effect = { step: 's', title: 't', action: 'stop-service', host: 'spoc-1', service: 'x', timeoutSeconds: 30 };
  const check: Effect = { step: 'c', title: 't', action: 'check-management-server' };
  expect(activityOptionsFor(stop, hostTaskQueue('spoc-1'), 45).scheduleToStartTimeout).toBe('45s');
  expect(activityOptionsFor(check, CENTRAL_TASK_QUEUE, 45).scheduleToStartTimeout).toBeUndefined();
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
