/**
 * The active-cluster supervisor on a real Temporal server, over three members that are real
 * processes: orders submitted through the operator update are spread over the members by the
 * balancing rule (least loaded, ties to the member whose id sorts first), and when a member is killed in
 * the middle of a step every order still completes with exactly one outcome per step, in chain
 * order.
 */
import { randomUUID } from 'node:crypto';
import { TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { withClusterWorkers } from '../../helpers/cluster-workers';

const estate = useSimulatedEstate();

const MEMBERS = ['d-1', 'd-2', 'd-3'];
const NODES = ['extract', 'transform', 'load'];

async function startCluster(): Promise<TestCluster> {
  const c = estate.cluster();
  c.db.configure({ jobs: NODES, jobChains: [{ name: 'etl', distributed: true, nodes: NODES.map((n) => ({ node: n, job: n })) }] });
  await Promise.all(MEMBERS.map((m) => c.start(m, '-exclusive -distributed-orders')));
  return c;
}

const input = (c: TestCluster) => ({
  cluster: {
    cluster: `munich-${randomUUID().slice(0, 8)}`,
    mode: 'active',
    heartbeat: { intervalSeconds: 0.1, timeoutSeconds: TIMING.heartbeatTimeoutMs / 1000 },
    members: MEMBERS.map((host) => ({ host, os: 'unix', jobSchedulerId: 'munich', database: c.databaseName, installDir: `/opt/js/${host}`, clusterOptions: '-exclusive -distributed-orders' })),
  },
  watch: { pollMs: 25, maxWatchSeconds: 30 },
});

/** Every order done, each node once in chain order, one accepted result per step. */
function expectEveryStepOnceInOrder(c: TestCluster, orders: string[]) {
  for (const id of orders) {
    const order = c.db.orders().find((o) => o.id === id);
    expect({ id, state: order?.state, nodes: order?.history.map((h) => [h.step, h.node, h.outcome]) }).toEqual({ id, state: 'done', nodes: NODES.map((n, i) => [i, n, 'ran']) });
  }
  const done = c.record().filter((e) => e.operation === 'run-step' && e.outcome === 'done');
  const perStep = new Map<string, number>();
  for (const e of done) perStep.set(`${e.order}#${e.step}`, (perStep.get(`${e.order}#${e.step}`) ?? 0) + 1);
  expect(perStep.size).toBe(orders.length * NODES.length);
  expect([...perStep.values()].filter((n) => n !== 1)).toEqual([]);
}

test('orders submitted to the supervisor spread over the members, least loaded first', async () => {
  const c = await startCluster();
  const orders = Array.from({ length: 6 }, (_, i) => `o-${i + 1}`);
  const workflowId = `active-${randomUUID()}`;
  await estate.withClusterWorkers(c, MEMBERS, async () => {
    await estate.spoolflow.start('supervise-active-cluster', input(c), { workflowId });
    for (const order of orders) await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'etl', order });
    await waitUntil('every order is done', () => orders.every((o) => c.db.orders().find((x) => x.id === o)?.state === 'done'), 30_000).catch(async (err: Error) => {
      const s = await estate.spoolflow.status(workflowId);
      throw new Error(`${err.message}: ${JSON.stringify({ step: s.step, status: s.status, halt: s.halt, summary: s.summary, path: s.path.slice(-8), steps: c.db.orderSteps(), orders: c.db.orders().map((o) => [o.id, o.state, o.stepIndex]) }).slice(0, 6000)}`);
    });
    const status = await estate.spoolflow.status(workflowId);
    expect(status.summary).toMatchObject({ ordersSubmitted: 6, stepsAssigned: 18, rejectedOrders: [] });
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  });
  expectEveryStepOnceInOrder(c, orders);
  // Every member took part, and none took more than half of the steps.
  const byMember = new Map<string, number>();
  for (const o of c.db.orders()) for (const h of o.history) byMember.set(h.member ?? '', (byMember.get(h.member ?? '') ?? 0) + 1);
  expect([...byMember.keys()].sort()).toEqual(MEMBERS);
  expect(Math.max(...byMember.values())).toBeLessThanOrEqual(9);
});

test('a member killed in the middle of a step: its step runs again elsewhere and every order completes exactly once per step, in chain order', async () => {
  const c = await startCluster();
  const orders = Array.from({ length: 6 }, (_, i) => `k-${i + 1}`);
  const workflowId = `active-kill-${randomUUID()}`;
  await estate.withClusterWorkers(c, MEMBERS, async () => {
    await estate.spoolflow.start('supervise-active-cluster', input(c), { workflowId });
    for (const order of orders) await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'etl', order });
    const victim = await waitUntil('d-2 runs a step', () => c.db.orderSteps().find((s) => s.member === 'd-2' && s.status === 'running'), 15_000, 5);
    await c.fleet.kill('d-2');
    await waitUntil('every order is done', () => orders.every((o) => c.db.orders().find((x) => x.id === o)?.state === 'done'), 30_000);
    // The step d-2 was running when it died counted once, from another member's later attempt.
    const counted = c.db.orders().find((o) => o.id === victim.order)?.history.find((h) => h.step === victim.step);
    expect(counted?.member).not.toBe('d-2');
    expect(counted?.attempt).toBeGreaterThan(victim.attempt);
    const status = await estate.spoolflow.status(workflowId);
    expect(Number(status.summary.stepsReassigned)).toBeGreaterThanOrEqual(1);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  });
  expectEveryStepOnceInOrder(c, orders);
});

test('an order for a job chain the cluster does not have is refused and reported; the supervisor goes on', async () => {
  const c = await startCluster();
  const workflowId = `active-refuse-${randomUUID()}`;
  await estate.withClusterWorkers(c, MEMBERS, async () => {
    await estate.spoolflow.start('supervise-active-cluster', input(c), { workflowId });
    await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'payroll', order: 'p-1' });
    await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'etl', order: 'e-1' });
    await waitUntil('e-1 is done', () => c.db.orders().find((o) => o.id === 'e-1')?.state === 'done', 20_000);
    const status = await estate.spoolflow.status(workflowId);
    expect(status.summary.rejectedOrders).toEqual([expect.objectContaining({ chain: 'payroll', order: 'p-1', reason: expect.stringMatching(/payroll/) })]);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  });
});

test('an order the database could not take for now (locked through all its retries) stays queued and goes in after the next watch; none is rejected', async () => {
  const c = await startCluster();
  const workflowId = `active-locked-${randomUUID()}`;
  let lockedTries = 0;
  let locked = true;
  // The database is locked for the first order's every try until the test has seen it queued, then free.
  const lockedForOneStep = (activities: { submitOrder: (input: { database: string; chain: string; order: string }) => Promise<unknown> }) => ({
    ...activities,
    submitOrder: async (input: { database: string; chain: string; order: string }) => {
      if (input.order === 'e-1' && locked) {
        lockedTries += 1;
        throw Object.assign(new Error('database is locked'), { name: 'SqliteError' });
      }
      return activities.submitOrder(input);
    },
  });
  await withClusterWorkers(estate.temporal, c, MEMBERS, async () => {
    await estate.spoolflow.start('supervise-active-cluster', { ...input(c), watch: { pollMs: 25, maxWatchSeconds: 2 } }, { workflowId });
    await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'etl', order: 'e-1' });
    await estate.spoolflow.command(workflowId, { type: 'operator.submitOrder', chain: 'etl', order: 'e-2' });
    const waiting = await estate.waitForStatus(workflowId, (s) => s.summary.submitFailure !== undefined, 60_000);
    expect(waiting.summary.submitFailure).toMatchObject({ order: 'e-1', reason: 'database is locked' });
    expect(waiting.summary.queuedOrders).toEqual([{ chain: 'etl', order: 'e-1' }, { chain: 'etl', order: 'e-2' }]);
    locked = false;
    await waitUntil('e-1 and e-2 are done', () => ['e-1', 'e-2'].every((id) => c.db.orders().find((o) => o.id === id)?.state === 'done'), 60_000);
    // At least one step's every attempt (five) failed, and the order was not taken for refused.
    expect(lockedTries).toBeGreaterThanOrEqual(5);
    const status = await estate.spoolflow.status(workflowId);
    expect(status.summary).toMatchObject({ rejectedOrders: [], ordersSubmitted: 2, queuedOrders: [] });
    expect(status.summary.submitFailure).toBeUndefined();
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  }, {}, lockedForOneStep as never);
  expectEveryStepOnceInOrder(c, ['e-1', 'e-2']);
});
