/**
 * The supervisor's activities against real member processes and a real cluster database, called
 * outside a Temporal worker (heartbeat and sleep injected): watching returns as soon as something
 * changes and only then, activation refuses a member that is not alive, termination waits for the
 * process to exit, and errors a retry cannot fix are non-retryable and named. The tests share one
 * cluster and run in order, as one supervisor's shift: members die, are fenced and end.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import { createSchedulerActivities, expectedOf, type SchedulerAuditEntry, type WatchResult } from '../../../activities/jobscheduler/scheduler-activities';
import { SchedulerDbPool } from '../../../activities/jobscheduler/scheduler-db-pool';
import { createTestCluster, TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';

let c: TestCluster;
let pool: SchedulerDbPool;
const heartbeats: unknown[] = [];
const audit: SchedulerAuditEntry[] = [];
let activities: ReturnType<typeof createSchedulerActivities>;

beforeAll(async () => {
  c = createTestCluster();
  pool = new SchedulerDbPool({ folder: c.databaseDir });
  activities = createSchedulerActivities({ processes: c.fleet, databases: pool, heartbeat: (d) => heartbeats.push(d), audit: (e) => audit.push(e) });
  await Promise.all([c.start('primary', '-exclusive'), c.start('backup', '-exclusive -backup'), c.start('spare', '-exclusive -backup -backup-precedence=2')]);
  c.db.activate('primary', TIMING.heartbeatTimeoutMs);
});

afterAll(async () => {
  pool.closeAll();
  await c.cleanup();
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const watch = { heartbeatTimeoutMs: TIMING.heartbeatTimeoutMs, pollMs: 50 };

test('watchCluster returns after maxWatchMs, unchanged, when nothing changes, heartbeating while it polls', async () => {
  const expected = expectedOf(await activities.observeCluster({ database: c.databaseName, heartbeatTimeoutMs: TIMING.heartbeatTimeoutMs }));
  expect(expected).toEqual({ activeMember: 'primary', aliveMembers: ['backup', 'primary', 'spare'], statuses: { primary: 'active', backup: 'standby', spare: 'standby' } });
  heartbeats.length = 0;
  const started = Date.now();
  const result = await activities.watchCluster({ database: c.databaseName, ...watch, expected, maxWatchMs: 800 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  expect(result).toMatchObject({ changed: false, changes: [], now: expected });
  expect(heartbeats.length).toBeGreaterThan(5);
});

test('inside an activity, watchCluster heartbeats to Temporal while it polls', async () => {
  const env = new MockActivityEnvironment();
  const details: unknown[] = [];
  env.on('heartbeat', (d: unknown) => details.push(d));
  const inActivity = createSchedulerActivities({ processes: c.fleet, databases: pool });
  const expected = expectedOf(c.db.observe(TIMING.heartbeatTimeoutMs));
  const result: WatchResult = await env.run(inActivity.watchCluster, { database: c.databaseName, ...watch, expected, maxWatchMs: 300 });
  expect(result.changed).toBe(false);
  expect(details[0]).toEqual({ epoch: result.observation.epoch, activeMember: 'primary' });
});

test('watchCluster returns as soon as a member stops heartbeating, long before maxWatchMs', async () => {
  const expected = expectedOf(c.db.observe(TIMING.heartbeatTimeoutMs));
  const started = Date.now();
  const watching = activities.watchCluster({ database: c.databaseName, ...watch, expected, maxWatchMs: 20_000 });
  await new Promise((r) => setTimeout(r, 200));
  await c.fleet.kill('spare');
  const result = await watching;
  expect(Date.now() - started).toBeLessThan(200 + TIMING.heartbeatTimeoutMs + 1500);
  expect(result.changed).toBe(true);
  expect(result.changes).toEqual([expect.stringMatching(/^spare stopped heartbeating/)]);
  expect(result.now).toMatchObject({ activeMember: 'primary', aliveMembers: ['backup', 'primary'] });
});

test('activateMember refuses a member that is not alive, without retry', async () => {
  await waitUntil('spare is dead', () => c.db.observe(TIMING.heartbeatTimeoutMs).members.find((m) => m.member === 'spare')?.alive === false);
  const failure = await failureOf(activities.activateMember({ database: c.databaseName, member: 'spare', heartbeatTimeoutMs: TIMING.heartbeatTimeoutMs }));
  expect(failure).toMatchObject({ type: 'MemberNotAliveError', nonRetryable: true });
  expect(c.db.clusterState().activeMember).toBe('primary');
});

test('fenceMember and activateMember hand over at new epochs, twice is harmless, and each is audited', async () => {
  const { epoch } = c.db.clusterState();
  expect(await activities.fenceMember({ database: c.databaseName, member: 'primary', reason: 'operator takeover' })).toEqual({ epoch: epoch + 1, changed: true });
  expect(await activities.fenceMember({ database: c.databaseName, member: 'primary', reason: 'operator takeover' })).toEqual({ epoch: epoch + 1, changed: false });
  const input = { database: c.databaseName, member: 'backup', heartbeatTimeoutMs: TIMING.heartbeatTimeoutMs };
  expect(await activities.activateMember(input)).toEqual({ epoch: epoch + 2, changed: true, previous: null });
  expect(await activities.activateMember(input)).toEqual({ epoch: epoch + 2, changed: false, previous: 'backup' });
  expect(audit.map((a) => [a.operation, a.member, a.outcome, a.host])).toEqual([
    ['fence-member', 'primary', 'fenced', 'primary-host'],
    ['fence-member', 'primary', 'already-fenced', 'primary-host'],
    ['activate-member', 'backup', 'activated', 'backup-host'],
    ['activate-member', 'backup', 'already-active', 'backup-host'],
  ]);
  await waitUntil('the fenced primary says it stopped acting', () => c.record().some((e) => e.member === 'primary' && e.operation === 'stop-acting'));
});

test('terminateMember ends a member normally and waits for its process to exit; a member already gone is fine', async () => {
  expect(await activities.terminateMember({ database: c.databaseName, member: 'primary', timeoutMs: 5000 })).toEqual({ outcome: 'terminated' });
  expect(c.fleet.info('primary').running).toBe(false);
  expect(c.db.member('primary')?.status).toBe('terminated');
  expect(await activities.terminateMember({ database: c.databaseName, member: 'primary', timeoutMs: 5000 })).toEqual({ outcome: 'already-gone' });
});

test('terminateMember retried after the member was started again leaves the new process running: only the fenced one was to end', async () => {
  // Chaos seed 7019: the agent died after the SIGTERM, its host started the member again, then Temporal retried the step.
  const fencedPid = c.db.member('primary')?.pid ?? 0;
  const restarted = await c.start('primary', '-exclusive');
  expect(c.db.member('primary')).toMatchObject({ pid: restarted.pid, status: 'standby' });
  expect(await activities.terminateMember({ database: c.databaseName, member: 'primary', timeoutMs: 5000 })).toEqual({ outcome: 'already-gone' });
  // Named by the fenced process's pid, the simulator's control leaves the new process alone too, as a host's agent does.
  expect(await c.fleet.terminate({ member: 'primary', host: 'primary-host', pid: fencedPid }, 5000)).toBe('already-gone');
  expect(c.fleet.info('primary').running).toBe(true);
  expect(c.db.member('primary')?.status).toBe('standby');
  expect(await c.fleet.terminate('primary')).toBe('terminated');
});

test('invalid input, an unknown member and a missing database are refused before anything is touched, without retry', async () => {
  expect(await failureOf(activities.fenceMember({ database: c.databaseName, member: '', reason: 'x' }))).toMatchObject({ type: 'InvalidInputError', nonRetryable: true });
  expect(await failureOf(activities.fenceMember({ database: c.databaseName, member: 'nobody', reason: 'x' }))).toMatchObject({ type: 'UnknownEntityError', nonRetryable: true });
  expect(await failureOf(activities.readClusterState({ database: 'typo.sqlite' }))).toMatchObject({ type: 'ClusterDatabaseNotFoundError', nonRetryable: true });
});

describe('cluster databases come only from the cluster database folder', () => {
  test('a database named by a path, or leading out of the folder, is refused naming the field', async () => {
    const outside = path.join(os.tmpdir(), 'spoolflow-elsewhere.sqlite');
    for (const database of [outside, '../cluster.sqlite', `sub${path.sep}cluster.sqlite`, c.database]) {
      const failure = await failureOf(activities.observeCluster({ database, heartbeatTimeoutMs: 1000 }));
      expect(failure).toMatchObject({ type: 'InvalidInputError', nonRetryable: true });
      expect(failure.message).toMatch(/^invalid input: database: must be the name of a database in the central worker's cluster database folder/);
    }
    expect(existsSync(outside)).toBe(false);
  });

  test('a link inside the folder that leads out of it is refused', async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-elsewhere-'));
    const target = path.join(elsewhere, 'other.sqlite');
    SchedulerClusterDb.create(target).close();
    symlinkSync(target, path.join(c.databaseDir, 'linked.sqlite'));
    expect(await failureOf(activities.observeCluster({ database: 'linked.sqlite', heartbeatTimeoutMs: 1000 }))).toMatchObject({ type: 'InvalidClusterDatabaseNameError', nonRetryable: true });
  });

  test('an unknown name is refused, creating nothing, and the reason names the database but not the folder', async () => {
    const failure = await failureOf(activities.observeCluster({ database: 'berlinn.sqlite', heartbeatTimeoutMs: 1000 }));
    expect(failure).toMatchObject({ type: 'ClusterDatabaseNotFoundError', nonRetryable: true });
    expect(failure.message).toContain('"berlinn.sqlite"');
    expect(failure.message).not.toContain(c.databaseDir);
    expect(existsSync(path.join(c.databaseDir, 'berlinn.sqlite'))).toBe(false);
  });

  test('an unrelated SQLite file or a file that is not SQLite is refused and left exactly as it was: no tables, no journal change', async () => {
    const unrelated = path.join(c.databaseDir, 'invoices.sqlite');
    const other = new Database(unrelated);
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);");
    other.close();
    const notSqlite = path.join(c.databaseDir, 'notes.sqlite');
    writeFileSync(notSqlite, 'not a database\n');
    const before = { unrelated: readFileSync(unrelated), notSqlite: readFileSync(notSqlite) };

    for (const database of ['invoices.sqlite', 'notes.sqlite']) {
      const failure = await failureOf(activities.watchCluster({ database, heartbeatTimeoutMs: 1000, expected: { activeMember: null, aliveMembers: [] }, maxWatchMs: 0, pollMs: 10 }));
      expect(failure).toMatchObject({ type: 'NotAClusterDatabaseError', nonRetryable: true });
      expect(failure.message).toContain(`"${database}"`);
      expect(failure.message).not.toContain(c.databaseDir);
    }
    expect(readFileSync(unrelated)).toEqual(before.unrelated);
    expect(readFileSync(notSqlite)).toEqual(before.notSqlite);
    expect(existsSync(`${unrelated}-wal`)).toBe(false);
    const check = new Database(unrelated, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['invoices']);
    check.close();
  });
});

test('submitOrder, assignOrderStep and readClusterState on an active cluster: the step runs on the member it was given', async () => {
  c.db.configure({ jobs: ['extract'], jobChains: [{ name: 'pipeline', distributed: true, nodes: [{ node: 'extract', job: 'extract' }] }] });
  await c.start('d1', '-exclusive -distributed-orders');
  expect(await activities.submitOrder({ database: c.databaseName, chain: 'pipeline', order: 'o-1' })).toEqual({ order: 'o-1', created: true });
  expect(await activities.submitOrder({ database: c.databaseName, chain: 'pipeline', order: 'o-1' })).toEqual({ order: 'o-1', created: false });
  expect(await activities.assignOrderStep({ database: c.databaseName, order: 'o-1', step: 0, member: 'd1' })).toMatchObject({ attempt: 1, member: 'd1', changed: true });
  expect(await failureOf(activities.assignOrderStep({ database: c.databaseName, order: 'o-1', step: 0, member: 'backup' }))).toMatchObject({ type: 'WrongRoleError' });
  await waitUntil('o-1 is done', () => c.db.orders().find((o) => o.id === 'o-1')?.state === 'done');
  const state = await activities.readClusterState({ database: c.databaseName });
  expect(state.orders.find((o) => o.id === 'o-1')?.history).toEqual([expect.objectContaining({ node: 'extract', member: 'd1', attempt: 1, outcome: 'ran' })]);
  expect(state.orderSteps).toEqual([expect.objectContaining({ order: 'o-1', step: 0, attempt: 1, member: 'd1', status: 'done' })]);
});

test('watchCluster, asked to, returns as soon as an order step waits and an alive member could take it', async () => {
  c.db.configure({ jobs: ['extract'], jobChains: [{ name: 'pipeline', distributed: true, nodes: [{ node: 'extract', job: 'extract' }] }] });
  await c.start('d1', '-exclusive -distributed-orders');
  const expected = expectedOf(await activities.observeCluster({ database: c.databaseName, heartbeatTimeoutMs: TIMING.heartbeatTimeoutMs }));
  c.db.submitOrder('pipeline', 'w-1');
  const started = Date.now();
  const result = await activities.watchCluster({ database: c.databaseName, ...watch, expected, maxWatchMs: 20_000, returnWhenStepsPending: true });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(result.changes).toContain('1 order step waits for a member');
});

test('watchCluster returns when a member that stayed alive changed status (restarted within the timeout, now on standby)', async () => {
  const observed = c.db.observe(TIMING.heartbeatTimeoutMs);
  const alive = observed.members.find((m) => m.alive);
  if (!alive) throw new Error('no member is alive');
  const expected = expectedOf(observed);
  const seenBefore = alive.status === 'active' ? 'standby' : 'active';
  const result = await activities.watchCluster({ database: c.databaseName, ...watch, expected: { ...expected, statuses: { ...expected.statuses, [alive.member]: seenBefore } }, maxWatchMs: 20_000 });
  expect(result.changes).toContain(`${alive.member} is ${alive.status} (was ${seenBefore})`);
});
