/**
 * Every SPOC scenario of the catalog runs on the simulated fleet, and the hosts receive exactly
 * the stops, starts and cache deletions its plan announces, in the same order.
 */
import { randomUUID } from 'node:crypto';
import { scenarioExamples } from '../../../simulator/example-inputs';
import { procedureById } from '../../../machines/catalog';
import { parseInput } from '../../../machines/core/input-errors';
import { planProcedure } from '../../../machines/core/plan';
import { PROTECTED_SERVICES } from '../../../machines/spoc/spoc-services';
import { plannedChanges, recordedChanges } from '../../helpers/plan-vs-record';
import { repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

const inventory = testInventory();
const examples = scenarioExamples(inventory);
const fast = { ...examples['create-group-from-standalone-spocs'].waits, convergenceSeconds: 1, betweenStartsSeconds: 1 };

const cases: [string, string, Record<string, unknown>][] = [
  ...Object.entries(examples).map(([id, input]) => [id, id, input] as [string, string, Record<string, unknown>]),
  [
    'add-spoc-to-group (a group of three)',
    'add-spoc-to-group',
    { ...examples['add-spoc-to-group'], group: 'prague', members: examples['remove-spoc-from-group'].members.concat(examples['remove-spoc-from-group'].removedMember ?? []) },
  ],
  ['move-spoc-to-another-group (one step)', 'move-spoc-to-another-group', { ...examples['move-spoc-to-another-group'], mode: 'one-step' }],
];

test.each(cases)('%s runs on the simulator exactly as planned', async (_title, id, example) => {
  const input = { ...example, waits: fast };
  const procedure = procedureById(id);
  const plan = planProcedure(procedure.machine, parseInput(procedure.inputSchema, id, input));
  const fleet = estate.fleet(inventory);
  const workflowId = `${id}-${randomUUID()}`;
  const output = await estate.run(fleet, id, input, workflowId);
  fleet.stop();

  expect(output.outcome).toBe('completed');
  expect(output.leftStopped).toEqual({});
  const record = fleet.record.read();
  const installDir = inventory.siteServers[0]?.installDir ?? '';
  expect(recordedChanges(record)).toEqual(plannedChanges(plan, () => installDir));
  expect(repeatedOperations(record)).toEqual([]);
  expect(record.some((e) => PROTECTED_SERVICES.includes(e.target))).toBe(false);
  // Every service is running again on every host the scenario touched.
  for (const host of procedure.hostsOf(parseInput(procedure.inputSchema, id, input) as never)) {
    const states = fleet.host(host).serviceStates();
    expect({ host, notRunning: Object.entries(states).filter(([, s]) => s !== 'RUNNING') }).toEqual({ host, notRunning: [] });
  }
});
