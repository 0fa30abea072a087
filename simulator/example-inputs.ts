/**
 * Example inputs that run against the embedded simulated fleet in a minute or two: members come
 * from the inventory and the waits are set short explicitly (the runbook's defaults apply to any
 * wait an input leaves out). Waits below the runbook's floors need an override, so every example
 * carries {@link SIMULATOR_WAITS_OVERRIDE}, and its result says so.
 */
import type { GroupRestartInput, WaitsOverride } from '../machines/spoc/spoc-group-input';
import { Inventory, otherServicesOf, serverByHost } from './spoc/inventory';

/** Waits short enough for the simulator, long enough for its scaled service times. */
export const SHORT_WAITS = {
  serviceTimeoutSeconds: 60,
  groupServiceTimeoutSeconds: 60,
  onlineTimeoutSeconds: 120,
  rescueTimeoutSeconds: 120,
  convergenceSeconds: 10,
  betweenStartsSeconds: 5,
  hostPickupSeconds: 60,
  cacheDeletionTimeoutSeconds: 300,
};

/** The override the quick examples need for their waits below the runbook's floors. */
export const SIMULATOR_WAITS_OVERRIDE: WaitsOverride = {
  operator: 'spoolflow simulator',
  reason: "the simulated fleet runs on scaled time: its services start in seconds, so the runbook's minutes of waiting are seconds here",
};

function memberOf(inventory: Inventory, host: string) {
  const server = serverByHost(inventory, host);
  return { host: server.host, installDir: server.installDir, otherServices: otherServicesOf(server) };
}

function groupMembers(inventory: Inventory, name: string) {
  const group = inventory.groups.find((g) => g.name === name);
  if (!group) throw new Error(`the inventory has no SPOC group ${name}`);
  return group.members.map((h) => memberOf(inventory, h));
}

/** OS restart waits for the simulator: a quick restart request and a short settle wait. */
export const SHORT_OS_RESTART_WAITS = { ...SHORT_WAITS, restartDelaySeconds: 5, bootTimeoutSeconds: 300, settleSeconds: 10 };

/** Examples of the OS restarts on the default inventory: its standalone SPOCs, and a group. */
export function osRestartExamples(inventory: Inventory) {
  return {
    'restart-os-of-standalone-spocs': { spocs: inventory.standalone.map((h) => memberOf(inventory, h)), waits: { ...SHORT_OS_RESTART_WAITS }, waitsOverride: { ...SIMULATOR_WAITS_OVERRIDE } },
    'restart-os-of-group-members': { group: 'london', members: groupMembers(inventory, 'london'), waits: { ...SHORT_OS_RESTART_WAITS }, waitsOverride: { ...SIMULATOR_WAITS_OVERRIDE } },
  };
}

/** Examples of the SPOC scenarios on the default inventory (prague: 3 members, london: 2, spoc-bts-1 and -2 standalone). */
export function scenarioExamples(inventory: Inventory) {
  const prague = groupMembers(inventory, 'prague');
  const london = groupMembers(inventory, 'london');
  const standalone = memberOf(inventory, inventory.standalone[0] ?? 'spoc-bts-1');
  const waits = { ...SHORT_WAITS };
  const waitsOverride = { ...SIMULATOR_WAITS_OVERRIDE };
  return {
    'create-group-from-standalone-spocs': { group: 'london', members: london, spocs: 'newly-installed', waits, waitsOverride },
    'add-spoc-to-group': { group: 'london', members: london, newMember: standalone, waits, waitsOverride },
    'remove-spoc-from-group': { group: 'prague', members: prague.slice(0, 2), removedMember: prague[2], waits, waitsOverride },
    'move-spoc-to-another-group': { spoc: prague[2], from: { group: 'prague', members: prague.slice(0, 2) }, to: { group: 'london', members: london }, mode: 'two-steps', waits, waitsOverride },
    'ip-address-changed': { group: 'prague', changedHost: prague[0]?.host, members: prague.slice(1), waits, waitsOverride },
  };
}

export function groupRestartExample(inventory: Inventory, groupName?: string): GroupRestartInput {
  const group = groupName ?? inventory.groups[0]?.name;
  if (!group) throw new Error('the inventory has no SPOC group');
  return { group, members: groupMembers(inventory, group), waits: { ...SHORT_WAITS }, waitsOverride: { ...SIMULATOR_WAITS_OVERRIDE } };
}

/** The site a group's (or a standalone server's) first server is at, from the inventory. */
function siteOf(inventory: Inventory, host: string): string {
  return serverByHost(inventory, host).site;
}

/**
 * A fleet rollout over the default inventory: the OS restart of every group's members, and of
 * the standalone servers; two groups at a time, one per site, no new group after the first
 * halted or failed one; it asks its groups every 2 s whether they halted.
 */
export function fleetRolloutExample(inventory: Inventory) {
  const os = osRestartExamples(inventory);
  const groups = inventory.groups.map((g) => ({
    site: siteOf(inventory, g.members[0] ?? ''),
    input: { ...os['restart-os-of-group-members'], group: g.name, members: groupMembers(inventory, g.name) },
  }));
  const standalone = inventory.standalone.length > 0 ? [{ site: siteOf(inventory, inventory.standalone[0] ?? ''), procedure: 'restart-os-of-standalone-spocs', input: os['restart-os-of-standalone-spocs'] }] : [];
  return { procedure: 'restart-os-of-group-members', groups: [...groups, ...standalone], limits: { maxGroupsAtOnce: 2, maxGroupsPerSite: 1, failureBudget: 1 }, pollSeconds: 2 };
}
