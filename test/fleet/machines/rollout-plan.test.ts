/**
 * The fleet rollout's scheduling decision, case by case: the limits, the failure budget, the
 * maintenance window and the operator's pause, each on its own.
 */
import { applyDecision, decideRollout, RolloutGroup, RolloutLimits, rolloutFinished, tallyRollout } from '../../../machines/fleet/rollout-plan';

const group = (name: string, site: string, state: RolloutGroup['state'] = 'waiting', extra: Partial<RolloutGroup> = {}): RolloutGroup => ({ name, site, state, ...extra });
const limits = (over: Partial<RolloutLimits> = {}): RolloutLimits => ({ maxGroupsAtOnce: 2, maxGroupsPerSite: 2, failureBudget: 2, ...over });
const NOW = Date.parse('2026-12-05T22:00:00Z');
const open = { now: NOW, paused: false };

test('starts at most N groups at a time, in the order of the input', () => {
  const groups = [group('a', 's1'), group('b', 's2'), group('c', 's3')];
  expect(decideRollout(groups, limits(), open).start).toEqual(['a', 'b']);
});

test('counts running and halted groups against N', () => {
  const groups = [group('a', 's1', 'running'), group('b', 's2', 'halted'), group('c', 's3')];
  const decision = decideRollout(groups, limits({ failureBudget: 5 }), open);
  expect(decision.start).toEqual([]);
  expect(decision.holding).toMatch(/at the limits: 2 group\(s\) at a time, 2 per site/);
});

test('starts at most M groups of one site, passing over that site to the next one', () => {
  const groups = [group('a', 'prague', 'running'), group('b', 'prague'), group('c', 'london')];
  expect(decideRollout(groups, limits({ maxGroupsAtOnce: 3, maxGroupsPerSite: 1 }), open).start).toEqual(['c']);
});

test('starts nothing once K groups halted or failed, and says the waiting ones will not start and why', () => {
  const groups = [group('a', 's1', 'failed'), group('b', 's2', 'done', { haltedOnce: true }), group('c', 's3'), group('d', 's4', 'running')];
  const decision = decideRollout(groups, limits({ maxGroupsAtOnce: 5 }), open);
  expect(decision.start).toEqual([]);
  expect(decision.notStarted).toEqual([{ name: 'c', reason: 'the failure budget is spent: 2 group(s) halted or failed (failureBudget 2)' }]);
});

test('a group that halted once still counts after the operator got it going again', () => {
  const groups = [group('a', 's1', 'running', { haltedOnce: true }), group('b', 's2')];
  expect(decideRollout(groups, limits({ failureBudget: 1 }), open).notStarted.map((n) => n.name)).toEqual(['b']);
});

test('starts nothing before the window opens and wakes when it does', () => {
  const window = { start: NOW + 60_000, end: NOW + 3_600_000 };
  const decision = decideRollout([group('a', 's1')], limits(), { ...open, window });
  expect(decision).toEqual({ start: [], notStarted: [], holding: 'the maintenance window opens at 2026-12-05T22:01:00.000Z', wakeAt: window.start });
});

test('inside the window, starts groups and wakes at its end', () => {
  const window = { start: NOW - 1, end: NOW + 3_600_000 };
  expect(decideRollout([group('a', 's1')], limits(), { ...open, window })).toEqual({ start: ['a'], notStarted: [], wakeAt: window.end });
});

test('from the end of the window on, no group starts: the waiting ones are reported not started', () => {
  const window = { start: NOW - 3_600_000, end: NOW };
  const decision = decideRollout([group('a', 's1', 'running'), group('b', 's2')], limits(), { ...open, window });
  expect(decision.start).toEqual([]);
  expect(decision.notStarted).toEqual([{ name: 'b', reason: 'the maintenance window ended at 2026-12-05T22:00:00.000Z' }]);
});

test('paused: nothing starts and nothing is given up; resumed: they start', () => {
  const groups = [group('a', 's1')];
  expect(decideRollout(groups, limits(), { ...open, paused: true })).toEqual({ start: [], notStarted: [], holding: 'paused by an operator' });
  expect(decideRollout(groups, limits(), open).start).toEqual(['a']);
});

test('applying a decision runs the started groups and gives up the others with their reason', () => {
  const groups = [group('a', 's1'), group('b', 's2')];
  const after = applyDecision(groups, { start: ['a'], notStarted: [{ name: 'b', reason: 'why' }] });
  expect(after).toEqual([group('a', 's1', 'running'), group('b', 's2', 'not-started', { reason: 'why' })]);
  expect(rolloutFinished(after)).toBe(false);
  expect(rolloutFinished([{ ...after[0]!, state: 'done' }, after[1]!])).toBe(true);
});

test('the tally says how many groups are in each state, and which', () => {
  const tally = tallyRollout([group('a', 's1', 'done'), group('b', 's1', 'running'), group('c', 's2', 'halted'), group('d', 's2')]);
  expect(tally.counts).toEqual({ done: 1, running: 1, halted: 1, waiting: 1, failed: 0, 'not-started': 0 });
  expect(tally.groups.halted).toEqual(['c']);
});

describe('with secondsBetweenStarts, starts are spaced', () => {
  const spaced = limits({ maxGroupsAtOnce: 3, secondsBetweenStarts: 5 });
  const groups = [group('a', 's1'), group('b', 's2'), group('c', 's3')];

  test('the first group starts at once, and the decision wakes when the next is due', () => {
    const decision = decideRollout(groups, spaced, open);
    expect(decision.start).toEqual(['a']);
    expect(decision.wakeAt).toBe(NOW + 5000);
    expect(decision.holding).toMatch(/starts are 5 s apart: the next at 2026-12-05T22:00:05/);
  });

  test('no group starts before the spacing has passed since the last start, though places are free', () => {
    const after = applyDecision(groups, decideRollout(groups, spaced, open));
    const early = decideRollout(after, spaced, { ...open, now: NOW + 4999, lastStartAt: NOW });
    expect(early.start).toEqual([]);
    expect(early.wakeAt).toBe(NOW + 5000);
    expect(decideRollout(after, spaced, { ...open, now: NOW + 5000, lastStartAt: NOW }).start).toEqual(['b']);
  });

  test('a spacing that is no whole number of milliseconds in floating point (16.1 s) is due exactly 16,100 ms after the last start', () => {
    const spacedOdd = limits({ maxGroupsAtOnce: 3, secondsBetweenStarts: 16.1 });
    const after = applyDecision(groups, decideRollout(groups, spacedOdd, open));
    // Near the epoch, where floating point still tells 16100 from 16100.000000000002 (the bench's floor counts from 0).
    const due = decideRollout(after, spacedOdd, { ...open, now: 16_100, lastStartAt: 0 });
    expect(due.start).toEqual(['b']);
    expect(due.wakeAt).toBe(32_200);
  });

  test('while the spacing timer of the last start runs, no group starts though the clock says it is due, and it sets no second timer', () => {
    const after = applyDecision(groups, decideRollout(groups, spaced, open));
    const timerRuns = decideRollout(after, spaced, { ...open, now: NOW + 5200, lastStartAt: NOW, spacingTimerRuns: true });
    expect(timerRuns.start).toEqual([]);
    expect(timerRuns.wakeAt).toBeUndefined();
    expect(timerRuns.holding).toMatch(/starts are 5 s apart: the next at 2026-12-05T22:00:05/);
    expect(decideRollout(after, spaced, { ...open, now: NOW + 5200, lastStartAt: NOW, spacingTimerRuns: false }).start).toEqual(['b']);
  });

  test('while the spacing timer runs, the window still wakes it', () => {
    const window = { start: NOW - 1000, end: NOW + 3000 };
    const after = applyDecision(groups, decideRollout(groups, spaced, { ...open, window }));
    expect(decideRollout(after, spaced, { ...open, window, now: NOW + 100, lastStartAt: NOW, spacingTimerRuns: true }).wakeAt).toBe(NOW + 3000);
  });

  test('at the limits it does not wake for the spacing: a group ending wakes it', () => {
    const full = [group('a', 's1', 'running'), group('b', 's2', 'running'), group('c', 's3', 'running'), group('d', 's4')];
    const decision = decideRollout(full, spaced, { ...open, lastStartAt: NOW - 60_000 });
    expect(decision.start).toEqual([]);
    expect(decision.wakeAt).toBeUndefined();
  });

  test('the window still ends the rollout: no spaced start after its end, and it wakes at whichever comes first', () => {
    const window = { start: NOW - 1000, end: NOW + 3000 };
    expect(decideRollout(groups, spaced, { ...open, window }).wakeAt).toBe(NOW + 3000);
    expect(decideRollout(groups, spaced, { ...open, window, now: NOW + 3000, lastStartAt: NOW }).notStarted.map((n) => n.name)).toEqual(['a', 'b', 'c']);
  });
});
