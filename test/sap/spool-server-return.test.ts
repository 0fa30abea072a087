/**
 * A spool server back in service after its shutdown (machines/sap/spool-server-return.ts): refused
 * without a shutdown and while a round of the move runs (or the move takes the slot for one); once
 * requests left for the target (a round gave some, or failed partway, or a fixed target carried
 * over from before that was kept), only with the operator's `movedRequestsChecked`, which the
 * refusal names with the risk; otherwise taken, holding or shut down. The input names the field
 * and the rule.
 */
import { endedShutdown, returnToServiceInputSchema, returnToServiceRefusalOf } from '../../machines/sap/spool-server-return';
import { movedTaskRefusal, type SpoolServerShutdown } from '../../machines/sap/spool-shutdown';
import { describeIssues } from '../../machines/core/input-errors';

const holding = (more: Partial<SpoolServerShutdown> = {}): SpoolServerShutdown => ({ phase: 'holding', reassignTo: 'spool2', askedAt: '2026-12-07T10:00:00.000Z', reassigned: 0, notReassigned: [], ...more });
const partial = holding({ targetFixed: true, partlyGiven: true, lastFailure: 'activity timed out' });
const shutDown = (reassigned: number) => holding({ phase: 'shut-down', reassigned, targetFixed: reassigned > 0 ? true : undefined, partlyGiven: false, shutDownAt: '2026-12-07T10:01:00.000Z' });

test('without a shutdown, or while a round of the move runs or is about to, the server cannot come back', () => {
  expect(returnToServiceRefusalOf('spool1', null, {})).toBe('spool server spool1 is in service: it has no shutdown to end');
  expect(returnToServiceRefusalOf('spool1', holding(), {}, true)).toBe('the requests of spool1 are being given to spool2 now: ask again once this round of the move has ended');
  expect(returnToServiceRefusalOf('spool1', holding(), { movedRequestsChecked: true }, true)).toMatch(/being given to spool2 now/);
});

test('no request left for the target (holding for a target that took none, or shut down with nothing to move): it comes back without more ado', () => {
  expect(returnToServiceRefusalOf('spool1', holding({ lastFailure: 'no dispatcher runs for spool server spool2' }), {})).toBeNull();
  expect(returnToServiceRefusalOf('spool1', shutDown(0), {})).toBeNull();
  // A whole round with nothing to give fixed the target, yet moved nothing.
  expect(returnToServiceRefusalOf('spool1', { ...shutDown(0), targetFixed: true, partlyGiven: false }, {})).toBeNull();
});

test('requests that may be on the target and kept here too: refused naming movedRequestsChecked and the double print, until the operator says it', () => {
  const refusal = returnToServiceRefusalOf('spool1', partial, { operator: 'ann' });
  expect(refusal).toMatch(/^movedRequestsChecked: requests of spool1 may be on spool2 already \(activity timed out\)/);
  expect(refusal).toContain('would print there too');
  expect(returnToServiceRefusalOf('spool1', partial, { movedRequestsChecked: true })).toBeNull();
  // Carried over from before `partlyGiven` was kept, a fixed target counts as partly given.
  expect(returnToServiceRefusalOf('spool1', holding({ targetFixed: true }), {})).toMatch(/^movedRequestsChecked: requests of spool1 may be on spool2/);
});

test('requests moved in whole rounds (holding for later ones, or shut down): refused naming movedRequestsChecked and the sequence order, until the operator says it', () => {
  for (const shutdown of [holding({ targetFixed: true, partlyGiven: false, reassigned: 4 }), shutDown(4)]) {
    expect(returnToServiceRefusalOf('spool1', shutdown, {})).toBe(
      'movedRequestsChecked: 4 requests of spool1 went to spool2; back in service spool1 prints what it kept and takes new tasks, and a set-sequence device\'s request printed here could come before its earlier ones still waiting on spool2: look there first (sap status), then ask again with movedRequestsChecked: true',
    );
    expect(returnToServiceRefusalOf('spool1', shutdown, { movedRequestsChecked: true })).toBeNull();
  }
});

test('a request that moved, given to its old server again, is refused naming where it went', () => {
  expect(movedTaskRefusal('spool1', 'r-7', 'spool2')).toBe('r-7 went to spool2 when spool server spool1 was shut down: it is held or printed there; give it to spool2');
});

test('the input names the field and the rule', () => {
  const issues = (raw: unknown) => {
    const parsed = returnToServiceInputSchema.safeParse(raw);
    return parsed.success ? null : describeIssues(parsed.error.issues);
  };
  expect(issues({})).toBeNull();
  expect(issues({ operator: 'ann', reason: 'spool2 is gone', movedRequestsChecked: true })).toBeNull();
  expect(issues({ movedRequestsChecked: false })).toMatch(/movedRequestsChecked: must be true when given/);
  expect(issues({ operator: '  ' })).toMatch(/operator: must not be blank/);
  expect(issues({ reassignTo: 'spool2' })).toMatch(/reassignTo/);
});

test('the ended shutdown keeps what it was, and who ended it, when and why', () => {
  expect(endedShutdown(partial, { operator: 'ann', reason: 'spool2 is gone', movedRequestsChecked: true }, '2026-12-07T11:00:00.000Z')).toEqual({ ...partial, returnedAt: '2026-12-07T11:00:00.000Z', returnedBy: 'ann', returnReason: 'spool2 is gone' });
  expect(endedShutdown(holding(), {}, '2026-12-07T11:00:00.000Z')).toEqual({ ...holding(), returnedAt: '2026-12-07T11:00:00.000Z' });
});
