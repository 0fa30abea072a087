/**
 * The state a fleet rollout hands to its next run when it continues as new is checked against the
 * rollout's own input: the next run resumes exactly these groups, or refuses before any group starts.
 */
import { parseInput } from '../../../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../../../machines/fleet/fleet-rollout';
import { checkCarryOver, RolloutCarryOver } from '../../../machines/fleet/rollout-carry-over';
import { fleetRolloutExample } from '../../../simulator/example-inputs';
import { DEFAULT_INVENTORY_FILE, loadInventory } from '../../../simulator/spoc/inventory';

const input = parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, fleetRolloutExample(loadInventory(DEFAULT_INVENTORY_FILE)));
const carry: RolloutCarryOver = {
  groups: [
    { name: 'prague', site: 'prague', state: 'done', haltedOnce: true },
    { name: 'london', site: 'london', state: 'running' },
    { name: 'standalone:bratislava', site: 'bratislava', state: 'waiting' },
  ],
  times: { prague: { startedAt: '2026-12-05T22:00:00.000Z', endedAt: '2026-12-05T22:10:00.000Z' }, london: { startedAt: '2026-12-05T22:10:00.000Z' } },
  children: { prague: 'run-1', london: 'run-2' },
  paused: true,
  commands: [{ type: 'operator.pause', at: '2026-12-05T22:11:00.000Z', operator: 'jdoe' }],
  continuedAsNew: 1,
};

test('a carry-over for the same groups is taken as it is: states, failure budget used, children to follow, the pause', () => {
  expect(checkCarryOver(input, carry)).toEqual(carry);
});

test('a carry-over for other groups, or in another order, is refused naming both lists', () => {
  const swapped = { ...carry, groups: [carry.groups[1], carry.groups[0], carry.groups[2]] };
  expect(() => checkCarryOver(input, swapped)).toThrow('the carried-over groups (london, prague, standalone:bratislava) are not the input\'s (prague, london, standalone:bratislava)');
});

test('a running group without its child procedure to follow is refused', () => {
  expect(() => checkCarryOver(input, { ...carry, children: { prague: 'run-1' } })).toThrow('group(s) london run without a child procedure to follow');
});

test('a malformed carry-over names the field', () => {
  expect(() => checkCarryOver(input, { ...carry, paused: 'yes' })).toThrow(/malformed: paused: /);
  expect(() => checkCarryOver(input, { ...carry, extra: 1 })).toThrow(/malformed: .*extra/);
});

test('the history bound defaults to 10,000 events and may not be set below 50', () => {
  expect(input.continueAsNewAfterEvents).toBe(10_000);
  expect(() => parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, { ...fleetRolloutExample(loadInventory(DEFAULT_INVENTORY_FILE)), continueAsNewAfterEvents: 10 })).toThrow('continueAsNewAfterEvents: must be at least 50 (a run must have room to start its groups)');
});
