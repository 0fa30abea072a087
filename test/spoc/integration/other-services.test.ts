/**
 * Step 3's "stop all other YSoft services except the protected ones" on the simulator, whose
 * hosts also run Windows' own Print Spooler and WinRM: without a list, exactly the vendor services
 * that run (less role and protected ones) are stopped and started again; a list naming a service
 * that is not a vendor service there is refused before anything is stopped.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { GROUP_SERVICE, PROTECTED_SERVICES, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import { leftStopped } from '../../helpers/record-invariants';
import { waitUntil } from '../../helpers/scheduler-cluster';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

/** London's members as an operator who leaves `otherServices` out would give them. */
function londonWithoutLists() {
  const input = groupRestartExample(testInventory(), 'london');
  return {
    ...input,
    members: input.members.map(({ host, installDir }) => ({ host, installDir })),
    waits: { ...input.waits, convergenceSeconds: 1 },
  };
}

const ROLES = [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE];

test('without a list, exactly the running vendor services are stopped and started again: never Print Spooler, WinRM or a protected one', async () => {
  const fleet = estate.fleet();
  const lon1 = fleet.host('spoc-lon-1');
  // A vendor service that is not running before the procedure: it must be neither stopped nor started.
  lon1.requestStop('YSoftSQ-MPS');
  await waitUntil('the Mobile Print Server on spoc-lon-1 is stopped', () => lon1.serviceStates()['Dispatcher Paragon Mobile Print Server'] === 'STOPPED');
  const before = fleet.record.read().length;
  const workflowId = `others-default-${randomUUID()}`;
  const output = await estate.run(fleet, 'restart-group-without-cache-deletion', londonWithoutLists(), workflowId);
  expect(output.outcome).toBe('completed');
  const record = fleet.record.read().slice(before);
  const changed = (host: string, operation: string) =>
    record.filter((e) => e.host === host && e.operation === operation && e.outcome === 'accepted').map((e) => e.target).sort();
  const expected = {
    'spoc-lon-1': [...ROLES.filter((s) => s !== GROUP_SERVICE), 'Dispatcher Paragon FlexiSpooler'],
    'spoc-lon-2': [...ROLES.filter((s) => s !== GROUP_SERVICE), 'Dispatcher Paragon FlexiSpooler', 'Dispatcher Paragon Mobile Print Server'],
  };
  for (const [host, services] of Object.entries(expected)) {
    // The group service is stopped by the procedure and starts by itself after the SPOC.
    expect(changed(host, 'stop-service')).toEqual([...services, GROUP_SERVICE].sort());
    expect(changed(host, 'start-service')).toEqual([...services].sort());
  }
  const untouchable = ['Print Spooler', 'Windows Remote Management (WS-Management)', ...PROTECTED_SERVICES];
  expect(record.filter((e) => untouchable.includes(e.target))).toEqual([]);
  expect(lon1.serviceStates()['Print Spooler']).toBe('RUNNING');
  expect(leftStopped(record)).toEqual({});
});

test.each([
  ['a misspelt service', 'Dispatcher Paragon FlexiSpooer', 'the other service "Dispatcher Paragon FlexiSpooer" is not installed'],
  ['Print Spooler', 'Print Spooler', 'the other service "Print Spooler" is Spooler ("Print Spooler"), not a Dispatcher Paragon / YSoft service'],
])('a list naming %s is refused at the preflight, naming host and service, before anything is stopped', async (_what, name, reason) => {
  const fleet = estate.fleet();
  const input = londonWithoutLists();
  input.members = input.members.map((m) => (m.host === 'spoc-lon-2' ? { ...m, otherServices: ['Dispatcher Paragon FlexiSpooler', name] } : m));
  const workflowId = `others-refused-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
    const halted = await estate.halted(workflowId);
    expect(halted.halt?.step).toBe('preflightHost');
    expect(halted.halt?.reason).toContain(`spoc-lon-2: preflight on spoc-lon-2 failed, nothing was changed: ${reason}`);
    await estate.spoolflow.command(workflowId, { type: 'operator.abort', reason: 'fix the list' });
    await estate.spoolflow.result(workflowId);
  });
  expect(fleet.record.read()).toEqual([]);
});
