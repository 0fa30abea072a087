/**
 * A passive JobScheduler cluster (primary `-exclusive`, backup `-exclusive -backup`) as real
 * processes sharing one SQLite file: what an operator relies on when the primary is killed, ends
 * normally, hangs or loses its database, with the test acting as the supervisor.
 */
import { aliveOf, createTestCluster, TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';

const PRIMARY = '-exclusive';
const BACKUP = '-exclusive -backup -backup-precedence=1';

const config = {
  jobs: ['report', 'paused-report', 'load', 'check', 'post', 'archive'],
  jobChains: [
    {
      name: 'billing',
      nodes: [
        { node: 'load', job: 'load' },
        { node: 'check', job: 'check' },
        { node: 'post', job: 'post' },
        { node: 'archive', job: 'archive' },
      ],
    },
  ],
};

const clusters: TestCluster[] = [];
function cluster(): TestCluster {
  const c = createTestCluster();
  c.db.configure(config);
  clusters.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.cleanup()));
});

/** The states the runbook says a backup must know: jobs, chains, nodes, orders and where they are. */
function states(c: TestCluster) {
  const s = c.db.snapshot();
  return {
    jobs: s.jobs.map((j) => [j.name, j.state]),
    jobChains: s.jobChains,
    orders: s.orders.map((o) => [o.id, o.state, o.currentNode]),
  };
}

async function primaryAndBackup(c: TestCluster): Promise<void> {
  await Promise.all([c.start('primary', PRIMARY), c.start('backup', BACKUP)]);
  c.db.activate('primary', TIMING.heartbeatTimeoutMs);
}

test("a killed active member's heartbeat goes stale within the heartbeat timeout, while the backup's stays fresh", async () => {
  const c = cluster();
  await primaryAndBackup(c);
  await waitUntil('the primary has run a job', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === 'primary');
  const killedAt = Date.now();
  expect(await c.fleet.kill('primary')).toBe('killed');
  await waitUntil('the primary is no longer alive', () => !aliveOf(c.db, 'primary'), TIMING.heartbeatTimeoutMs * 3);
  expect(Date.now() - killedAt).toBeLessThanOrEqual(TIMING.heartbeatTimeoutMs + 4 * TIMING.heartbeatMs + 200);
  expect(aliveOf(c.db, 'backup')).toBe(true);
  // Killed is not terminated: nothing was written, so it still looks active and a backup may take over.
  expect(c.db.observe(TIMING.heartbeatTimeoutMs)).toMatchObject({ activeMember: 'primary', members: [{ member: 'backup', status: 'standby' }, { member: 'primary', status: 'active' }] });
  expect(await c.fleet.kill('primary')).toBe('already-gone');
});

test('SIGTERM is a normal termination: the member marks itself terminated and its process exits', async () => {
  const c = cluster();
  await primaryAndBackup(c);
  expect(await c.fleet.terminate('primary')).toBe('terminated');
  expect(c.fleet.info('primary').running).toBe(false);
  expect(c.db.observe(TIMING.heartbeatTimeoutMs).members.find((m) => m.member === 'primary')).toMatchObject({ status: 'terminated', alive: false });
  expect(c.record().filter((e) => e.operation === 'stop-member').map((e) => [e.member, e.outcome])).toEqual([['primary', 'terminated']]);
  expect(await c.fleet.terminate('primary')).toBe('already-gone');
});

test('a backup activated after the primary is killed runs the jobs and knows every state the primary left', async () => {
  const c = cluster();
  c.db.setJobState('paused-report', 'stopped');
  c.db.setNodeState('billing', 'check', 'skipped');
  c.db.setNodeState('billing', 'archive', 'stopped');
  c.db.submitOrder('billing', 'o-1');
  c.db.submitOrder('billing', 'o-2');
  c.db.setOrderState('o-2', 'suspended');
  await primaryAndBackup(c);
  await waitUntil('o-1 waits at the stopped node archive', () => c.db.orders().find((o) => o.id === 'o-1')?.currentNode === 'archive');
  const left = states(c);
  expect(left.orders).toEqual([
    ['o-1', 'active', 'archive'],
    ['o-2', 'suspended', 'load'],
  ]);

  await c.fleet.kill('primary');
  await waitUntil('the primary is no longer alive', () => !aliveOf(c.db, 'primary'));
  c.db.fence('primary', 'killed: heartbeat stale');
  c.db.activate('backup', TIMING.heartbeatTimeoutMs);
  const reportRuns = c.db.jobs().find((j) => j.name === 'report')?.runCount ?? 0;
  await waitUntil('the backup has run the report job twice', () => {
    const report = c.db.jobs().find((j) => j.name === 'report');
    return report?.lastRunBy === 'backup' && report.runCount >= reportRuns + 2;
  });
  expect(states(c)).toEqual(left);
  expect(c.db.jobs().find((j) => j.name === 'paused-report')?.runCount).toBe(0);

  // The operator lets the orders go on: the backup finishes them, each node exactly once.
  c.db.setNodeState('billing', 'archive', 'active');
  c.db.setOrderState('o-2', 'active');
  await waitUntil('both orders are done', () => c.db.orders().every((o) => o.state === 'done'));
  const [o1, o2] = c.db.orders();
  expect(o1?.history.map((h) => [h.node, h.outcome, h.member])).toEqual([
    ['load', 'ran', 'primary'],
    ['check', 'skipped', undefined],
    ['post', 'ran', 'primary'],
    ['archive', 'ran', 'backup'],
  ]);
  expect(o2?.history.map((h) => [h.node, h.outcome, h.member])).toEqual([
    ['load', 'ran', 'backup'],
    ['check', 'skipped', undefined],
    ['post', 'ran', 'backup'],
    ['archive', 'ran', 'backup'],
  ]);
});

test('a hung active member, fenced while it hung, finds itself fenced when it resumes and acts no more', async () => {
  const c = cluster();
  await primaryAndBackup(c);
  const { epoch: primaryEpoch } = c.db.clusterState();
  await waitUntil('the primary has run a job', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === 'primary');
  await c.fleet.hang('primary');
  await waitUntil('the hung primary is no longer alive', () => !aliveOf(c.db, 'primary'));
  expect(c.fleet.info('primary')).toMatchObject({ running: true, hung: true });
  c.db.fence('primary', 'hung: heartbeat stale');
  c.db.activate('backup', TIMING.heartbeatTimeoutMs);
  c.db.submitOrder('billing', 'o-late');

  c.fleet.resume('primary');
  await waitUntil('the primary says it stopped acting', () => c.record().find((e) => e.member === 'primary' && e.operation === 'stop-acting'));
  await waitUntil('the backup finished o-late', () => c.db.orders().find((o) => o.id === 'o-late')?.state === 'done');
  await waitUntil('the primary heartbeats again', () => aliveOf(c.db, 'primary'));

  const resumedAt = c.record().findIndex((e) => e.operation === 'resume-member');
  const primaryAfterResume = c.record().slice(resumedAt).filter((e) => e.member === 'primary' && e.operation === 'run-job');
  // A line may still come from a write it committed at its own epoch just before it froze; never one after.
  expect(primaryAfterResume.filter((e) => e.outcome === 'ran' && e.epoch !== primaryEpoch)).toEqual([]);
  expect(c.db.orders().find((o) => o.id === 'o-late')?.history.every((h) => h.outcome === 'skipped' || h.member === 'backup')).toBe(true);
  expect(c.db.observe(TIMING.heartbeatTimeoutMs)).toMatchObject({ activeMember: 'backup', members: [{ member: 'backup', status: 'active' }, { member: 'primary', status: 'fenced', alive: true }] });
});

test('an active member cut off from the database keeps running but cannot heartbeat; reconnected after a takeover, it stops acting', async () => {
  const c = cluster();
  await primaryAndBackup(c);
  await waitUntil('the primary has run a job', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === 'primary');
  c.fleet.cutOff('primary');
  await waitUntil('the cut-off primary is no longer alive', () => !aliveOf(c.db, 'primary'));
  expect(c.fleet.info('primary')).toMatchObject({ running: true, cutOff: true });
  c.db.fence('primary', 'no heartbeat');
  c.db.activate('backup', TIMING.heartbeatTimeoutMs);

  c.fleet.reconnect('primary');
  await waitUntil('the reconnected primary heartbeats again', () => aliveOf(c.db, 'primary'));
  await waitUntil('the primary says it stopped acting', () => c.record().find((e) => e.member === 'primary' && e.operation === 'stop-acting'));
  const takeover = c.db.clusterState().epoch;
  await waitUntil('the backup has run the report job', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === 'backup');
  expect(c.record().filter((e) => e.member === 'primary' && e.operation === 'run-job' && e.outcome === 'ran' && (e.epoch ?? 0) >= takeover)).toEqual([]);
});
