/**
 * What a chaos run plans (chaos/procedures.ts): each membership scenario's input is one its
 * procedure takes, the hosts the invariants and the faults look at are the ones the procedure
 * touches, and it takes no lease a plain procedure planned beside it takes (the run expects every
 * procedure to end; one waiting on another's lease would be the harness's fault, not a break).
 */
import { leasesOf, procedureById } from '../../machines/catalog';
import { leaseWorkflowId } from '../../machines/core/leases';
import { groupProcedure, membershipScenario, MEMBERSHIP_SCENARIOS, standaloneOsRestart, type PlannedProcedure } from '../../chaos/procedures';
import { testInventory } from '../helpers/sim-fleet';

const inventory = testInventory();
const leaseIds = (p: PlannedProcedure) => leasesOf(procedureById(p.procedureId), procedureById(p.procedureId).inputSchema.parse(p.input)).map(leaseWorkflowId);

describe.each(MEMBERSHIP_SCENARIOS)('%s in a chaos run', (scenario) => {
  const planned = membershipScenario(inventory, scenario, 'test-1');
  const definition = procedureById(scenario);

  test('its input is valid for the procedure, and its hosts are the ones the procedure touches', () => {
    const parsed = definition.inputSchema.parse(planned.procedure.input);
    expect([...definition.hostsOf(parsed as never)].sort()).toEqual([...planned.procedure.hosts].sort());
  });

  test('no plain procedure planned beside it takes one of its leases', () => {
    const beside = [
      ...inventory.groups.filter((g) => !planned.groups.includes(g.name)).map((g) => groupProcedure(inventory, g.name, 'restart-group-without-cache-deletion', 'test-1')),
      ...(planned.standalone.length === 0 ? [standaloneOsRestart(inventory, 'test-1')] : []),
    ];
    const taken = new Set(leaseIds(planned.procedure));
    for (const p of beside) expect(leaseIds(p).filter((id) => taken.has(id))).toEqual([]);
  });
});

test('a SPOC removed from its group (also on its way to another, in two steps) has its group service left stopped by the runbook; no other scenario leaves one', () => {
  const prague3 = inventory.groups.find((g) => g.name === 'prague')?.members[2];
  expect(membershipScenario(inventory, 'remove-spoc-from-group', 'test-1').procedure.intentionallyStopped).toEqual({ [String(prague3)]: ['Dispatcher Paragon Spooler Controller Group Service'] });
  expect(membershipScenario(inventory, 'move-spoc-to-another-group', 'test-1').procedure.stoppedUnlessCompleted).toEqual({ [String(prague3)]: ['Dispatcher Paragon Spooler Controller Group Service'] });
  expect(MEMBERSHIP_SCENARIOS.filter((s) => membershipScenario(inventory, s, 'test-1').procedure.intentionallyStopped !== undefined)).toEqual(['remove-spoc-from-group']);
  expect(MEMBERSHIP_SCENARIOS.filter((s) => membershipScenario(inventory, s, 'test-1').procedure.stoppedUnlessCompleted !== undefined)).toEqual(['move-spoc-to-another-group']);
});

test('a scenario that takes a standalone SPOC names it, so the run plans no standalone OS restart beside it', () => {
  expect(membershipScenario(inventory, 'add-spoc-to-group', 'test-1').standalone).toEqual([inventory.standalone[0]]);
  expect(MEMBERSHIP_SCENARIOS.filter((s) => membershipScenario(inventory, s, 'test-1').standalone.length > 0)).toEqual(['add-spoc-to-group']);
});
