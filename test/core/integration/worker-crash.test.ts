/**
 * A crash of the workers in the middle of a procedure: kill -9 the worker process while a member
 * is being stopped, start a new one, and the procedure finishes from the step where it was, with
 * no completed step done twice and never two members down at once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupRestartExample } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { LEASE_HOLDER_MEMO } from '../../../machines/core/leases';
import { readOperationRecord } from '../../../simulator/core/operation-record';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { waitForAsync } from '../../helpers/procedure-status';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { waitUntil } from '../../helpers/scheduler-cluster';

const estate = useSimulatedEstate();

test('kill -9 of the workers mid-procedure: the leases stay held, a new worker finishes it without repeating a step or taking two members down, and the leases end with it', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-crash-'));
  const inventory = testInventory();
  const inventoryFile = path.join(dataDir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  const recordFile = path.join(dataDir, 'sim', 'operations.jsonl');
  const input = groupRestartExample(inventory, 'prague');
  input.waits.convergenceSeconds = 2;
  const members = input.members.map((m) => m.host);
  const env = { dataDir, inventoryFile };

  let worker = estate.workerProcess(env);
  const { workflowId } = await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId: `crash-${Date.now()}` });

  // Kill while the second member is being stopped: its first stop was just accepted.
  await waitUntil('the second member is stopped', () => readOperationRecord(recordFile).some((e) => e.host === 'spoc-prg-2' && e.operation === 'stop-service' && e.outcome === 'accepted'), 90_000);
  await worker.kill('SIGKILL');
  const atCrash = readOperationRecord(recordFile).length;
  // The procedure's leases live on the server: the crash did not end them.
  const leaseIds = ['spoolflow-lease:spoc-group:prague', ...members.map((h) => `spoolflow-lease:host:${h}`)];
  for (const id of leaseIds) {
    const lease = await estate.client.workflow.getHandle(id).describe();
    expect({ id, status: lease.status.name, holder: (lease.memo?.[LEASE_HOLDER_MEMO] as { workflowId?: string } | undefined)?.workflowId }).toEqual({ id, status: 'RUNNING', holder: workflowId });
  }

  worker = estate.workerProcess(env);
  const output = (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
  // ... and the procedure's end ended them.
  await waitForAsync('the leases to end with their holder', async () => {
    const statuses = await Promise.all(leaseIds.map(async (id) => (await estate.client.workflow.getHandle(id).describe()).status.name));
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
