/**
 * `spoolflow plan fleet-rollout`: the waves the rate control gives and the rules in the operator's
 * words, from the rollout's own decision; nothing started.
 */
import { parseInput } from '../../../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../../../machines/fleet/fleet-rollout';
import { planRollout } from '../../../machines/fleet/rollout-waves';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { DEFAULT_INVENTORY_FILE, loadInventory, type Inventory } from '../../../simulator/spoc/inventory';

const base = loadInventory(DEFAULT_INVENTORY_FILE);

/** `count` groups of two, spread over `sites` sites in turn (group g<i> at site s<i mod sites>). */
function rollout(count: number, sites: number, limits: { maxGroupsAtOnce: number; maxGroupsPerSite?: number; failureBudget: number; secondsBetweenStarts?: number }, extra: object = {}) {
  const template = base.siteServers[0]!;
  const names = Array.from({ length: count }, (_, i) => `g${i + 1}`);
  const siteOf = (i: number) => `s${(i % sites) + 1}`;
  const inventory: Inventory = {
    ...base,
    siteServers: names.flatMap((g, i) => [1, 2].map((n) => ({ ...template, host: `spoc-${g}-${n}`, site: siteOf(i) }))),
    groups: names.map((name) => ({ name, members: [`spoc-${name}-1`, `spoc-${name}-2`] })),
    standalone: [],
  };
  const raw = { procedure: 'restart-group-without-cache-deletion', groups: names.map((g, i) => ({ site: siteOf(i), input: groupRestartExample(inventory, g) })), limits, ...extra };
  return parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, raw);
}

test('waves hold at most N groups and at most M of one site, in the order of the input', () => {
  const plan = planRollout(rollout(5, 2, { maxGroupsAtOnce: 3, maxGroupsPerSite: 1, failureBudget: 1 }));
  expect(plan.waves.map((w) => w.groups.map((g) => g.name))).toEqual([['g1', 'g2'], ['g3', 'g4'], ['g5']]);
  expect(plan.waves[0]?.says).toBe('wave 1: g1 (site s1), g2 (site s2)');
  expect(plan.waves[0]?.groups[0]).toMatchObject({ workflowId: 'spoc-group-g1', hosts: ['spoc-g1-1', 'spoc-g1-2'], procedure: 'restart-group-without-cache-deletion' });
  expect(plan.waves[0]?.groups[0]?.steps).toBeGreaterThan(0);
  expect(plan).toMatchObject({ groups: 5, sites: 2 });
});

test('spaced starts keep the waves the limits give, and the rules say how long a wave takes to start', () => {
  const plan = planRollout(rollout(5, 2, { maxGroupsAtOnce: 3, maxGroupsPerSite: 1, failureBudget: 1, secondsBetweenStarts: 30 }));
  expect(plan.waves.map((w) => w.groups.map((g) => g.name))).toEqual([['g1', 'g2'], ['g3', 'g4'], ['g5']]);
  expect(plan.rules[1]).toBe('At least 30 s between two group starts, also when places are free: a wave of w groups takes 30 s × (w - 1) to start.');
});

test('the rules say N, M, the failure budget, the window and how to pause, in the operator\'s words', () => {
  const window = { start: '2026-12-05T22:00:00Z', end: '2026-12-06T02:00:00Z' };
  const plan = planRollout(rollout(2, 2, { maxGroupsAtOnce: 4, maxGroupsPerSite: 2, failureBudget: 3 }, { window }));
  expect(plan.rules.slice(0, 4)).toEqual([
    'At most 4 group(s) at a time, and at most 2 of one site at a time.',
    'Failure budget 3: once 3 group(s) have halted or failed, no new group starts; the groups running go on, the waiting ones are reported not started.',
    'Maintenance window 2026-12-05T22:00:00Z to 2026-12-06T02:00:00Z (240 min): no group starts before its start or from its end on; groups running at its end finish by their own rules, the waiting ones are reported not started.',
    'Pause and resume at any time: spoolflow rollout pause|resume <workflow id> (running groups go on; nothing starts while paused).',
  ]);
  expect(planRollout(rollout(1, 1, { maxGroupsAtOnce: 1, failureBudget: 1 })).rules[2]).toBe('No maintenance window: groups start whenever the limits allow.');
});

test('12 groups over 4 sites, 3 at a time and one per site, plan as 4 waves of 3 sites each', () => {
  const plan = planRollout(rollout(12, 4, { maxGroupsAtOnce: 3, maxGroupsPerSite: 1, failureBudget: 5 }));
  expect(plan.waves).toHaveLength(4);
  expect(plan.waves.every((w) => w.groups.length === 3 && new Set(w.groups.map((g) => g.site)).size === 3)).toBe(true);
});
