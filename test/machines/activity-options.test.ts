/**
 * Timeouts per step: a step on a host halts when its agent does not pick it up in time (the host
 * is gone); a central step waits for the central worker however long spoolflow was down.
 */
import type { Effect } from '../../machines/effects';
import { activityOptionsFor } from '../../workflows/activity-options';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../workflows/task-queues';

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
