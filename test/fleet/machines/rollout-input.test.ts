/**
 * The fleet rollout's input is refused before anything starts, naming the field and the rule:
 * its own fields (procedure, limits, window) and every group's input, checked by that group's
 * procedure.
 */
import { parseInput } from '../../../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../../../machines/fleet/fleet-rollout';
import { fleetRolloutExample, groupRestartExample } from '../../../simulator/example-inputs';
import { DEFAULT_INVENTORY_FILE, loadInventory } from '../../../simulator/spoc/inventory';

const inventory = loadInventory(DEFAULT_INVENTORY_FILE);
const valid = fleetRolloutExample(inventory);
const parse = (input: unknown) => parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, input);

test('the example input names every group with its site, procedure and child workflow id', () => {
  const parsed = parse(valid);
  expect(parsed.groups.map((g) => [g.name, g.site, g.procedure, g.workflowId])).toEqual([
    ['prague', 'prague', 'restart-os-of-group-members', 'spoc-group-prague'],
    ['london', 'london', 'restart-os-of-group-members', 'spoc-group-london'],
    ['standalone:bratislava', 'bratislava', 'restart-os-of-standalone-spocs', 'spoc-standalone-os-restart-bratislava'],
  ]);
  expect(parsed.limits.maxGroupsPerSite).toBe(1);
});

test('M defaults to N', () => {
  expect(parse({ ...valid, limits: { maxGroupsAtOnce: 3, failureBudget: 1 } }).limits.maxGroupsPerSite).toBe(3);
});

test.each([
  ['an unknown procedure', { ...valid, procedure: 'restart-the-world' }, /procedure: must be a procedure a rollout runs: restart-group-without-cache-deletion/],
  ['a procedure a rollout does not run', { ...valid, procedure: 'move-spoc-to-another-group' }, /procedure: must be a procedure a rollout runs/],
  ['N below 1', { ...valid, limits: { maxGroupsAtOnce: 0, failureBudget: 1 } }, /limits\.maxGroupsAtOnce: must be at least 1/],
  ['M below 1', { ...valid, limits: { maxGroupsAtOnce: 1, maxGroupsPerSite: 0, failureBudget: 1 } }, /limits\.maxGroupsPerSite: must be at least 1/],
  ['a failure budget of 0', { ...valid, limits: { maxGroupsAtOnce: 1, failureBudget: 0 } }, /limits\.failureBudget: must be at least 1/],
  ['negative seconds between starts', { ...valid, limits: { maxGroupsAtOnce: 1, failureBudget: 1, secondsBetweenStarts: -1 } }, /limits\.secondsBetweenStarts: must be 0 or more/],
  ['half a second between starts', { ...valid, limits: { maxGroupsAtOnce: 1, failureBudget: 1, secondsBetweenStarts: 0.5 } }, /limits\.secondsBetweenStarts: must be 0 \(not spaced\) or at least 1: a durable timer waits at least about a second/],
  ['a window that ends before it starts', { ...valid, window: { start: '2026-12-05T22:00:00Z', end: '2026-12-05T21:00:00Z' } }, /window\.end: end must be after start/],
  ['a window time without its offset', { ...valid, window: { start: '2026-12-05T22:00:00', end: '2026-12-06T04:00:00Z' } }, /window\.start: must be an ISO 8601 date and time with its offset/],
  ['no group', { ...valid, groups: [] }, /groups: must list at least one group/],
  ['a group listed twice', { ...valid, groups: [valid.groups[0], valid.groups[0]] }, /groups\.1: group prague is listed twice \(also at groups\.0\)/],
  ['a host in two groups', { ...valid, groups: [valid.groups[0], { site: 'prague', input: { ...groupRestartExample(inventory, 'prague'), group: 'prague-b' } }] }, /groups\.1\.input: host "spoc-prg-1" is also in groups\.0/],
  ['a group input its procedure refuses', { ...valid, groups: [{ site: 'london', input: { ...groupRestartExample(inventory, 'london'), members: [] } }] }, /groups\.0\.input\.members: /],
  ['an unknown field in a group input', { ...valid, groups: [{ site: 'london', input: { ...groupRestartExample(inventory, 'london'), gruop: 'x' } }] }, /groups\.0\.input: unknown field\(s\) "gruop"/],
  ['a group without its site', { ...valid, groups: [{ input: groupRestartExample(inventory, 'london') }] }, /groups\.0\.site: /],
  ['an unknown field of the rollout', { ...valid, maxGroups: 2 }, /maxGroups: unknown field "maxGroups"/],
])('refuses %s, naming the field and the rule', (_what, input, message) => {
  expect(() => parse(input)).toThrow(message);
});
