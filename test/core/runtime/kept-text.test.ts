/**
 * Text a long-running procedure keeps has a bound: a halt's reason (from a failure's message, which
 * can be a tool's whole output) and each event of a supervisor's log, cut with how much was cut, so
 * what a run hands to the next and what `status` answers stays small however long the text was.
 */
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { cutAt } from '../../../machines/core/cut-text';
import { EVENT_MAX_CHARS, EVENTS_KEPT, logged } from '../../../machines/jobscheduler/supervisor-steps';
import { describeFailure, REASON_MAX_CHARS } from '../../../workflows/runtime/effect-failure';

test('a text within the bound is kept whole; a longer one is cut to the bound and says how much was cut', () => {
  expect(cutAt('stopped', 10)).toBe('stopped');
  expect(cutAt('x'.repeat(10), 10)).toBe('x'.repeat(10));
  const cut = cutAt('y'.repeat(1000), 100);
  expect(cut).toHaveLength(100);
  expect(cut).toMatch(/^y+… \(\d+ more characters\)$/);
  expect(cut.endsWith(`(${1000 - 100} more characters)`)).toBe(true);
});

test("a halt's reason from a failure with a huge message is cut to REASON_MAX_CHARS; the error type stays", () => {
  const output = 'sc.exe: [SC] ControlService FAILED 1061\n'.repeat(1000);
  const failure = new ActivityFailure('activity failed', 'stopService', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, undefined, ApplicationFailure.nonRetryable(output, 'ServiceControlError'));
  const { reason, errorType } = describeFailure(failure, { step: 'stop', title: 'Stop SPOC on spoc-1', action: 'check-management-server' } as never);
  expect(reason).toHaveLength(REASON_MAX_CHARS);
  expect(reason.startsWith('sc.exe: [SC] ControlService FAILED 1061')).toBe(true);
  expect(reason).toMatch(/more characters\)$/);
  expect(errorType).toBe('ServiceControlError');
});

test("a supervisor's log keeps its latest events, each cut at EVENT_MAX_CHARS", () => {
  let c = { halt: null, events: [] as { at: string; what: string }[], lastObservedAt: '2026-12-07T00:00:00.000Z' };
  for (let i = 0; i < EVENTS_KEPT + 5; i++) c = { ...c, events: logged(c, `steps of js-${i} moved: ${'order#step → js-2 (attempt 1), '.repeat(100)}`) };
  expect(c.events).toHaveLength(EVENTS_KEPT);
  expect(c.events[0]!.what.startsWith('steps of js-5 moved')).toBe(true);
  expect(Math.max(...c.events.map((e) => e.what.length))).toBe(EVENT_MAX_CHARS);
});
