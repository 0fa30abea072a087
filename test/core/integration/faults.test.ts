/**
 * Injected faults on the simulated fleet halt the procedure at the right step with a clear reason;
 * once the fault is cleared, a retry resumes and finishes without repeating what was done.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import type { SimFaults } from '../../../simulator/spoc/sim-host';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';

const estate = useSimulatedEstate();

function input() {
  const i = groupRestartExample(testInventory(), 'london');
  return { ...i, waits: { ...i.waits, serviceTimeoutSeconds: 5, rescueTimeoutSeconds: 5, convergenceSeconds: 1 } };
}

test.each([
  ['a terminal server that will not stop', { services: { [TERMINAL_SERVER_SERVICE]: 'wont-stop' } }, 'memberStopTerminalServer', /Terminal Server on spoc-lon-2 did not reach STOPPED within 5 s \(it is STOP_PENDING\)/],
  ['a terminal server that will not start', { services: { [TERMINAL_SERVER_SERVICE]: 'wont-start' } }, 'memberStartTerminalServer', /Terminal Server on spoc-lon-2 did not reach RUNNING within 5 s \(it is START_PENDING\)/],
  ['a cache rescue that never finishes', { rescueNeverFinishes: true }, 'memberAwaitRescueFinished', /spoc\.log on spoc-lon-2 has no "Rescue process for SPOC's cache finished\." within 5 s/],
] as [string, SimFaults, string, RegExp][])('%s halts at its step; after the fault is cleared a retry finishes', async (_fault, faults, step, reason) => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-2').setFaults(faults);
  const workflowId = `fault-${randomUUID()}`;
  const output = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', input(), { workflowId });
    const halted = await estate.halted(workflowId, 90_000);
    expect(halted.step).toBe(step);
    expect(halted.halt?.reason).toMatch(reason);
    expect(halted.summary.completedMembers).toEqual(['spoc-lon-1']);
    fleet.host('spoc-lon-2').setFaults({});
    await estate.spoolflow.command(workflowId, { type: 'operator.retry' });
    return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
  });
  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'], leftStopped: {} });
  const record = fleet.record.read();
  expect(repeatedOperations(record)).toEqual([]);
  expect(maxMembersDownAtOnce(record, ['spoc-lon-1', 'spoc-lon-2'])).toBe(1);
  expect(leftStopped(record)).toEqual({});
});

test('a slow host only takes longer: the procedure finishes without halting', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ slowFactor: 5 });
  const workflowId = `slow-${randomUUID()}`;
  const { output, status } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', { ...input(), waits: { ...input().waits, serviceTimeoutSeconds: 60, rescueTimeoutSeconds: 60 } }, { workflowId });
    return { output: (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput, status: await estate.spoolflow.status(workflowId) };
  });
  expect(output.outcome).toBe('completed');
  expect(status.path.filter((p) => p.outcome === 'failed')).toEqual([]);
});
