/**
 * The passive-cluster supervisor on a real Temporal server, over members that are real processes
 * sharing one SQLite database: a killed primary is replaced by the backup next in precedence with
 * the jobs' and orders' states intact; a normal termination activates nobody; a restarted primary
 * takes over again from the backup, which is terminated; a hung primary is fenced before any
 * backup acts, and cannot act when it wakes up.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { withSchedulerAgents } from '../../helpers/cluster-workers';
import { HISTORY_LIMIT_MEMO } from '../../../workflows/procedure-workflow';

const estate = useSimulatedEstate();

const MEMBERS = { primary: 'js-1', first: 'js-3', second: 'js-2' } as const;
const OPTIONS: Record<string, string> = { 'js-1': '-exclusive', 'js-2': '-exclusive -backup -backup-precedence=2', 'js-3': '-exclusive -backup -backup-precedence=1' };
const TIMEOUT_MS = TIMING.heartbeatTimeoutMs;

async function startCluster(): Promise<TestCluster> {
  const c = estate.cluster();
  c.db.configure({
    jobs: ['report', 'paused-report', 'load', 'check', 'post'],
    jobChains: [{ name: 'billing', nodes: [{ node: 'load', job: 'load' }, { node: 'check', job: 'check' }, { node: 'post', job: 'post' }] }],
  });
  await Promise.all(Object.entries(OPTIONS).map(([m, o]) => c.start(m, o)));
  return c;
}

function supervisorInput(c: TestCluster) {
  return {
    cluster: {
      cluster: `berlin-${randomUUID().slice(0, 8)}`,
      mode: 'passive',
      heartbeat: { intervalSeconds: 0.1, timeoutSeconds: TIMEOUT_MS / 1000 },
      members: Object.entries(OPTIONS).map(([host, clusterOptions]) => ({ host, os: 'unix', jobSchedulerId: 'berlin', database: c.databaseName, installDir: `/opt/js/${host}`, clusterOptions })),
    },
    watch: { pollMs: 25, maxWatchSeconds: 30, terminateTimeoutSeconds: 10 },
  };
}

const active = (c: TestCluster) => c.db.clusterState().activeMember;
const ops = (c: TestCluster, operation: string) => c.record().filter((e) => e.operation === operation);

async function supervised(c: TestCluster, fn: (workflowId: string) => Promise<void>): Promise<void> {
  const workflowId = `passive-${randomUUID()}`;
  await estate.withClusterWorkers(c, Object.keys(OPTIONS), async () => {
    await estate.spoolflow.start('supervise-passive-cluster', supervisorInput(c), { workflowId });
    await waitUntil('the supervisor activated the primary', () => active(c) === MEMBERS.primary && c.db.member(MEMBERS.primary)?.status === 'active', 20_000).catch(async (err: Error) => {
      const status = await Promise.race([estate.spoolflow.result(workflowId).catch((e: Error) => `${e.message} ${(e.cause as Error | undefined)?.message}`), new Promise((r) => setTimeout(() => r('still running'), 1000))]);
      throw new Error(`${err.message}; supervisor: ${JSON.stringify(status).slice(0, 3000)}`);
    });
    await fn(workflowId);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' }).catch(async (err: Error) => {
      const history = await estate.client.workflow.getHandle(workflowId).fetchHistory();
      const failures = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).map((e) => e.workflowTaskFailedEventAttributes?.failure?.message + ' ' + e.workflowTaskFailedEventAttributes?.failure?.stackTrace);
      throw new Error(`${err.message}: ${failures.join(' | ').slice(0, 2000)}`);
    });
    await estate.spoolflow.result(workflowId);
  });
}

test('kill -9 of the primary: the backup with the lowest precedence is active within the detection bound, with every job and order state as the primary left it', async () => {
  const c = await startCluster();
  await supervised(c, async () => {
    c.db.setJobState('paused-report', 'stopped');
    c.db.setNodeState('billing', 'check', 'skipped');
    c.db.submitOrder('billing', 'o-running');
    c.db.submitOrder('billing', 'o-held');
    c.db.setOrderState('o-held', 'suspended');
    await waitUntil('the primary ran jobs', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === MEMBERS.primary);
    const before = c.db.snapshot();

    const killedAt = Date.now();
    await c.fleet.kill(MEMBERS.primary);
    await waitUntil('a backup is active', () => active(c) !== MEMBERS.primary && c.db.member(active(c) ?? '')?.status === 'active', 10_000, 5);
    const tookOver = Date.now() - killedAt;

    expect(active(c)).toBe(MEMBERS.first);
    expect(tookOver).toBeLessThanOrEqual(TIMEOUT_MS + 1500);
    // Fenced before the backup was activated.
    const changes = c.record().filter((e) => e.operation === 'fence-member' || e.operation === 'activate-member').map((e) => `${e.operation} ${e.member}`);
    expect(changes.slice(-2)).toEqual([`fence-member ${MEMBERS.primary}`, `activate-member ${MEMBERS.first}`]);
    // The backup works with the states the primary left.
    await waitUntil('the backup ran jobs', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === MEMBERS.first);
    const after = c.db.snapshot();
    expect(after.jobs.find((j) => j.name === 'paused-report')).toMatchObject({ state: 'stopped', runCount: before.jobs.find((j) => j.name === 'paused-report')?.runCount });
    expect(after.jobChains).toEqual(before.jobChains);
    expect(after.orders.find((o) => o.id === 'o-held')).toMatchObject({ state: 'suspended', currentNode: before.orders.find((o) => o.id === 'o-held')?.currentNode });
    expect(ops(c, 'run-job').filter((e) => e.member === MEMBERS.second)).toEqual([]);
  });
});

test('SIGTERM of the primary is a normal termination: no backup becomes active', async () => {
  const c = await startCluster();
  await supervised(c, async (workflowId) => {
    await c.fleet.terminate(MEMBERS.primary);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 4));
    expect(c.db.member(MEMBERS.primary)?.status).toBe('terminated');
    expect(ops(c, 'activate-member').map((e) => e.member)).toEqual([MEMBERS.primary]);
    expect(c.db.observe(TIMEOUT_MS).members.filter((m) => m.status === 'active')).toEqual([]);
    const status = await estate.waitForStatus(workflowId, (s) => (s.summary.decision as { kind: string }).kind === 'wait');
    expect((status.summary.decision as { why: string }).why).toMatch(/ended normally: no backup takes over/);
  });
});

test('the primary started again while a backup is active: the backup is terminated and the primary is active again', async () => {
  const c = await startCluster();
  await supervised(c, async () => {
    await c.fleet.kill(MEMBERS.primary);
    await waitUntil('the first backup is active', () => active(c) === MEMBERS.first, 10_000);
    await c.start(MEMBERS.primary, OPTIONS[MEMBERS.primary] ?? '');
    await waitUntil('the primary is active again', () => active(c) === MEMBERS.primary && c.db.member(MEMBERS.primary)?.status === 'active', 15_000);
    expect(c.fleet.info(MEMBERS.first).running).toBe(false);
    expect(c.db.member(MEMBERS.first)?.status).toBe('terminated');
    const last = c.record().filter((e) => ['fence-member', 'stop-member', 'activate-member'].includes(e.operation)).slice(-3).map((e) => `${e.operation} ${e.member}`);
    expect(last).toEqual([`fence-member ${MEMBERS.first}`, `stop-member ${MEMBERS.first}`, `activate-member ${MEMBERS.primary}`]);
  });
});

test('a stop given while the backup is terminated for the primary waits for the primary to be active, then ends the supervisor', async () => {
  const c = await startCluster();
  const workflowId = `passive-${randomUUID()}`;
  // No agent on the first backup's host at first: its termination waits for one, so the stop
  // comes in the middle of the change, after the fence and before the primary's activation.
  await estate.withClusterWorkers(c, [MEMBERS.primary, MEMBERS.second], async () => {
    await estate.spoolflow.start('supervise-passive-cluster', supervisorInput(c), { workflowId });
    await waitUntil('the supervisor activated the primary', () => active(c) === MEMBERS.primary && c.db.member(MEMBERS.primary)?.status === 'active', 20_000);
    await c.fleet.kill(MEMBERS.primary);
    await waitUntil('the first backup is active', () => active(c) === MEMBERS.first, 10_000);
    await c.start(MEMBERS.primary, OPTIONS[MEMBERS.primary] ?? '');
    await waitUntil('the first backup fenced for the primary', () => c.db.member(MEMBERS.first)?.status === 'fenced', 15_000);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'database maintenance' });
    const waiting = await estate.waitForStatus(workflowId, (s) => s.summary.stoppingAfterTheChange === 'database maintenance', 10_000);
    expect(waiting.step).toBe('terminateBackup');
    expect(active(c)).not.toBe(MEMBERS.primary);

    const result = await withSchedulerAgents(estate.temporal, c, [MEMBERS.first], () => estate.spoolflow.result(workflowId));
    expect(result).toMatchObject({ activeMember: MEMBERS.primary, stoppedBecause: 'database maintenance' });
    expect(active(c)).toBe(MEMBERS.primary);
    expect(c.db.member(MEMBERS.primary)?.status).toBe('active');
    expect(c.db.member(MEMBERS.first)?.status).toBe('terminated');
    const markers = ((await estate.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : []));
    expect(markers).toContain('core_patch');
  });
});

test('a second supervisor of the same cluster database under another cluster name is refused before it touches anything', async () => {
  const c = await startCluster();
  await supervised(c, async (first) => {
    const other = `passive-${randomUUID()}`;
    const input = supervisorInput(c);
    await estate.spoolflow.start('supervise-passive-cluster', { ...input, cluster: { ...input.cluster, cluster: `copy-${randomUUID().slice(0, 8)}` } }, { workflowId: other });
    const refused = await estate.failureOf(other);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain(`the supervision of the JobScheduler cluster of database ${c.databaseName.toLowerCase()} is held by ${first}`);
    expect(active(c)).toBe(MEMBERS.primary);
    expect(ops(c, 'activate-member')).toHaveLength(1);
  });
});

test('a hung primary is fenced before the backup acts, and refused when it wakes up', async () => {
  const c = await startCluster();
  await supervised(c, async () => {
    await waitUntil('the primary acts (runs jobs)', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === MEMBERS.primary);
    await c.fleet.hang(MEMBERS.primary);
    await waitUntil('the first backup is active', () => active(c) === MEMBERS.first, 10_000);
    const fencedAt = ops(c, 'fence-member').find((e) => e.member === MEMBERS.primary)?.time;
    const activatedAt = ops(c, 'activate-member').find((e) => e.member === MEMBERS.first)?.time;
    expect(fencedAt).toBeDefined();
    expect(Date.parse(fencedAt ?? '')).toBeLessThanOrEqual(Date.parse(activatedAt ?? ''));
    // The backup's first job ran after the primary had been fenced.
    const firstBackupRun = await waitUntil('the backup ran a job', () => ops(c, 'run-job').find((e) => e.member === MEMBERS.first));
    expect(Date.parse(firstBackupRun?.time ?? '')).toBeGreaterThanOrEqual(Date.parse(fencedAt ?? ''));

    const woke = Date.now();
    c.fleet.resume(MEMBERS.primary);
    await waitUntil('the woken primary noticed it may not act', () => ops(c, 'stop-acting').some((e) => e.member === MEMBERS.primary && Date.parse(e.time) >= woke - 50), 5000).catch((err: Error) => {
      throw new Error(`${err.message}; woke ${new Date(woke).toISOString()}; ${JSON.stringify(c.record().filter((e) => e.member === MEMBERS.primary).slice(-5))}`);
    });
    await new Promise((r) => setTimeout(r, TIMEOUT_MS));
    expect(ops(c, 'run-job').filter((e) => e.member === MEMBERS.primary && Date.parse(e.time) > Date.parse(fencedAt ?? ''))).toEqual([]);
    expect(active(c)).toBe(MEMBERS.first);
  });
});

test('a primary cut off from the database is fenced and replaced; reconnected, its writes are refused', async () => {
  const c = await startCluster();
  await supervised(c, async () => {
    await waitUntil('the primary acts (runs jobs)', () => c.db.jobs().find((j) => j.name === 'report')?.lastRunBy === MEMBERS.primary);
    c.fleet.cutOff(MEMBERS.primary);
    await waitUntil('the first backup is active', () => active(c) === MEMBERS.first && c.db.member(MEMBERS.first)?.status === 'active', 10_000);
    const fencedAt = Date.parse(ops(c, 'fence-member').find((e) => e.member === MEMBERS.primary)?.time ?? '');
    c.fleet.reconnect(MEMBERS.primary);
    await waitUntil('the reconnected primary noticed it may not act', () => ops(c, 'stop-acting').some((e) => e.member === MEMBERS.primary), 5000);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS));
    expect(ops(c, 'run-job').filter((e) => e.member === MEMBERS.primary && e.outcome !== 'refused' && Date.parse(e.time) > fencedAt)).toEqual([]);
    expect(active(c)).toBe(MEMBERS.first);
  });
});

test('the primary killed while no backup is up: it is fenced; the first backup started afterwards takes over', async () => {
  const c = await startCluster();
  await supervised(c, async () => {
    await c.fleet.terminate(MEMBERS.first);
    await c.fleet.terminate(MEMBERS.second);
    await c.fleet.kill(MEMBERS.primary);
    await waitUntil('the dead primary is fenced', () => c.db.member(MEMBERS.primary)?.status === 'fenced', 10_000);
    expect(active(c)).toBeNull();
    await c.start(MEMBERS.second, OPTIONS[MEMBERS.second] ?? '');
    await waitUntil('the backup that came up is active', () => active(c) === MEMBERS.second && c.db.member(MEMBERS.second)?.status === 'active', 10_000);
  });
});

test('a cluster database name the folder does not have halts the supervisor with a reason that names it, and neither the reason nor the history shows where the folder is', async () => {
  const c = estate.cluster();
  const input = supervisorInput(c);
  for (const m of input.cluster.members) m.database = 'berlinn.sqlite';
  const workflowId = `passive-${randomUUID()}`;
  await estate.withClusterWorkers(c, Object.keys(OPTIONS), async () => {
    await estate.spoolflow.start('supervise-passive-cluster', input, { workflowId });
    const halted = await estate.halted(workflowId, 20_000);
    expect(halted.halt?.reason).toContain('no cluster database "berlinn.sqlite"');
    expect(halted.halt?.reason).not.toContain(c.databaseDir);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  });
  const history = await estate.client.workflow.getHandle(workflowId).fetchHistory();
  // Payloads are bytes: read them as text, so a path in any input, result or failure would show.
  const text = JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
  expect(text).toContain('berlinn.sqlite');
  expect(text).not.toContain(c.databaseDir);
  expect(existsSync(path.join(c.databaseDir, 'berlinn.sqlite'))).toBe(false);
});

test('a supervisor that outgrows its history continues as new with its input as given, and goes on failing over', async () => {
  const c = await startCluster();
  const workflowId = `passive-can-${randomUUID()}`;
  const input = { ...supervisorInput(c), watch: { pollMs: 25, maxWatchSeconds: 1, terminateTimeoutSeconds: 10 } };
  await estate.withClusterWorkers(c, Object.keys(OPTIONS), async () => {
    const started = await estate.spoolflow.start('supervise-passive-cluster', input, { workflowId, memo: { [HISTORY_LIMIT_MEMO]: 40 } });
    await waitUntil('the supervisor activated the primary', () => active(c) === MEMBERS.primary, 20_000);
    // A continued run parses its input again: the cluster options as given, not as parsed.
    let latest = started.runId;
    for (const deadline = Date.now() + 60_000; latest === started.runId && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      const d = await estate.client.workflow.getHandle(workflowId).describe();
      expect(d.status.name).toBe('RUNNING');
      latest = d.runId;
    }
    expect(latest).not.toBe(started.runId);
    await estate.waitForStatus(workflowId, (s) => s.status !== 'halted' && s.procedure === 'supervise-passive-cluster', 10_000);
    await c.fleet.kill(MEMBERS.primary);
    await waitUntil('the backup next in precedence is active', () => active(c) === MEMBERS.first, 20_000);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'test over' });
    await estate.spoolflow.result(workflowId);
  });
});
