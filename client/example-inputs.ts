/**
 * Example inputs that run against the embedded simulated fleet in a minute or two: members come
 * from the inventory and the waits are set short explicitly (the runbook's defaults apply to any
 * wait an input leaves out).
 */
import type { GroupRestartInput } from '../machines/spoc-group-input';
import { Inventory, otherServicesOf, serverByHost } from '../simulator/inventory';

/** Waits short enough for the simulator, long enough for its scaled service times. */
export const SHORT_WAITS = {
  serviceTimeoutSeconds: 60,
  groupServiceTimeoutSeconds: 60,
  onlineTimeoutSeconds: 120,
  rescueTimeoutSeconds: 120,
  convergenceSeconds: 10,
  betweenStartsSeconds: 5,
};

export function groupRestartExample(inventory: Inventory, groupName?: string): GroupRestartInput {
  const group = groupName ? inventory.groups.find((g) => g.name === groupName) : inventory.groups[0];
  if (!group) throw new Error(`the inventory has no SPOC group ${groupName ?? ''}`.trim());
  return {
    group: group.name,
    members: group.members.map((host) => {
      const server = serverByHost(inventory, host);
      return { host: server.host, installDir: server.installDir, otherServices: otherServicesOf(server) };
    }),
    waits: { ...SHORT_WAITS },
  };
}
