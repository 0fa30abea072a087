/**
 * One procedure per host, SPOC group and cluster, enforced by the Temporal server whatever the
 * workflow id: a second procedure on a leased host or group is refused before it touches anything,
 * naming the holder; leases outlive the workers and continue-as-new, and end with their holder
 * however it ends. A resume state is accepted only from continue-as-new.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { HISTORY_LIMIT_MEMO } from '../../../workflows/procedure-workflow';
import { lease, leaseWorkflowId } from '../../../machines/core/leases';
import { CENTRAL_TASK_QUEUE, LEASE_WATCH_TASK_QUEUE } from '../../../workflows/task-queues';
import { waitForAsync } from '../../helpers/procedure-status';
import { saveRecordedHistory } from '../../helpers/recorded-histories';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

function londonRestart() {
  const i = groupRestartExample(testInventory(), 'london');
  return { ...i, waits: { ...i.waits, serviceTimeoutSeconds: 5, onlineTimeoutSeconds: 5 } };
}

test('a second restart of a group under another workflow id is refused before any step, naming the holder; once the first ends, it runs', async () => {
  const fleet = estate.fleet();
  // The first procedure halts on spoc-lon-1 (never ONLINE) with spoc-lon-1's services stopped.
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const first = `first-${randomUUID()}`;
  const second = `second-${randomUUID()}`;
  const third = `third-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonRestart(), { workflowId: first });
    await estate.halted(first, 90_000);
    const before = fleet.record.read().length;

    // Same group in another spelling, under another workflow id, started as the Web UI would: raw JSON.
    const other = { ...londonRestart(), group: 'London ' };
    await estate.client.workflow.start('restartGroupWithoutCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: second, args: [other] });
    const refused = await estate.failureOf(second);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain('SPOC group london is held by ' + first);
    expect(refused.message).toContain('host spoc-lon-1 is held by ' + first);
    // `status` of the refused run says the same.
    const status = await estate.spoolflow.status(second);
    expect(status).toMatchObject({ status: 'refused', step: 'takeLeases', halt: { errorType: 'LeaseHeldError' } });
    expect(status.halt?.reason).toContain('SPOC group london is held by ' + first);
    // Nothing was touched by the refused one: spoc-lon-1's SPOC stays as the first left it.
    expect(fleet.record.read().length).toBe(before);

    // The first ends (abort restores spoc-lon-1); its leases end with it, and a new one runs.
    fleet.host('spoc-lon-1').setFaults({});
    await estate.spoolflow.command(first, { type: 'operator.abort', reason: 'test' });
    expect(((await estate.spoolflow.result(first)) as SpocProcedureOutput).outcome).toBe('aborted');
    // It ended in the workflow task that asked for its leases' release, without waiting for the
    // server to deliver each (the leases end by the release or by seeing it closed, as below).
    const events = (await estate.client.workflow.getHandle(first).fetchHistory()).events ?? [];
    const releasedIn = events.flatMap((e) => (e.signalExternalWorkflowExecutionInitiatedEventAttributes ? [String(e.signalExternalWorkflowExecutionInitiatedEventAttributes.workflowTaskCompletedEventId)] : []));
    const endedIn = events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes?.workflowTaskCompletedEventId;
    expect(releasedIn).toHaveLength(3);
    expect(new Set(releasedIn)).toEqual(new Set([String(endedIn)]));
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonRestart(), { workflowId: third });
    await estate.waitForStatus(third, (s) => s.path.some((p) => p.action === 'stop-service'), 60_000);
    // Terminated mid-run (nobody releases anything): the lease workflows see their holder gone, at
    // once: each watch waits on the server for the holder's close, 15 s at a time, rather than
    // looking every so often (a look every 15 s would leave most of them running past 8 s).
    await estate.client.workflow.getHandle(third).terminate('test: a holder that ends without a word');
    const terminatedAt = Date.now();
    const fourth = `fourth-${randomUUID()}`;
    for (const leaseId of ['spoolflow-lease:spoc-group:london', 'spoolflow-lease:host:spoc-lon-1', 'spoolflow-lease:host:spoc-lon-2']) {
      await waitForAsync(`${leaseId} to end with its terminated holder`, async () => (await estate.client.workflow.getHandle(leaseId).describe()).status.name !== 'RUNNING', 30_000);
    }
    expect(Date.now() - terminatedAt).toBeLessThan(8_000);
    // A fresh start now gets the leases.
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonRestart(), { workflowId: fourth });
    await estate.waitForStatus(fourth, (s) => s.path.some((p) => p.action === 'stop-service'), 60_000);
    await estate.spoolflow.command(fourth, { type: 'operator.abort', reason: 'test done' });
    await estate.spoolflow.result(fourth);
  });
});

test('a host is one lease across procedures: an OS restart of standalone servers is refused while a group procedure holds one of them', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-2').setFaults({ neverOnline: true });
  const group = `group-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonRestart(), { workflowId: group });
    await estate.halted(group, 90_000);
    const standalone = `standalone-${randomUUID()}`;
    const member = londonRestart().members[1]!;
    await estate.client.workflow.start('restartOsOfStandaloneSpocs', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: standalone, args: [{ spocs: [{ ...member, host: 'SPOC-LON-2.' }] }] });
    const refused = await estate.failureOf(standalone);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain(`host spoc-lon-2 is held by ${group}`);
    fleet.host('spoc-lon-2').setFaults({});
    await estate.spoolflow.command(group, { type: 'operator.abort', reason: 'test done' });
    await estate.spoolflow.result(group);
  });
});

test('leases outlive the workers and continue-as-new: a run that continued as new still holds its group', async () => {
  const fleet = estate.fleet();
  const first = `can-${randomUUID()}`;
  const input = londonRestart();
  input.waits.convergenceSeconds = 3600;
  await estate.withWorkers(fleet, async () => {
    const started = await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId: first, memo: { [HISTORY_LIMIT_MEMO]: 40 } });
    await waitForAsync('the first run to continue as new', async () => (await estate.client.workflow.getHandle(first).describe()).runId !== started.runId, 90_000);
  });
  // Every worker is gone now; start them again, as after a crash of the whole stack.
  await estate.withWorkers(fleet, async () => {
    const second = `second-${randomUUID()}`;
    await estate.client.workflow.start('restartGroupWithCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: second, args: [londonRestart()] });
    const refused = await estate.failureOf(second);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain(`SPOC group london is held by ${first}`);
    await estate.client.workflow.getHandle(first).terminate('test done');
    // Its leases end once their watches, on these workers, see it terminated: the tests after this
    // one take the same group and hosts, and would be refused if they came first.
    for (const l of [lease('spoc-group', 'london'), ...input.members.map((m) => lease('host', m.host))]) {
      await waitForAsync(`${leaseWorkflowId(l)} released`, async () => (await estate.client.workflow.getHandle(leaseWorkflowId(l)).describe()).status.name !== 'RUNNING', 60_000);
    }
  });
});

test("the leases' watches take none of the central steps' places: with two central activity places, a group restart holding three leases runs to its end", async () => {
  const fleet = estate.fleet();
  const workflowId = `places-${randomUUID()}`;
  const input = londonRestart();
  const output = await estate.withWorkers(
    fleet,
    async () => {
      await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
      // On the central queue the three watches would hold both places until each ended (10 min).
      return Promise.race([estate.spoolflow.result(workflowId), new Promise((_, reject) => setTimeout(() => reject(new Error('the restart did not end within 90 s: its central steps found no place')), 90_000))]);
    },
    { centralActivitySlots: 2 },
  );
  expect((output as SpocProcedureOutput).outcome).toBe('completed');
  // Each lease watched its holder on the lease-watch queue.
  const leases = [lease('spoc-group', 'london'), ...input.members.map((m) => lease('host', m.host))];
  for (const l of leases) {
    const events = (await estate.client.workflow.getHandle(leaseWorkflowId(l)).fetchHistory()).events ?? [];
    const queues = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : []));
    expect(queues.length).toBeGreaterThan(0);
    expect(new Set(queues)).toEqual(new Set([LEASE_WATCH_TASK_QUEUE]));
  }
  // The replay test keeps the group's: `SPOOLFLOW_RECORD_HISTORIES=1 npx jest -t 'watches take none' <this file>` records it again.
  if (process.env.SPOOLFLOW_RECORD_HISTORIES) saveRecordedHistory('spoolflowLease--released-watched-on-its-own-queue', await estate.client.workflow.getHandle(leaseWorkflowId(leases[0]!)).fetchHistory());
});

test('a resume state given by whoever starts a procedure is refused before any step: no cache is deleted', async () => {
  const fleet = estate.fleet();
  const input = londonRestart();
  const crafted = {
    value: { restartMembers: 'memberAwaitOnline' },
    context: { input, memberIndex: 0, halt: null },
    pendingEffects: [{ step: 'deleteCaches', title: 'Delete the spool cache', action: 'delete-cache', host: 'spoc-lon-1', installDir: input.members[0]!.installDir }],
    timers: [],
    path: [],
    stepsTaken: 0,
  };
  const workflowId = `crafted-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    await estate.client.workflow.start('restartGroupWithCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId, args: [input, crafted] });
    const refused = await estate.failureOf(workflowId);
    expect(refused.type).toBe('InvalidResumeStateError');
    expect(refused.message).toMatch(/accepted only from a run of the same workflow that continued as new/);
  });
  const record = fleet.record.read();
  expect(record.filter((e) => e.operation === 'delete-cache')).toEqual([]);
  expect(record.filter((e) => e.target === SPOC_SERVICE)).toEqual([]);
});
