/**
 * Halting on a real Temporal server: a failed check parks the procedure at its step with the
 * reason; the operator's retry, group-service start or abort (Temporal Updates) take it from there.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { groupRestartExample } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { GROUP_SERVICE } from '../../../machines/spoc/spoc-services';
import { operatorUpdate } from '../../../workflows/operator-messages';
import { leftStopped, repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { createHostAgentWorker, simHostAgentDeps } from '../../../simulator/spoc/sim-host-agents';

const estate = useSimulatedEstate();

function londonInput() {
  const input = groupRestartExample(testInventory(), 'london');
  return { ...input, waits: { ...input.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
}

test('halts when the Management Server is down before anything is stopped, and a retry after it is back finishes; the retry is recorded with who gave it and why', async () => {
  const fleet = estate.fleet();
  fleet.managementServerDown = true;
  const workflowId = `halt-ms-${randomUUID()}`;
  const { output, path } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
    const halted = await estate.halted(workflowId);
    expect(halted.step).toBe('checkManagementServer');
    expect(halted.halt?.reason).toContain('Management Server (dp-mgmt) is not reachable');
    expect(fleet.record.read()).toEqual([]);
    await expect(estate.spoolflow.command(workflowId, { type: 'operator.skip' })).rejects.toThrow(/not possible at step checkManagementServer/);
    fleet.managementServerDown = false;
    // Sent raw, as the Web UI's Update dialog sends it: the machine gets the parsed command.
    await estate.client.workflow.getHandle(workflowId).executeUpdate(operatorUpdate, { args: [{ type: 'operator.retry', operator: '  alice ', reason: 'the Management Server is back ' }] });
    const result = (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput & { operatorCommands: unknown[] };
    return { output: result, path: (await estate.spoolflow.status(workflowId)).path };
  });
  expect(output.outcome).toBe('completed');
  expect(output.operatorCommands).toEqual([expect.objectContaining({ type: 'operator.retry', step: 'checkManagementServer', operator: 'alice', reason: 'the Management Server is back' })]);
  expect(path).toContainEqual(expect.objectContaining({ action: 'operator.retry', operator: 'alice', reason: 'the Management Server is back' }));
  expect(leftStopped(fleet.record.read())).toEqual({});
});

test('a group service that does not start by itself halts the step; the operator starts it and the procedure goes on', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ services: { [GROUP_SERVICE]: 'wont-start' } });
  const workflowId = `halt-gs-${randomUUID()}`;
  const output = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
    const halted = await estate.halted(workflowId);
    expect(halted.step).toBe('memberVerifyGroupService');
    expect(halted.halt?.reason).toMatch(/Group Service on spoc-lon-1 did not reach RUNNING within 5 s/);
    expect(halted.accepts).toEqual(expect.arrayContaining(['operator.retry', 'operator.startGroupService', 'operator.abort']));
    fleet.host('spoc-lon-1').setFaults({});
    await estate.spoolflow.command(workflowId, { type: 'operator.startGroupService' });
    return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
  });
  expect(output.outcome).toBe('completed');
  const record = fleet.record.read();
  expect(record).toContainEqual(expect.objectContaining({ host: 'spoc-lon-1', operation: 'start-service', target: GROUP_SERVICE, outcome: 'accepted' }));
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
});

test('an abort while halted starts again everything the procedure stopped and reports it', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const workflowId = `halt-abort-${randomUUID()}`;
  const output = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
    const halted = await estate.halted(workflowId);
    expect(halted.step).toBe('memberAwaitOnline');
    expect(halted.halt?.reason).toContain('did not say ONLINE');
    expect(halted.summary.down).toEqual({ 'spoc-lon-1': ['Dispatcher Paragon FlexiSpooler', 'Dispatcher Paragon Mobile Print Server'] });
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'SPOC never came online' });
    return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
  });
  expect(output).toMatchObject({ outcome: 'aborted', abortReason: 'SPOC never came online', leftStopped: {}, couldNotStart: {}, completedMembers: [] });
  const record = fleet.record.read();
  expect(leftStopped(record)).toEqual({});
  expect(record.some((e) => e.host === 'spoc-lon-2')).toBe(false);
});

test('an abort while a step runs on a member cancels that step, then starts again everything the procedure stopped', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const workflowId = `run-abort-${randomUUID()}`;
  const input = londonInput();
  input.waits.onlineTimeoutSeconds = 20;
  const { output, status } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
    await estate.waitForStatus(workflowId, (s) => s.step === 'memberAwaitOnline' && s.inFlight.some((key) => key.endsWith('@spoc-lon-1')));
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'abort while it waits' });
    return { output: (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput, status: await estate.spoolflow.status(workflowId) };
  });
  expect(output).toMatchObject({ outcome: 'aborted', abortReason: 'abort while it waits', leftStopped: {}, couldNotStart: {} });
  const waits = status.path.filter((p) => p.step === 'memberAwaitOnline').map((p) => p.outcome);
  expect(waits[0]).toBe('cancelled');
  expect(waits).not.toContain('running');
  const record = fleet.record.read();
  expect(leftStopped(record)).toEqual({});
  expect(record.some((e) => e.host === 'spoc-lon-2')).toBe(false);
});

const FLEXISPOOLER = 'Dispatcher Paragon FlexiSpooler';

/** Waits until `done` holds, looking every 50 ms, at most `timeoutMs`. */
async function eventually(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("an abort while a member's service is still stopping starts that member's services again only once the cancelled stop has ended on the host", async () => {
  const fleet = estate.fleet();
  const member = fleet.host('spoc-lon-1');
  // The stop of FlexiSpooler is accepted but takes until the test lets it finish.
  member.setFaults({ services: { [FLEXISPOOLER]: 'wont-stop' } });
  const workflowId = `run-abort-stopping-${randomUUID()}`;
  const onMember = (e: { host: string }) => e.host === 'spoc-lon-1';
  const { output, stopEndedAt } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
    await eventually(() => fleet.record.read().some((e) => onMember(e) && e.operation === 'stop-service' && e.target === FLEXISPOOLER), 'FlexiSpooler stop asked on spoc-lon-1');
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'abort while a service stops' });
    // Time enough for a restore that does not wait for the cancelled stop to act on the host.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const ended = fleet.record.read().length;
    member.setFaults({});
    return { output: (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput, stopEndedAt: ended };
  });
  expect(output.outcome).toBe('aborted');
  // (toMatchObject would take any object for `{}`.)
  expect(output.couldNotStart).toEqual({});
  expect(output.leftStopped).toEqual({});
  const record = fleet.record.read();
  const restarts = record.map((e, index) => ({ ...e, index })).filter((e) => onMember(e) && e.operation === 'start-service' && !e.outcome.startsWith('started-by'));
  expect(restarts.map((e) => e.target)).toContain(FLEXISPOOLER);
  // The restore acted on the host only after the cancelled stop had ended there, and nothing stopped after it.
  expect(restarts.every((e) => e.index >= stopEndedAt)).toBe(true);
  const stops = record.map((e, index) => ({ ...e, index })).filter((e) => onMember(e) && e.operation === 'stop-service');
  expect(Math.max(...stops.map((e) => e.index))).toBeLessThan(Math.min(...restarts.map((e) => e.index)));
  expect(leftStopped(record)).toEqual({});
});

test('a host whose agent is gone halts the procedure at the preflight with nothing stopped; once the agent is back, a retry finishes', async () => {
  const fleet = estate.fleet();
  const workflowId = `halt-agent-${randomUUID()}`;
  const input = londonInput();
  input.waits.hostPickupSeconds = 5;
  const conn = { connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace };
  const output = await estate.withWorkers(
    fleet,
    async () => {
      await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
      const halted = await estate.halted(workflowId, 90_000);
      expect(halted.halt?.step).toBe('preflightHost');
      expect(halted.halt?.reason).toMatch(/spoc-lon-2: the agent of spoc-lon-2 did not pick up "Preflight on spoc-lon-2/);
      expect(halted.summary.completedMembers).toEqual([]);
      expect(fleet.record.read()).toEqual([]);
      const agent = await createHostAgentWorker(conn, simHostAgentDeps(fleet.host('spoc-lon-2'), 20));
      return agent.runUntil(async () => {
        await estate.spoolflow.command(workflowId, { type: 'operator.retry' });
        return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
      });
    },
    { withoutAgents: ['spoc-lon-2'] },
  );
  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'] });
  expect(leftStopped(fleet.record.read())).toEqual({});
});

test('a host missing its SPOC log halts at the preflight naming host and file; nothing is stopped anywhere; retry after the fix finishes', async () => {
  const fleet = estate.fleet();
  const log = fleet.host('spoc-lon-2').localPath('C:\\Program Files\\Dispatcher Paragon\\SPOC\\logs\\spoc_lifecycle.log');
  const kept = readFileSync(log);
  rmSync(log);
  const workflowId = `halt-preflight-${randomUUID()}`;
  const output = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
    const halted = await estate.halted(workflowId);
    expect(halted.halt?.step).toBe('preflightHost');
    expect(halted.halt?.reason).toContain('spoc-lon-2: preflight on spoc-lon-2 failed, nothing was changed: the SPOC lifecycle log C:\\Program Files\\Dispatcher Paragon\\SPOC\\logs\\spoc_lifecycle.log does not exist');
    expect(halted.halt?.reason).not.toContain('spoc-lon-1:');
    expect(halted.summary.down).toEqual({});
    // The operation record: not one service stopped, on either member.
    expect(fleet.record.read()).toEqual([]);
    writeFileSync(log, kept);
    await estate.spoolflow.command(workflowId, { type: 'operator.retry' });
    return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
  });
  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'] });
  expect(leftStopped(fleet.record.read())).toEqual({});
});
