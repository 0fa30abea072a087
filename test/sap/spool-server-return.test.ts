/**
 * A spool server back in service after its shutdown (machines/sap/spool-server-return.ts): refused
 * without a shutdown and while a round of the move runs; where requests may be on the target
 * already (a round failed partway, or a fixed target carried over from before that was kept), only
 * with the operator's `mayPrintTwice`, which the refusal names; otherwise taken, holding or shut
 * down. The input names the field and the rule.
 */
import { endedShutdown, returnToServiceInputSchema, returnToServiceRefusalOf } from '../../machines/sap/spool-server-return';
import type { SpoolServerShutdown } from '../../machines/sap/spool-shutdown';
import { describeIssues } from '../../machines/core/input-errors';

const holding = (more: Partial<SpoolServerShutdown> = {}): SpoolServerShutdown => ({ phase: 'holding', reassignTo: 'spool2', askedAt: '2026-12-07T10:00:00.000Z', reassigned: 0, notReassigned: [], ...more });
const partial = holding({ targetFixed: true, partlyGiven: true, lastFailure: 'activity timed out' });

test('without a shutdown, or while a round of the move runs, the server cannot come back', () => {
  expect(returnToServiceRefusalOf('spool1', null, {})).toBe('spool server spool1 is in service: it has no shutdown to end');
  expect(returnToServiceRefusalOf('spool1', holding(), {}, true)).toBe('the requests of spool1 are being given to spool2 now: ask again once this round of the move has ended');
});

test('holding with nothing given, after whole rounds, or shut down: it comes back without more ado', () => {
  expect(returnToServiceRefusalOf('spool1', holding({ lastFailure: 'no dispatcher runs for spool server spool2' }), {})).toBeNull();
  expect(returnToServiceRefusalOf('spool1', holding({ targetFixed: true, partlyGiven: false, reassigned: 4 }), {})).toBeNull();
  expect(returnToServiceRefusalOf('spool1', holding({ phase: 'shut-down', targetFixed: true, partlyGiven: true, shutDownAt: '2026-12-07T10:01:00.000Z' }), {})).toBeNull();
});

test('requests that may be on the target already: refused naming mayPrintTwice and why, until the operator says it', () => {
  const refusal = returnToServiceRefusalOf('spool1', partial, { operator: 'ann' });
  expect(refusal).toMatch(/^mayPrintTwice: requests of spool1 may be on spool2 already \(activity timed out\)/);
  expect(refusal).toContain('would print there too');
  expect(returnToServiceRefusalOf('spool1', partial, { mayPrintTwice: true })).toBeNull();
  // Carried over from before `partlyGiven` was kept, a fixed target counts as partly given.
  expect(returnToServiceRefusalOf('spool1', holding({ targetFixed: true }), {})).toMatch(/^mayPrintTwice: /);
});

test('the input names the field and the rule', () => {
  const issues = (raw: unknown) => {
    const parsed = returnToServiceInputSchema.safeParse(raw);
    return parsed.success ? null : describeIssues(parsed.error.issues);
  };
  expect(issues({})).toBeNull();
  expect(issues({ operator: 'ann', reason: 'spool2 is gone', mayPrintTwice: true })).toBeNull();
  expect(issues({ mayPrintTwice: false })).toMatch(/mayPrintTwice: must be true when given/);
  expect(issues({ operator: '  ' })).toMatch(/operator: must not be blank/);
  expect(issues({ reassignTo: 'spool2' })).toMatch(/reassignTo/);
});

test('the ended shutdown keeps what it was, and who ended it, when and why', () => {
  expect(endedShutdown(partial, { operator: 'ann', reason: 'spool2 is gone', mayPrintTwice: true }, '2026-12-07T11:00:00.000Z')).toEqual({ ...partial, returnedAt: '2026-12-07T11:00:00.000Z', returnedBy: 'ann', returnReason: 'spool2 is gone' });
  expect(endedShutdown(holding(), {}, '2026-12-07T11:00:00.000Z')).toEqual({ ...holding(), returnedAt: '2026-12-07T11:00:00.000Z' });
});
