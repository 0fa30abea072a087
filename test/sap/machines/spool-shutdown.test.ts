/**
 * The rules of a spool server's shutdown, without Temporal: which shutdowns are refused, that the
 * server starts nothing new once it shuts down, when its requests may move and in which order,
 * and what a task given to a server shut down is told.
 */
import { createSpoolServer, finish, submit, type SpoolServerState } from '../../../machines/sap/spool-dispatcher';
import { afterFailedRound, afterRound, emptiedForShutdown, followTargetsRequests, forwardInDetails, managementNotRun, mayReassignNow, requestsToReassign, shutDownAsked, shutDownInputSchema, shutDownRefusalOf, shutDownSubmitRefusalOf, targetRefusalDetails } from '../../../machines/sap/spool-shutdown';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';

const out = (id: string, device: string, sequence: boolean): SpoolTask => ({ kind: 'output', id, device, sequence, frontend: false });
const free = { globalManagementElsewhere: false };
const shuttingDown = { globalManagementElsewhere: false, shuttingDown: true };

/** Two work processes: wp 0 reserved for lp01 printing s-0 with s-1 and s-2 queued, wp 1 printing p-0; p-1 and a demand waiting. */
function busyServer(): SpoolServerState {
  let state = createSpoolServer({ server: 'spool1', step: '4.6A-and-later', workProcesses: 2 });
  for (const task of [out('s-0', 'lp01', true), out('p-0', 'lp10', false), out('s-1', 'lp01', true), out('p-1', 'lp10', false), out('s-2', 'lp01', true), { kind: 'management', id: 'demand-1', task: 'host-spool-demand' } as SpoolTask]) {
    state = submit(state, task, free).state;
  }
  return state;
}

/** The shutdown a move goes on with after its target's refusal, or null when it does not follow. */
const followedShutdown = (...args: Parameters<typeof followTargetsRequests>) => {
  const decided = followTargetsRequests(...args);
  return 'follows' in decided ? decided.follows : null;
};
/** Why it does not follow, or null when it does. */
const notFollowedReason = (...args: Parameters<typeof followTargetsRequests>) => {
  const decided = followTargetsRequests(...args);
  return 'notFollowed' in decided ? decided.notFollowed : null;
};

test('the requests to move are the input queues, then the dispatch queue, a device keeping its order; waiting management tasks are not moved', () => {
  const state = busyServer();
  expect(state.workProcesses.map((wp) => wp.running?.id)).toEqual(['s-0', 'p-0']);
  expect(requestsToReassign(state).map((t) => t.id)).toEqual(['s-1', 's-2', 'p-1']);
  expect(managementNotRun(state).map((t) => t.id)).toEqual(['demand-1']);
});

test('they may move only once no request of a set-sequence device is printing here', () => {
  const state = busyServer();
  expect(mayReassignNow(state)).toBe(false);
  // Shutting down, s-0's end starts nothing: wp 0 does not go on with s-1.
  const afterS0 = finish(state, 0, 's-0', shuttingDown);
  expect(afterS0.dispatches).toEqual([]);
  expect(afterS0.state.workProcesses[0]).toMatchObject({ running: null, reservedFor: 'lp01' });
  expect(mayReassignNow(afterS0.state)).toBe(true);
  // Without the shutdown it would have.
  expect(finish(state, 0, 's-0', free).dispatches).toContainEqual(expect.objectContaining({ kind: 'start', workProcess: 0, task: expect.objectContaining({ id: 's-1' }) }));
});

test('a server shutting down takes tasks in but starts none; emptied, it keeps what runs and drops idle reservations', () => {
  const state = finish(busyServer(), 0, 's-0', shuttingDown).state;
  const more = submit(state, out('p-2', 'lp10', false), shuttingDown);
  expect(more.dispatches).toEqual([]);
  expect(more.state.waiting.map((t) => t.id)).toContain('p-2');
  const emptied = emptiedForShutdown(more.state);
  expect(emptied.waiting).toEqual([]);
  expect(emptied.workProcesses).toEqual([
    { number: 0, running: null, reservedFor: null, inputQueue: [] },
    { number: 1, running: expect.objectContaining({ id: 'p-0' }), reservedFor: null, inputQueue: [] },
  ]);
});

test('a shutdown naming the server itself, on a release before 4.0A, or another target once moved is refused naming the field; the same again is the same shutdown', () => {
  const state = busyServer();
  expect(shutDownRefusalOf(state, null, { reassignTo: 'spool1' })).toMatch(/^reassignTo: spool1 is the server shutting down/);
  const old = createSpoolServer({ server: 'old1', step: 'before-4.0A', workProcesses: 2 });
  expect(shutDownRefusalOf(old, null, { reassignTo: 'spool2' })).toMatch(/^reassignTo: .*as of 4\.0A/);
  const asked = shutDownAsked(null, { reassignTo: 'spool2', operator: 'alice' }, '2026-12-07T12:00:00.000Z');
  expect(asked).toEqual({ phase: 'holding', reassignTo: 'spool2', askedAt: '2026-12-07T12:00:00.000Z', operator: 'alice', reassigned: 0, notReassigned: [] });
  expect(shutDownRefusalOf(state, asked, { reassignTo: 'spool3' })).toBeNull();
  // Retargeted: who asked first and why stay the shutdown's; who changed the target, when and why is kept beside.
  const retargeted = shutDownAsked(asked, { reassignTo: 'spool3', operator: 'bob', reason: 'spool2 is down for good' }, 'later');
  expect(retargeted).toMatchObject({ phase: 'holding', reassignTo: 'spool3', askedAt: '2026-12-07T12:00:00.000Z', operator: 'alice', retargets: [{ to: 'spool3', at: 'later', operator: 'bob', reason: 'spool2 is down for good' }] });
  expect(shutDownAsked(retargeted, { reassignTo: 'spool4' }, 'later still').retargets).toEqual([{ to: 'spool3', at: 'later', operator: 'bob', reason: 'spool2 is down for good' }, { to: 'spool4', at: 'later still' }]);
  const done = { ...asked, phase: 'shut-down' as const, shutDownAt: '2026-12-07T12:01:00.000Z' };
  expect(shutDownRefusalOf(state, done, { reassignTo: 'spool3' })).toBe('reassignTo: spool server spool1 is shut down already, its requests went to spool2');
  expect(shutDownRefusalOf(state, done, { reassignTo: 'spool2' })).toBeNull();
  expect(shutDownAsked(done, { reassignTo: 'spool2' }, 'later')).toBe(done);
  expect(shutDownInputSchema.safeParse({ reassignTo: 'spool2', extra: 1 }).success).toBe(false);
});

test('the target cannot change while a move runs, nor after one that may have given requests; after a move refused before giving any it can', () => {
  const state = busyServer();
  const asked = shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z');
  expect(shutDownRefusalOf(state, asked, { reassignTo: 'spool3' }, true)).toMatch(/^reassignTo: the requests of spool1 are being given to spool2 now/);
  expect(shutDownRefusalOf(state, asked, { reassignTo: 'spool2' }, true)).toBeNull();
  const partly = { ...asked, targetFixed: true, lastFailure: 'the worker of spool2 did not answer' };
  expect(shutDownRefusalOf(state, partly, { reassignTo: 'spool3' })).toBe(
    'reassignTo: requests of spool1 may have gone to spool2 already (the worker of spool2 did not answer); the target stays spool2, or they would print twice',
  );
  expect(shutDownRefusalOf(state, { ...asked, lastFailure: 'no dispatcher runs for spool server spool2' }, { reassignTo: 'spool3' })).toBeNull();
});

test('a task given to a server shut down is told where its requests went; one shutting down still takes it', () => {
  const asked = shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z');
  expect(shutDownSubmitRefusalOf('spool1', null)).toBeNull();
  expect(shutDownSubmitRefusalOf('spool1', asked)).toBeNull();
  // While a round of the move runs: refused for now, naming no target (a task given there could overtake one on its way).
  expect(shutDownSubmitRefusalOf('spool1', asked, true)).toBe('spool server spool1 is shutting down and its output requests are being moved now: give the task again in a few seconds');
  expect(shutDownSubmitRefusalOf('spool1', { ...asked, phase: 'shut-down', shutDownAt: '2026-12-07T12:01:00.000Z' })).toBe(
    'spool server spool1 is shut down (since 2026-12-07T12:01:00.000Z); its output requests went to spool2: give the task to spool2',
  );
});

test('a move whose target is shut down itself follows its requests to where they went, keeping what was fixed and held back; never back here, to a server tried, or without a forward', () => {
  const asked = { ...shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z'), targetFixed: true, partlyGiven: false, heldBack: { lp01: 'a-3' } };
  const refusal = { reason: 'spool server spool2 is shut down itself', forwardedTo: 'spool3' };
  expect(followedShutdown(asked, 'spool1', refusal, new Set(['spool2']))).toEqual({
    ...asked,
    reassignTo: 'spool3',
    followedFrom: ['spool2'],
    lastFailure: 'spool server spool2 is shut down itself; its requests went to spool3: following them there',
  });
  const twice = followedShutdown({ ...asked, reassignTo: 'spool3', followedFrom: ['spool2'] }, 'spool1', { reason: 'spool server spool3 is shut down itself', forwardedTo: 'spool4' }, new Set(['spool2', 'spool3']));
  expect(twice).toMatchObject({ reassignTo: 'spool4', followedFrom: ['spool2', 'spool3'], targetFixed: true, heldBack: { lp01: 'a-3' } });
  expect(followedShutdown(asked, 'spool1', { ...refusal, forwardedTo: 'spool1' }, new Set(['spool2']))).toBeNull();
  expect(followedShutdown(asked, 'spool1', refusal, new Set(['spool2', 'spool3']))).toBeNull();
  expect(followedShutdown(asked, 'spool1', { reason: 'spool server spool2 is shutting down itself: name another spool server of prd' }, new Set(['spool2']))).toBeNull();
});

test("a target refusal's details carry where the target's requests went, and nothing else is read as a forward", () => {
  expect(forwardInDetails(targetRefusalDetails('spool3'))).toBe('spool3');
  expect(forwardInDetails(targetRefusalDetails(undefined))).toBeUndefined();
  for (const details of [undefined, null, [], ['spool3'], [{ forwardedTo: 3 }], [null]]) expect(forwardInDetails(details as unknown[] | null | undefined)).toBeUndefined();
});

test('after a round that failed partway the move does not follow a shut-down target (a request given there may have printed); a whole round after it clears that', () => {
  const asked = shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z');
  const partway = afterFailedRound(asked, 'the worker of spool2 did not answer', false);
  expect(partway).toMatchObject({ targetFixed: true, partlyGiven: true });
  const refusal = { reason: 'spool server spool2 is shut down itself', forwardedTo: 'spool3' };
  expect(followedShutdown(partway, 'spool1', refusal, new Set(['spool2']))).toBeNull();
  expect(afterFailedRound(asked, 'no dispatcher runs for spool server spool2', true)).not.toHaveProperty('partlyGiven');
  const whole = afterRound(partway, { reassigned: ['a-1'], refused: [] });
  expect(whole).toMatchObject({ partlyGiven: false });
  expect(followedShutdown(whole, 'spool1', refusal, new Set(['spool2']))).toMatchObject({ reassignTo: 'spool3', targetFixed: true });
  // A shutdown carried over from a run before partlyGiven was kept: its fixed target may hold requests given partway.
  const carried = { ...asked, targetFixed: true, lastFailure: 'the worker of spool2 did not answer' };
  expect(followedShutdown(carried, 'spool1', refusal, new Set(['spool2']))).toBeNull();
});

test('asked again naming the target it followed on from, a shutdown is the same shutdown: not refused, not pointed back', () => {
  const state = busyServer();
  const followed = { ...shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z'), reassignTo: 'spool3', followedFrom: ['spool2'] };
  expect(shutDownRefusalOf(state, followed, { reassignTo: 'spool2' })).toBeNull();
  expect(shutDownAsked(followed, { reassignTo: 'spool2' }, 'later')).toBe(followed);
  const done = { ...followed, phase: 'shut-down' as const, shutDownAt: '2026-12-07T12:01:00.000Z' };
  expect(shutDownRefusalOf(state, done, { reassignTo: 'spool2' })).toBeNull();
  expect(shutDownRefusalOf(state, done, { reassignTo: 'spool4' })).toBe('reassignTo: spool server spool1 is shut down already, its requests went to spool3');
});

test('a new target the operator names while holding drops what the move followed before', () => {
  const followed = { ...shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z'), reassignTo: 'spool3', followedFrom: ['spool2'] };
  const renamed = shutDownAsked(followed, { reassignTo: 'spool4' }, 'later');
  expect(renamed).toMatchObject({ reassignTo: 'spool4', askedAt: '2026-12-07T12:00:00.000Z' });
  expect(renamed).not.toHaveProperty('followedFrom');
});

test('a forward not followed says why in the shutdown: back here, tried already, or requests perhaps given partway', () => {
  const asked = shutDownAsked(null, { reassignTo: 'spool2' }, '2026-12-07T12:00:00.000Z');
  const refusal = { reason: 'spool server spool2 is shut down itself', forwardedTo: 'spool3' };
  expect(notFollowedReason(asked, 'spool3', refusal, new Set(['spool2']))).toBe('spool server spool2 is shut down itself; its requests came here: name another spool server of the system');
  expect(notFollowedReason(asked, 'spool1', refusal, new Set(['spool2', 'spool3']))).toBe('spool server spool2 is shut down itself; its requests went to spool3, which this move has tried already');
  expect(notFollowedReason(afterFailedRound(asked, 'timed out', false), 'spool1', refusal, new Set(['spool2']))).toMatch(/^spool server spool2 is shut down itself; its requests went to spool3, but requests of spool1 may be on spool2 already \(a round failed partway\)/);
  expect(notFollowedReason(asked, 'spool1', { reason: 'no dispatcher runs' }, new Set(['spool2']))).toBe('no dispatcher runs');
  // A forward it follows has no reason not to.
  expect(notFollowedReason(asked, 'spool1', refusal, new Set(['spool2']))).toBeNull();
});
