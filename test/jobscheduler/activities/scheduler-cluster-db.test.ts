/**
 * The cluster database on its own, without member processes: fencing refuses writes of a member
 * that lost its right to act, orders move node by node respecting stopped, skipped and suspended,
 * a step's result counts once and only for its current attempt, and steps of a dead member go to
 * the least-loaded alive one. A fake clock ages heartbeats.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemberFencedError, MemberNotAliveError, StepNotCurrentError } from '../../../activities/jobscheduler/scheduler-cluster-errors';
import { FencedWriteError, MemberClusterDb, type ActiveToken, type MemberToken } from '../../../simulator/jobscheduler/member-cluster-db';
import { parseClusterOptions } from '../../../activities/jobscheduler/scheduler-cluster-options';

let clock = 1_000_000;
const TIMEOUT = 1000;

function freshDb(): MemberClusterDb {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-scheduler-db-'));
  return MemberClusterDb.create(path.join(dir, 'cluster.sqlite'), { clock: () => clock });
}

function join(db: MemberClusterDb, member: string, options: string): MemberToken {
  const { incarnation } = db.register({ member, host: `${member}-host`, pid: 4242, options });
  return { member, incarnation };
}

function activeToken(db: MemberClusterDb, token: MemberToken): ActiveToken {
  return { ...token, epoch: db.heartbeat(token).epoch };
}

const passiveConfig = {
  jobs: ['report', 'load', 'check', 'post'],
  jobChains: [{ name: 'billing', nodes: [{ node: 'load', job: 'load' }, { node: 'check', job: 'check' }, { node: 'post', job: 'post' }] }],
};

const distributedConfig = {
  jobs: ['extract', 'transform'],
  jobChains: [{ name: 'pipeline', distributed: true, nodes: [{ node: 'extract', job: 'extract' }, { node: 'transform', job: 'transform' }] }],
};

let db: MemberClusterDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => db.close());

describe('cluster options', () => {
  test('give each start option of the runbook its role, and refuse the rest', () => {
    expect(parseClusterOptions('-exclusive')).toEqual({ role: 'primary', text: '-exclusive' });
    expect(parseClusterOptions(' -exclusive  -backup -backup-precedence=2 ')).toEqual({ role: 'backup', backupPrecedence: 2, text: '-exclusive -backup -backup-precedence=2' });
    expect(parseClusterOptions('-exclusive -distributed-orders').role).toBe('distributed');
    expect(parseClusterOptions('-exclusive -backup')).toEqual({ role: 'backup', backupPrecedence: 1, text: '-exclusive -backup' });
    expect(() => parseClusterOptions('-backup')).toThrow(/every cluster member starts with -exclusive/);
    expect(() => parseClusterOptions('-distributed-orders')).toThrow(/not "-distributed-orders" alone/);
    expect(() => parseClusterOptions('-exclusive -backup -distributed-orders')).toThrow(/do not go together/);
    expect(() => parseClusterOptions('-exclusive -primary')).toThrow(/"-primary" is not a cluster option/);
  });
});

describe('members and heartbeats', () => {
  test('a member whose heartbeat is older than the timeout is not alive, and a terminated one never is', () => {
    const primary = join(db, 'primary', '-exclusive');
    const backup = join(db, 'backup', '-exclusive -backup');
    clock += TIMEOUT + 1;
    db.heartbeat(backup);
    db.markTerminated(backup);
    expect(db.observe(TIMEOUT).members.map((m) => [m.member, m.status, m.alive])).toEqual([
      ['backup', 'terminated', false],
      ['primary', 'standby', false],
    ]);
    db.heartbeat(primary);
    expect(db.observe(TIMEOUT).members.find((m) => m.member === 'primary')?.alive).toBe(true);
  });

  test('activating a member whose heartbeat is stale is refused; activating the active member again changes nothing', () => {
    join(db, 'primary', '-exclusive');
    clock += TIMEOUT + 1;
    expect(() => db.activate('primary', TIMEOUT)).toThrow(MemberNotAliveError);
    join(db, 'primary', '-exclusive');
    expect(db.activate('primary', TIMEOUT)).toEqual({ epoch: 1, changed: true, previous: null });
    expect(db.activate('primary', TIMEOUT)).toEqual({ epoch: 1, changed: false, previous: 'primary' });
  });

  test('a process registered again under the same id supersedes the old process, whose writes are refused', () => {
    const first = join(db, 'primary', '-exclusive');
    join(db, 'primary', '-exclusive');
    expect(() => db.heartbeat(first)).toThrow(expect.objectContaining({ reason: 'superseded-incarnation' }));
  });
});

describe('passive cluster fencing', () => {
  beforeEach(() => db.configure(passiveConfig));

  test('a fenced active member can neither run a job nor move an order, and nothing is written', () => {
    const primary = join(db, 'primary', '-exclusive');
    db.activate('primary', TIMEOUT);
    const token = activeToken(db, primary);
    db.submitOrder('billing', 'o-1');
    expect(db.runJob(token, 'report')).toBe('ran');
    expect(db.fence('primary', 'hung')).toEqual({ epoch: 2, changed: true });
    expect(db.fence('primary', 'hung again')).toEqual({ epoch: 2, changed: false });
    const before = db.snapshot();
    expect(() => db.runJob(token, 'report')).toThrow(expect.objectContaining({ reason: 'member-fenced' }));
    expect(() => db.advanceOrder(token, 'o-1')).toThrow(FencedWriteError);
    expect(db.snapshot()).toEqual(before);
    expect(before.activeMember).toBeNull();
  });

  test('a fenced member is not activated again, however fresh its heartbeat, until it has registered anew', () => {
    const primary = join(db, 'primary', '-exclusive');
    db.activate('primary', TIMEOUT);
    db.fence('primary', 'hung');
    // The fenced process came back from its hang and heartbeats: it is alive, and still fenced.
    db.heartbeat(primary);
    expect(db.member('primary')).toMatchObject({ status: 'fenced', alive: true });
    const before = db.snapshot();
    expect(() => db.activate('primary', TIMEOUT)).toThrow(MemberFencedError);
    expect(() => db.activate('primary', TIMEOUT)).toThrow('primary is fenced (hung) and has not registered since: start it again');
    expect(db.snapshot()).toEqual(before);
    expect(db.member('primary')?.status).toBe('fenced');

    const restarted = join(db, 'primary', '-exclusive');
    expect(restarted.incarnation).toBe(primary.incarnation + 1);
    expect(db.activate('primary', TIMEOUT)).toMatchObject({ changed: true });
    expect(db.runJob(activeToken(db, restarted), 'report')).toBe('ran');
  });

  test('after another member is activated, the writes of the one active before are refused by epoch', () => {
    const primary = join(db, 'primary', '-exclusive');
    const backup = join(db, 'backup', '-exclusive -backup -backup-precedence=1');
    db.activate('primary', TIMEOUT);
    const old = activeToken(db, primary);
    expect(db.activate('backup', TIMEOUT)).toEqual({ epoch: 2, changed: true, previous: 'primary' });
    expect(db.member('primary')?.status).toBe('standby');
    expect(() => db.runJob(old, 'report')).toThrow(expect.objectContaining({ reason: 'not-active-member' }));
    expect(db.runJob(activeToken(db, backup), 'report')).toBe('ran');
    db.activate('primary', TIMEOUT);
    expect(() => db.runJob(old, 'report')).toThrow(expect.objectContaining({ reason: 'epoch-changed' }));
  });

  test('an order runs node by node, passes a skipped node, waits at a stopped node, a stopped job and while suspended', () => {
    const token = activeToken(db, join(db, 'primary', '-exclusive'));
    db.activate('primary', TIMEOUT);
    const acting = activeToken(db, token);
    db.submitOrder('billing', 'o-1');
    db.setNodeState('billing', 'check', 'skipped');
    db.setJobState('post', 'stopped');
    db.setOrderState('o-1', 'suspended');
    expect(db.advanceOrder(acting, 'o-1').outcome).toBe('waiting');
    db.setOrderState('o-1', 'active');
    expect(db.advanceOrder(acting, 'o-1')).toEqual({ outcome: 'ran', step: 0, node: 'load' });
    expect(db.advanceOrder(acting, 'o-1')).toEqual({ outcome: 'skipped', step: 1, node: 'check' });
    expect(db.advanceOrder(acting, 'o-1')).toEqual({ outcome: 'waiting', step: 2, node: 'post' });
    db.setJobState('post', 'active');
    db.setNodeState('billing', 'post', 'stopped');
    expect(db.advanceOrder(acting, 'o-1').outcome).toBe('waiting');
    db.setNodeState('billing', 'post', 'active');
    expect(db.advanceOrder(acting, 'o-1').outcome).toBe('ran');
    const [order] = db.orders();
    expect(order?.state).toBe('done');
    expect(order?.history.map((h) => `${h.node}:${h.outcome}`)).toEqual(['load:ran', 'check:skipped', 'post:ran']);
    expect(db.jobs().find((j) => j.name === 'check')?.runCount).toBe(0);
  });
});

describe('active cluster steps', () => {
  beforeEach(() => db.configure(distributedConfig));

  test("a step's result counts once, and only for its current attempt", () => {
    const d1 = join(db, 'd1', '-exclusive -distributed-orders');
    const d2 = join(db, 'd2', '-exclusive -distributed-orders');
    db.submitOrder('pipeline', 'o-1');
    expect(db.assignStep('o-1', 0, 'd1')).toMatchObject({ attempt: 1, changed: true });
    expect(db.assignStep('o-1', 0, 'd1')).toMatchObject({ attempt: 1, changed: false });
    expect(db.claimStep(d1, 'o-1', 0, 1)).toBe('running');
    expect(db.assignStep('o-1', 0, 'd2')).toMatchObject({ attempt: 2, member: 'd2' });
    expect(() => db.completeStep(d1, 'o-1', 0, 1, 'late')).toThrow(expect.objectContaining({ reason: 'attempt-superseded' }));
    db.claimStep(d2, 'o-1', 0, 2);
    expect(db.completeStep(d2, 'o-1', 0, 2, 'ok')).toBe('done');
    expect(db.completeStep(d2, 'o-1', 0, 2, 'ok')).toBe('already-done');
    expect(db.orders()[0]?.history.map((h) => [h.node, h.member, h.attempt])).toEqual([['extract', 'd2', 2]]);
    expect(() => db.assignStep('o-1', 0, 'd1')).not.toThrow();
    expect(db.assignStep('o-1', 0, 'd1')).toMatchObject({ changed: false, status: 'done' });
  });

  test("a step that is not the order's current one is not assigned: steps run in chain order", () => {
    join(db, 'd1', '-exclusive -distributed-orders');
    db.submitOrder('pipeline', 'o-1');
    expect(() => db.assignStep('o-1', 1, 'd1')).toThrow(StepNotCurrentError);
  });

  test('no step is given to a fenced member until it has registered anew', () => {
    join(db, 'd1', '-exclusive -distributed-orders');
    db.submitOrder('pipeline', 'o-1');
    db.fence('d1', 'hung');
    expect(() => db.assignStep('o-1', 0, 'd1')).toThrow(MemberFencedError);
    expect(db.orderSteps()).toEqual([]);
    join(db, 'd1', '-exclusive -distributed-orders');
    expect(db.assignStep('o-1', 0, 'd1')).toMatchObject({ member: 'd1', attempt: 1, changed: true });
  });

  test('a fenced member cannot deliver the result of a step it still has', () => {
    const d1 = join(db, 'd1', '-exclusive -distributed-orders');
    db.submitOrder('pipeline', 'o-1');
    db.assignStep('o-1', 0, 'd1');
    db.claimStep(d1, 'o-1', 0, 1);
    db.fence('d1', 'hung');
    expect(() => db.completeStep(d1, 'o-1', 0, 1, 'late')).toThrow(expect.objectContaining({ reason: 'member-fenced' }));
  });

  test("a dead member's steps go to the least-loaded alive member; with none alive they are released and assigned later", () => {
    const [, second, third] = ['d1', 'd2', 'd3'].map((m) => join(db, m, '-exclusive -distributed-orders'));
    for (const o of ['o-1', 'o-2', 'o-3', 'o-4']) db.submitOrder('pipeline', o);
    expect(db.assignPendingSteps(TIMEOUT).map((a) => a.member)).toEqual(['d1', 'd2', 'd3', 'd1']);
    // d1 stops heartbeating; d2 and d3 go on.
    clock += TIMEOUT + 1;
    for (const token of [second!, third!]) db.heartbeat(token);
    expect(db.reassignStepsOf('d1', TIMEOUT)).toEqual({
      memberAlive: false,
      assignments: [expect.objectContaining({ order: 'o-1', from: 'd1', member: 'd2', attempt: 2 }), expect.objectContaining({ order: 'o-4', from: 'd1', member: 'd3', attempt: 2 })],
    });
    clock += TIMEOUT + 1;
    expect(db.reassignStepsOf('d2', TIMEOUT).assignments.every((a) => a.member === null)).toBe(true);
    expect(db.pendingSteps().map((p) => p.order)).toEqual(['o-1', 'o-2']);
    const d3 = join(db, 'd3', '-exclusive -distributed-orders');
    expect(db.assignPendingSteps(TIMEOUT).map((a) => [a.order, a.member, a.attempt])).toEqual([
      ['o-1', 'd3', 4],
      ['o-2', 'd3', 3],
    ]);
    expect(db.memberLoads(TIMEOUT).find((l) => l.member === 'd3')).toEqual({ member: 'd3', alive: true, steps: 4 });
    expect(d3.incarnation).toBe(2);
  });

  test('a member alive again by the time its steps are to move keeps them: no second attempt runs beside its own', () => {
    const [d1, d2] = ['d1', 'd2'].map((m) => join(db, m, '-exclusive -distributed-orders'));
    db.submitOrder('pipeline', 'o-1');
    expect(db.assignPendingSteps(TIMEOUT)).toEqual([expect.objectContaining({ order: 'o-1', member: 'd1', attempt: 1 })]);
    db.claimStep(d1!, 'o-1', 0, 1);
    // The supervisor saw d1's heartbeat stale (a long pause) and asks for its steps to move; d1 heartbeats first.
    clock += TIMEOUT + 1;
    db.heartbeat(d2!);
    expect(db.memberLoads(TIMEOUT).find((l) => l.member === 'd1')?.alive).toBe(false);
    db.heartbeat(d1!);
    expect(db.reassignStepsOf('d1', TIMEOUT)).toEqual({ assignments: [], memberAlive: true });
    expect(db.orderSteps()).toEqual([expect.objectContaining({ order: 'o-1', step: 0, attempt: 1, member: 'd1', status: 'running' })]);
    expect(db.completeStep(d1!, 'o-1', 0, 1, 'ok')).toBe('done');
    // Fenced, it is no longer alive for this, heartbeat or not: its steps move.
    db.submitOrder('pipeline', 'o-2');
    db.assignStep('o-2', 0, 'd1');
    db.fence('d1', 'hung');
    expect(db.reassignStepsOf('d1', TIMEOUT)).toEqual({ memberAlive: false, assignments: [expect.objectContaining({ order: 'o-2', from: 'd1', member: 'd2', attempt: 2 })] });
  });

  test('a distributed order passes a skipped node by itself', () => {
    const d1 = join(db, 'd1', '-exclusive -distributed-orders');
    db.setNodeState('pipeline', 'extract', 'skipped');
    db.submitOrder('pipeline', 'o-1');
    expect(db.assignPendingSteps(TIMEOUT)).toEqual([{ order: 'o-1', step: 1, attempt: 1, member: 'd1' }]);
    db.claimStep(d1, 'o-1', 1, 1);
    db.completeStep(d1, 'o-1', 1, 1, 'ok');
    expect(db.orders()[0]).toMatchObject({ state: 'done', history: [{ node: 'extract', outcome: 'skipped' }, { node: 'transform', outcome: 'ran', member: 'd1' }] });
  });
});
