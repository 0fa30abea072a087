/**
 * The fleet bench's figures of where the time went, without Temporal: how fast steps were
 * scheduled, how spread the first wave's starts were, and the CPU a process used.
 */
import { processCpuSeconds, stepRate, timedOutTasks, timeBreakdown } from '../../bench/fleet-figures';
import { spacedStartRounds } from '../../bench/spaced-start-rounds';
import type { RolloutStatus } from '../../workflows/fleet/rollout-messages';

describe('step rate', () => {
  it('gives the mean over the run and the busiest window', () => {
    // 10 steps in the first second, then one a second from 2 s to 11 s.
    const burst = Array.from({ length: 10 }, (_, i) => i * 100);
    const trickle = Array.from({ length: 10 }, (_, i) => 1000 + (i + 1) * 1000);
    const rate = stepRate([...trickle, ...burst], 2);
    expect(rate.meanPerSecond).toBeCloseTo(20 / 11, 5);
    // The busiest 2 s: from 0 to 2 s (both ends counted), the burst and the first of the trickle.
    expect(rate.busiestPerSecond).toBe(5.5);
  });

  it('is nothing for no steps', () => {
    expect(stepRate([], 10)).toEqual({ meanPerSecond: 0, busiestPerSecond: 0 });
  });
});

function statusOf(groups: { name: string; startedAt: number; endedAt: number }[], maxGroupsAtOnce: number): RolloutStatus {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    limits: { maxGroupsAtOnce, maxGroupsPerSite: maxGroupsAtOnce, failureBudget: 1 },
    perGroup: groups.map((g) => ({ name: g.name, site: 's', procedure: 'p', workflowId: `w-${g.name}`, state: 'done', haltedOnce: false, startedAt: iso(g.startedAt), endedAt: iso(g.endedAt) })),
  } as unknown as RolloutStatus;
}

describe('time breakdown', () => {
  it('tells how spread the first wave was, the lead-in, each group beyond its floor and the lag to the next start', () => {
    const status = statusOf(
      [
        { name: 'a', startedAt: 1_000, endedAt: 11_000 },
        { name: 'b', startedAt: 1_500, endedAt: 12_500 },
        { name: 'c', startedAt: 11_200, endedAt: 21_200 },
      ],
      2,
    );
    const b = timeBreakdown(status, () => 10, 0, 22_000);
    expect(b.leadInSeconds).toBe(1);
    expect(b.firstWaveSpreadSeconds).toBe(0.5);
    expect(b.groupOverheadSeconds).toEqual([0, 1, 0]);
    expect(b.startLagSeconds).toEqual([0.2]);
    expect(b.tailSeconds).toBeCloseTo(0.8, 5);
  });
});

describe('process CPU', () => {
  it('reads a live process from /proc, and says nothing of one that is not there', () => {
    const seconds = processCpuSeconds(process.pid);
    if (process.platform === 'linux') expect(seconds).toBeGreaterThan(0);
    expect(processCpuSeconds(undefined)).toBeUndefined();
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('spaced start rounds', () => {
  const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  const e = (eventType: number, ms: number) => ({ eventType, eventTime: at(ms) });
  // initiated 29, child started 31, task completed 7, timer started 17 / fired 18
  // task scheduled 5, started 6
  // activity scheduled 10 (the rollout's look, in the task that saw the child start)
  const look = { eventType: 10, eventTime: at(1_500), activityTaskScheduledEventAttributes: { activityType: { name: 'lookAtGroupProcedures' } } };
  const history = [e(7, 1_000), e(29, 1_000), e(31, 1_200), e(7, 1_500), look, e(17, 1_500), e(18, 2_000), e(5, 2_000), e(6, 2_250), e(7, 2_300), e(29, 2_300), e(31, 2_350), e(7, 2_400), e(17, 2_400)];

  test('splits each start-to-start round into the child start, the task that saw it, the timer and the task the timer woke, naming the activities in it', () => {
    expect(spacedStartRounds(history)).toEqual([{ atMs: 1_000, roundMs: 1_300, childStartMs: 200, confirmationTaskMs: 300, timerMs: 500, timerTaskMs: 300, timerTaskWaitMs: 250, activities: ['lookAtGroupProcedures'] }]);
  });

  test('leaves out starts made in one task, with no timer between them', () => {
    expect(spacedStartRounds([e(7, 1_000), e(29, 1_000), e(29, 1_000), e(31, 1_100), e(31, 1_100)])).toEqual([]);
  });
});

describe('timed-out workflow tasks', () => {
  const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  it('names each with its workflow, its timeout and how long it had waited', () => {
    const events = [
      { eventId: 1, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', eventTime: at(1_000) },
      { eventId: 2, eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', eventTime: at(1_000) },
      { eventId: 3, eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', eventTime: at(6_250), workflowTaskTimedOutEventAttributes: { scheduledEventId: 2, timeoutType: 2 } },
      { eventId: 4, eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', eventTime: at(6_250) },
      { eventId: 5, eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', eventTime: at(6_300) },
      { eventId: 6, eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', eventTime: at(16_300), workflowTaskTimedOutEventAttributes: { scheduledEventId: 4, timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } },
    ];
    expect(timedOutTasks('restart-g1', events)).toEqual([
      { workflowId: 'restart-g1', atMs: 6_250, timeout: 'SCHEDULE_TO_START', waitedMs: 5_250 },
      { workflowId: 'restart-g1', atMs: 16_300, timeout: 'START_TO_CLOSE', waitedMs: 10_050 },
    ]);
  });

  it('is none for a history without one', () => {
    expect(timedOutTasks('w', [{ eventId: 1, eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', eventTime: at(0) }])).toEqual([]);
  });
});
