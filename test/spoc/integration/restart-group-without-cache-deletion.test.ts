/**
 * Restart a SPOC group without cache deletion, end to end: a real Temporal dev server, the
 * central worker, one agent per simulated host, production activities.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample, SIMULATOR_WAITS_OVERRIDE } from '../../../simulator/example-inputs';
import { planProcedure } from '../../../machines/core/plan';
import { restartGroupWithoutCacheDeletionMachine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { GROUP_SERVICE, PROTECTED_SERVICES, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { plannedChanges, recordedChanges } from '../../helpers/plan-vs-record';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

test('restarts every member one at a time, in runbook order, and leaves every service running', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'prague');
  // Started as from the Web UI, with the names spelled another way: the procedure runs on their
  // normal forms, so spoc-prg-1's steps reach the queue its agent polls.
  const respelled = { ...input, group: ' Prague', members: input.members.map((m, i) => (i === 0 ? { ...m, host: 'SPOC-PRG-1.' } : m)) };
  const output = await estate.withWorkers(fleet, () =>
    estate.client.workflow.execute('restartGroupWithoutCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: `test-${randomUUID()}`, args: [respelled] }),
  ) as SpocProcedureOutput;

  expect(output.outcome).toBe('completed');
  expect(output.group).toBe('prague');
  // The example's waits are the simulator's, below the runbook's floors: the result says who allowed that.
  expect(output.waitsOverride).toEqual({ ...SIMULATOR_WAITS_OVERRIDE, shortened: { convergenceSeconds: input.waits.convergenceSeconds, betweenStartsSeconds: input.waits.betweenStartsSeconds, groupServiceTimeoutSeconds: input.waits.groupServiceTimeoutSeconds } });
  expect(output.completedMembers).toEqual(['spoc-prg-1', 'spoc-prg-2', 'spoc-prg-3']);
  expect(output.leftStopped).toEqual({});

  const record = fleet.record.read();
  const members = input.members.map((m) => m.host);
  expect(maxMembersDownAtOnce(record, members)).toBe(1);
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
  expect(record.some((e) => PROTECTED_SERVICES.includes(e.target))).toBe(false);

  // The record follows the plan: the same stops and starts, host by host, in the same order.
  const planned = plannedChanges(planProcedure(restartGroupWithoutCacheDeletionMachine, input), () => '');
  expect(recordedChanges(record)).toEqual(planned);

  // Per member: SPOC stopped first, started again before the terminal server, group service came by itself.
  const prg1 = record.filter((e) => e.host === 'spoc-prg-1').map((e) => `${e.operation}:${e.target}:${e.outcome}`);
  expect(prg1.slice(0, 3)).toEqual([`stop-service:${SPOC_SERVICE}:accepted`, `stop-service:${GROUP_SERVICE}:accepted`, `stop-service:${TERMINAL_SERVER_SERVICE}:accepted`]);
  expect(prg1).toContain(`start-service:${GROUP_SERVICE}:started-by-itself`);
});
