/**
 * Long procedures keep their history bounded: the runtime continues as new, carrying the machine's
 * state, its pending timers and the path taken, and the procedure finishes as if nothing happened.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { HISTORY_LIMIT_MEMO } from '../../../workflows/procedure-workflow';
import { statusQuery } from '../../../workflows/operator-messages';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

test('a procedure that outgrows its history limit continues as new and still restarts every member exactly once', async () => {
  const fleet = estate.fleet();
  const input = groupRestartExample(testInventory(), 'prague');
  input.waits.convergenceSeconds = 2;
  const workflowId = `can-${randomUUID()}`;
  const { output, runs, status } = await estate.withWorkers(fleet, async () => {
    const started = await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId, memo: { [HISTORY_LIMIT_MEMO]: 40 } });
    const result = (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
    const latest = estate.spoolflow.handle(workflowId);
    const description = await latest.describe();
    const runIds: string[] = [];
    for await (const execution of estate.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(execution.runId);
    return { output: result, runs: { first: started.runId, last: description.runId, count: runIds.length }, status: await latest.query(statusQuery) };
  });

  expect(runs.last).not.toBe(runs.first);
  expect(runs.count).toBeGreaterThan(2);
  expect(output.outcome).toBe('completed');
  expect(output.completedMembers).toEqual(['spoc-prg-1', 'spoc-prg-2', 'spoc-prg-3']);
  // The path survived the hand-overs: the last run still knows the first steps.
  expect(status.path[0]).toMatchObject({ step: 'checkManagementServer', outcome: 'done' });
  expect(status.path.filter((p) => p.action === 'wait')).toHaveLength(3);
  expect(status.path.filter((p) => p.outcome !== 'done')).toEqual([]);

  const record = fleet.record.read();
  expect(repeatedOperations(record)).toEqual([]);
  expect(maxMembersDownAtOnce(record, input.members.map((m) => m.host))).toBe(1);
  expect(leftStopped(record)).toEqual({});
});
