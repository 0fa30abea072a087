/**
 * OS restarts on the simulated fleet: the restart is issued on the host, whose agent goes down
 * with it and comes back after the boot; the procedure observes the new boot time, the services
 * and the Management Server. Standalone SPOCs restart together; group members one at a time; a
 * member found restarted in parallel leads to the restart with cache deletion.
 */
import { randomUUID } from 'node:crypto';
import { osRestartExamples } from '../../../simulator/example-inputs';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import type { OperationRecordEntry } from '../../../simulator/core/operation-record';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import type { SimFleet } from '../../../simulator/spoc/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import type { SimHostAgent } from '../../../simulator/spoc/sim-host-agents';

const estate = useSimulatedEstate();

const inventory = testInventory();
const examples = osRestartExamples(inventory);
const fastWaits = { ...examples['restart-os-of-group-members'].waits, settleSeconds: 2, restartDelaySeconds: 5 };

const lines = (record: OperationRecordEntry[], host: string, operation: string, outcome?: string) =>
  record.filter((e) => e.host === host && e.operation === operation && (outcome === undefined || e.outcome === outcome));
const at = (e: OperationRecordEntry | undefined) => Date.parse(e?.time ?? 'x');

function allRunning(fleet: SimFleet, host: string) {
  return { host, notRunning: Object.entries(fleet.host(host).serviceStates()).filter(([, s]) => s !== 'RUNNING') };
}

test('standalone SPOC servers restart in parallel, each once, and come back with every service running', async () => {
  const fleet = estate.fleet(inventory);
  const bootsBefore = Object.fromEntries(inventory.standalone.map((h) => [h, fleet.host(h).lastBootTime()]));
  const workflowId = `os-standalone-${randomUUID()}`;
  let agents: SimHostAgent[] = [];
  const output = await estate.run(fleet, 'restart-os-of-standalone-spocs', { ...examples['restart-os-of-standalone-spocs'], waits: fastWaits }, workflowId, { agents: (a) => (agents = a) });
  fleet.stop();
  // Each restarted host's agent went down with it and started again after the boot; the others ran on.
  expect(Object.fromEntries(agents.map((a) => [a.host.host, a.starts]))).toMatchObject({ 'spoc-bts-1': 2, 'spoc-bts-2': 2, 'spoc-lon-1': 1, 'spoc-prg-1': 1 });

  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-bts-1', 'spoc-bts-2'], leftStopped: {} });
  const record = fleet.record.read();
  for (const host of inventory.standalone) {
    expect(lines(record, host, 'restart-os', 'accepted')).toHaveLength(1);
    expect(lines(record, host, 'os-boot')).toHaveLength(1);
    expect(fleet.host(host).lastBootTime()).toBeGreaterThan(bootsBefore[host] ?? Infinity);
    expect(allRunning(fleet, host)).toEqual({ host, notRunning: [] });
  }
  // In parallel: the second server was asked to restart before the first had booted again.
  const requests = inventory.standalone.map((h) => at(lines(record, h, 'restart-os', 'accepted')[0])).sort();
  const firstBoot = Math.min(...inventory.standalone.map((h) => at(lines(record, h, 'os-boot')[0])));
  expect(requests[1]).toBeLessThan(firstBoot);
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
  // Each host's restart carries the procedure's request key, the same for every retry of the step.
  const handle = estate.client.workflow.getHandle(workflowId);
  const firstRunId = (await handle.describe()).runId;
  const history = await handle.fetchHistory();
  const keys = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'restartOs')
    .map((a) => (JSON.parse(Buffer.from(a?.input?.payloads?.[0]?.data ?? []).toString()) as { requestKey?: string }).requestKey);
  expect(keys.sort()).toEqual(inventory.standalone.map((h) => `${workflowId}/${firstRunId}/restartOs@${h}`).sort());
});

test('group members restart one at a time: never two down at once, each back online before the next', async () => {
  const fleet = estate.fleet(inventory);
  const workflowId = `os-group-${randomUUID()}`;
  const members = ['spoc-lon-1', 'spoc-lon-2'];
  const output = await estate.run(fleet, 'restart-os-of-group-members', { ...examples['restart-os-of-group-members'], waits: fastWaits }, workflowId);
  fleet.stop();

  expect(output).toMatchObject({ outcome: 'completed', completedMembers: members, leftStopped: {}, notes: [] });
  const record = fleet.record.read();
  expect(maxMembersDownAtOnce(record, members)).toBe(1);
  expect(record.some((e) => e.operation === 'delete-cache')).toBe(false);
  // lon-2 was asked to restart only after lon-1 had booted, plus the settle wait.
  const firstBoot = at(lines(record, 'spoc-lon-1', 'os-boot')[0]);
  const secondRequest = at(lines(record, 'spoc-lon-2', 'restart-os', 'accepted')[0]);
  expect(secondRequest - firstBoot).toBeGreaterThanOrEqual(fastWaits.settleSeconds * 1000);
  for (const host of members) {
    expect(lines(record, host, 'restart-os', 'accepted')).toHaveLength(1);
    expect(allRunning(fleet, host)).toEqual({ host, notRunning: [] });
  }
  expect(repeatedOperations(record)).toEqual([]);
});

test('a member restarted by hand while another restarts: the group is restarted with cache deletion on all members', async () => {
  const fleet = estate.fleet(inventory);
  const workflowId = `os-parallel-${randomUUID()}`;
  const members = ['spoc-prg-1', 'spoc-prg-2', 'spoc-prg-3'];
  const input = {
    group: 'prague',
    members: members.map((host) => ({ host, installDir: inventory.siteServers[0]?.installDir, otherServices: ['Dispatcher Paragon FlexiSpooler'] })),
    waits: { ...fastWaits, restartDelaySeconds: 30 },
    waitsOverride: examples['restart-os-of-group-members'].waitsOverride,
  };
  const output = (await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-os-of-group-members', input, { workflowId });
    // As soon as spoolflow asked spoc-prg-1 to restart, someone restarts spoc-prg-2 by hand.
    await estate.waitForStatus(workflowId, (s) => s.step === 'awaitHostRestarted', 60_000);
    expect(fleet.host('spoc-prg-2').requestOsRestart(0)).toBe('accepted');
    return estate.spoolflow.result(workflowId);
  })) as SpocProcedureOutput;
  fleet.stop();

  expect(output.outcome).toBe('completed');
  expect(output.notes[0]).toMatch(/spoc-prg-2 went down while another member restarted: several members were restarted in parallel/);
  expect(output.completedMembers).toEqual(members);
  const record = fleet.record.read();
  expect(members.map((h) => lines(record, h, 'delete-cache', 'deleted').length)).toEqual([1, 1, 1]);
  // spoolflow restarted only spoc-prg-1's OS; the recovery stopped and started the services.
  expect(record.filter((e) => e.operation === 'restart-os' && e.outcome === 'accepted').map((e) => e.host)).toEqual(['spoc-prg-1', 'spoc-prg-2']);
  for (const host of members) expect(allRunning(fleet, host)).toEqual({ host, notRunning: [] });
  expect(leftStopped(record)).toEqual({});
});

test('a service that does not come back after the boot halts the wait for the host; started by hand, a retry finishes', async () => {
  const fleet = estate.fleet(inventory);
  fleet.host('spoc-bts-2').setFaults({ services: { [TERMINAL_SERVER_SERVICE]: 'wont-start' } });
  const workflowId = `os-fault-${randomUUID()}`;
  const output = (await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-os-of-standalone-spocs', { ...examples['restart-os-of-standalone-spocs'], waits: { ...fastWaits, bootTimeoutSeconds: 10 } }, { workflowId });
    const halted = await estate.halted(workflowId, 90_000);
    expect(halted.halt?.reason).toMatch(/spoc-bts-2: Dispatcher Paragon Terminal Server on spoc-bts-2 did not reach RUNNING/);
    // The other server went on and finished meanwhile.
    expect(allRunning(fleet, 'spoc-bts-1')).toEqual({ host: 'spoc-bts-1', notRunning: [] });
    fleet.host('spoc-bts-2').setFaults({});
    const key = inventory.siteServers.find((s) => s.host === 'spoc-bts-2')?.services.find((s) => s.display === TERMINAL_SERVER_SERVICE)?.key ?? '';
    expect(fleet.host('spoc-bts-2').requestStart(key)).toBe('accepted');
    await estate.spoolflow.command(workflowId, { type: 'operator.retry' });
    return estate.spoolflow.result(workflowId);
  })) as SpocProcedureOutput;
  fleet.stop();
  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-bts-1', 'spoc-bts-2'] });
  // The retry did not restart the host again.
  expect(lines(fleet.record.read(), 'spoc-bts-2', 'restart-os', 'accepted')).toHaveLength(1);
});
