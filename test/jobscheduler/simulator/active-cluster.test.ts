/**
 * An active JobScheduler cluster (every member `-exclusive -distributed-orders`) as real processes:
 * the test, acting as the supervisor, hands out the steps of distributed orders to the least-loaded
 * alive member and moves a dead or hung member's steps elsewhere. Whatever happens to a member,
 * every step of every order counts exactly once, in chain order.
 */
import type { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import type { SchedulerOperationEntry } from '../../../simulator/jobscheduler/scheduler-operation-record';
import { aliveOf, createTestCluster, TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';

const DISTRIBUTED = '-exclusive -distributed-orders';
const NODES = ['extract', 'transform', 'load'];
const ORDERS = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6'];

const clusters: TestCluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.cleanup()));
});

async function activeCluster(): Promise<TestCluster> {
  const c = createTestCluster();
  clusters.push(c);
  c.db.configure({ jobs: NODES, jobChains: [{ name: 'pipeline', distributed: true, nodes: NODES.map((n) => ({ node: n, job: n })) }] });
  await Promise.all(['d1', 'd2', 'd3'].map((m) => c.start(m, DISTRIBUTED)));
  for (const order of ORDERS) c.db.submitOrder('pipeline', order);
  return c;
}

/** The supervisor's balancing loop, until stopped. */
function balance(db: SchedulerClusterDb): () => void {
  const timer = setInterval(() => db.assignPendingSteps(TIMING.heartbeatTimeoutMs), 40);
  return () => clearInterval(timer);
}

function runningStepOf(db: SchedulerClusterDb, member: string) {
  return db.orderSteps().find((s) => s.member === member && s.status === 'running');
}

/** Every order done, each node once in chain order; one accepted result per step in the record. */
/**
 * A member commits a step's result to the cluster database before it appends the line to the
 * operation record, so the record may trail the database by a moment (longer on a busy machine):
 * waits until every step that is done in the database has its line, before the record is judged.
 */
async function recordCaughtUp(c: TestCluster): Promise<void> {
  const doneInDb = () => c.db.orderSteps().filter((s) => s.status === 'done').length;
  const recorded = () => new Set(c.record().filter((e) => e.operation === 'run-step' && e.outcome === 'done').map((e) => `${e.order}#${e.step}`)).size;
  await waitUntil('the operation record has every step the database has done', () => recorded() >= doneInDb(), 5_000);
}

function expectEveryStepOnce(c: TestCluster): SchedulerOperationEntry[] {
  for (const order of c.db.orders()) {
    expect({ order: order.id, state: order.state, nodes: order.history.map((h) => [h.step, h.node, h.outcome]) }).toEqual({
      order: order.id,
      state: 'done',
      nodes: NODES.map((n, i) => [i, n, 'ran']),
    });
  }
  const done = c.record().filter((e) => e.operation === 'run-step' && e.outcome === 'done');
  const perStep = new Map<string, number>();
  for (const e of done) perStep.set(`${e.order}#${e.step}`, (perStep.get(`${e.order}#${e.step}`) ?? 0) + 1);
  expect(perStep.size).toBe(ORDERS.length * NODES.length);
  expect([...perStep.values()].every((n) => n === 1)).toBe(true);
  expect(c.db.orderSteps().every((s) => s.status === 'done')).toBe(true);
  // The accepted result is the attempt the order's history names.
  for (const order of c.db.orders()) {
    for (const h of order.history) {
      expect(done.find((e) => e.order === order.id && e.step === h.step)).toMatchObject({ member: h.member, attempt: h.attempt });
    }
  }
  return done;
}

test('with one member killed mid-step and its steps reassigned, every order completes exactly once per step in chain order', async () => {
  const c = await activeCluster();
  const stop = balance(c.db);
  const victim = await waitUntil('d2 runs a step', () => runningStepOf(c.db, 'd2'));
  try {
    await c.fleet.kill('d2');
    await waitUntil('d2 is no longer alive', () => !aliveOf(c.db, 'd2'));
    c.db.fence('d2', 'killed: heartbeat stale');
    const moved = c.db.reassignStepsOf('d2', TIMING.heartbeatTimeoutMs).assignments;
    expect(moved.map((m) => m.order)).toContain(victim.order);
    expect(moved.every((m) => m.member === 'd1' || m.member === 'd3')).toBe(true);
    await waitUntil('every order is done', () => c.db.orders().every((o) => o.state === 'done'), 15_000);
    await recordCaughtUp(c);
  } finally {
    stop();
  }
  const done = expectEveryStepOnce(c);
  const killedAt = c.record().findIndex((e) => e.operation === 'kill-member');
  expect(c.record().slice(killedAt).filter((e) => e.member === 'd2' && e.operation === 'run-step')).toEqual([]);
  expect(done.find((e) => e.order === victim.order && e.step === victim.step)?.member).not.toBe('d2');
});

test("a member hung mid-step whose steps were reassigned has its late result refused when it resumes, and stops", async () => {
  const c = await activeCluster();
  const stop = balance(c.db);
  try {
    const stuck = await waitUntil('d3 runs a step', () => runningStepOf(c.db, 'd3'));
    await c.fleet.hang('d3');
    await waitUntil('the hung d3 is no longer alive', () => !aliveOf(c.db, 'd3'));
    c.db.fence('d3', 'hung: heartbeat stale');
    c.db.reassignStepsOf('d3', TIMING.heartbeatTimeoutMs);
    await waitUntil(`${stuck.order} step ${stuck.step} is done elsewhere`, () =>
      c.db.orderSteps().find((s) => s.order === stuck.order && s.step === stuck.step && s.status === 'done' && s.member !== 'd3'),
    );
    c.fleet.resume('d3');
    const late = await waitUntil('d3 tried to deliver its late result', () =>
      c.record().find((e) => e.member === 'd3' && e.operation === 'run-step' && e.order === stuck.order && e.step === stuck.step && e.attempt === stuck.attempt),
    );
    expect(late.outcome).toBe('refused');
    await waitUntil('d3 says it stopped acting', () => c.record().find((e) => e.member === 'd3' && e.operation === 'stop-acting'));
    await waitUntil('every order is done', () => c.db.orders().every((o) => o.state === 'done'), 15_000);
    await recordCaughtUp(c);
  } finally {
    stop();
  }
  expectEveryStepOnce(c);
  const resumedAt = c.record().findIndex((e) => e.operation === 'resume-member');
  expect(c.record().slice(resumedAt).filter((e) => e.member === 'd3' && e.operation === 'run-step' && e.outcome === 'done')).toEqual([]);
});
