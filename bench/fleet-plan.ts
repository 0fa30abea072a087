/**
 * The fleet bench's plan: the rollout's units over a generated estate, each with its floor: a
 * site's standalone servers first, then the groups, the sites taken in turn.
 */
import { SHORT_OS_RESTART_WAITS, SHORT_WAITS, SIMULATOR_WAITS_OVERRIDE } from '../simulator/example-inputs';
import { Inventory, otherServicesOf, serverByHost } from '../simulator/spoc/inventory';
import { groupRestartSeconds, standaloneRestartSeconds, TimedTarget } from './fleet-floor';

export interface PlannedTarget {
  rollout: { site: string; procedure?: string; input: unknown };
  timed: TimedTarget;
  workflowId: string;
}

function memberOf(inventory: Inventory, host: string) {
  const server = serverByHost(inventory, host);
  return { host: server.host, installDir: server.installDir, otherServices: otherServicesOf(server) };
}

/** The rollout's units with their floors: a site's standalone servers first, then the groups, the sites taken in turn. */
export function planTargets(inventory: Inventory, convergenceSeconds: number): PlannedTarget[] {
  // Generous step timeouts: a step's time counts from when it was scheduled, and a saturated dev
  // server took over 60 s to hand a step to its agent (the 1,000-server run halted two groups so).
  const generous = { hostPickupSeconds: 300, serviceTimeoutSeconds: 300, groupServiceTimeoutSeconds: 300, onlineTimeoutSeconds: 600, rescueTimeoutSeconds: 600 };
  const waits = { ...SHORT_WAITS, convergenceSeconds: convergenceSeconds, ...generous };
  const osWaits = { ...SHORT_OS_RESTART_WAITS, ...generous };
  const siteOf = (host: string) => serverByHost(inventory, host).site;
  const sites = [...new Set(inventory.siteServers.map((s) => s.site))];
  const standalone: PlannedTarget[] = sites
    .map((site) => inventory.standalone.filter((h) => siteOf(h) === site))
    .filter((hosts) => hosts.length > 0)
    .map((hosts) => {
      const site = siteOf(hosts[0] ?? '');
      const seconds = standaloneRestartSeconds({ timings: inventory.timings, timeScale: inventory.timeScale, restartDelaySeconds: osWaits.restartDelaySeconds });
      return {
        rollout: { site, procedure: 'restart-os-of-standalone-spocs', input: { spocs: hosts.map((h) => memberOf(inventory, h)), waits: osWaits, waitsOverride: { ...SIMULATOR_WAITS_OVERRIDE } } },
        timed: { name: `standalone:${site}`, site, seconds },
        workflowId: `spoc-standalone-os-restart-${site}`,
      };
    });
  const bySite = sites.map((site) => inventory.groups.filter((g) => siteOf(g.members[0] ?? '') === site));
  const groups: PlannedTarget[] = [];
  for (let i = 0; bySite.some((list) => i < list.length); i += 1) {
    for (const list of bySite) {
      const group = list[i];
      if (!group) continue;
      const first = serverByHost(inventory, group.members[0] ?? '');
      const seconds = groupRestartSeconds(group.members.length, { timings: inventory.timings, timeScale: inventory.timeScale, jobsInCache: first.jobsInCache, otherServices: otherServicesOf(first).length, convergenceSeconds: convergenceSeconds });
      groups.push({
        rollout: { site: first.site, input: { group: group.name, members: group.members.map((h) => memberOf(inventory, h)), waits, waitsOverride: { ...SIMULATOR_WAITS_OVERRIDE } } },
        timed: { name: group.name, site: first.site, seconds },
        workflowId: `spoc-group-${group.name}`,
      });
    }
  }
  return [...standalone, ...groups];
}

