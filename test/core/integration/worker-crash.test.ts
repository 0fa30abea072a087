/**
 * A crash of the workers in the middle of a procedure: kill -9 the worker process while a member
 * is being stopped, start a new one, and the procedure finishes from the step where it was, with
 * no completed step done twice and never two members down at once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { SpoolflowClient } from '../../../client/spoolflow-client';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { LEASE_HOLDER_MEMO } from '../../../machines/core/leases';
import { readOperationRecord } from '../../../simulator/core/operation-record';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { waitForAsync } from '../../helpers/procedure-status';
import { testInventory } from '../../helpers/sim-fleet';
import { startTestTemporal, TestTemporal } from '../../helpers/temporal-server';
import { spawnWorkerProcess, WorkerProcess } from '../../helpers/worker-process';

let temporal: TestTemporal;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  temporal = await startTestTemporal();
});
afterAll(async () => {
  await worker?.kill();
  await temporal?.close();
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('kill -9 of the workers mid-procedure: the leases stay held, a new worker finishes it without repeating a step or taking two members down, and the leases end with it', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-crash-'));
  const inventory = testInventory();
  const inventoryFile = path.join(dataDir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  const recordFile = path.join(dataDir, 'sim', 'operations.jsonl');
  const input = groupRestartExample(inventory, 'prague');
  input.waits.convergenceSeconds = 2;
  const members = input.members.map((m) => m.host);
  const env = { address: temporal.server.address, dataDir, inventoryFile };

  worker = spawnWorkerProcess(env);
  const spoolflow = new SpoolflowClient(temporal.client);
  const { workflowId } = await spoolflow.start('restart-group-without-cache-deletion', input, { workflowId: `crash-${Date.now()}` });

  // Kill while the second member is being stopped: its first stop was just accepted.
  await waitFor(() => readOperationRecord(recordFile).some((e) => e.host === 'spoc-prg-2' && e.operation === 'stop-service' && e.outcome === 'accepted'), 90_000, 'the second member to be stopped');
  await worker.kill('SIGKILL');
  const atCrash = readOperationRecord(recordFile).length;
  // The procedure's leases live on the server: the crash did not end them.
  const leaseIds = ['spoolflow-lease:spoc-group:prague', ...members.map((h) => `spoolflow-lease:host:${h}`)];
  for (const id of leaseIds) {
    const lease = await temporal.client.workflow.getHandle(id).describe();
    expect({ id, status: lease.status.name, holder: (lease.memo?.[LEASE_HOLDER_MEMO] as { workflowId?: string } | undefined)?.workflowId }).toEqual({ id, status: 'RUNNING', holder: workflowId });
  }

  worker = spawnWorkerProcess(env);
  const output = (await spoolflow.result(workflowId)) as SpocProcedureOutput;
  // ... and the procedure's end ended them.
  await waitForAsync('the leases to end with their holder', async () => {
    const statuses = await Promise.all(leaseIds.map(async (id) => (await temporal.client.workflow.getHandle(id).describe()).status.name));
    return statuses.every((s) => s === 'COMPLETED');
  }, 30_000);
  await worker.kill('SIGTERM');

  expect(output.outcome).toBe('completed');
  expect(output.completedMembers).toEqual(members);
  const record = readOperationRecord(recordFile);
  expect(record.length).toBeGreaterThan(atCrash);
  expect(repeatedOperations(record)).toEqual([]);
  // Retried steps asked first and sent no second command to a service already stopped or started.
  expect(record.filter((e) => e.outcome.startsWith('already'))).toEqual([]);
  expect(maxMembersDownAtOnce(record, members)).toBe(1);
  expect(leftStopped(record)).toEqual({});
  // The first member was not touched again after the crash.
  expect(record.slice(atCrash).filter((e) => e.host === 'spoc-prg-1')).toEqual([]);
}, 240_000);
