/**
 * `spoolflow sim ...`: look at and disturb the simulated fleet of a data folder, also while
 * `npm start` runs it (the running fleet picks up the change from the hosts' state files).
 *
 *   spoolflow sim status
 *   spoolflow sim fault <host> [--never-online] [--rescue-never-finishes] [--wont-stop <service>] [--wont-start <service>] [--slow <factor>] [--clear]
 *   spoolflow sim load <host> <activeJobs>
 *   spoolflow sim management-server up|down
 */
import path from 'node:path';
import { dataDir } from '../engine/data-dir';
import { DEFAULT_INVENTORY_FILE, loadInventory } from '../simulator/spoc/inventory';
import { SimFleet } from '../simulator/spoc/sim-fleet';
import type { SimFaults } from '../simulator/spoc/sim-host';
import { UsageError } from './errors';

export class SimUsageError extends UsageError {}

function openFleet(): SimFleet {
  return new SimFleet(loadInventory(process.env.SPOOLFLOW_INVENTORY ?? DEFAULT_INVENTORY_FILE), path.join(dataDir(), 'sim'));
}

export function simCommand(args: string[], flags: Record<string, string | true>): unknown {
  const [sub, a, b] = args;
  const fleet = openFleet();
  switch (sub) {
    case 'status':
      return {
        managementServer: fleet.managementServerDown ? 'down' : 'up',
        hosts: [...fleet.hosts.values()].map((h) => ({
          host: h.host,
          services: h.serviceStates(),
          lifecycle: h.lifecycle(),
          online: h.isOnline(),
          windows: h.power(),
          lastBoot: new Date(h.lastBootTime()).toISOString(),
          activeJobs: h.activeJobs(),
          cacheJobs: h.cacheJobs(),
          faults: h.faults(),
        })),
      };
    case 'fault': {
      if (!a) throw new SimUsageError('sim fault needs a host');
      const host = fleet.host(a);
      const faults: SimFaults = flags.clear ? {} : { ...host.faults() };
      if (flags['never-online']) faults.neverOnline = true;
      if (flags['rescue-never-finishes']) faults.rescueNeverFinishes = true;
      if (typeof flags.slow === 'string') {
        const factor = Number(flags.slow);
        if (!(factor >= 1 && factor <= 100)) throw new SimUsageError('--slow must be a factor from 1 to 100');
        faults.slowFactor = factor;
      }
      for (const [flag, fault] of [['wont-stop', 'wont-stop'], ['wont-start', 'wont-start']] as const) {
        const service = flags[flag];
        if (typeof service !== 'string') continue;
        if (!host.server.services.some((s) => s.display === service)) throw new SimUsageError(`${a} has no service "${service}"; see spoolflow sim status`);
        faults.services = { ...faults.services, [service]: fault };
      }
      host.setFaults(faults);
      return { host: host.host, faults: host.faults() };
    }
    case 'load': {
      const jobs = Number(b);
      if (!a || !Number.isInteger(jobs) || jobs < 0) throw new SimUsageError('sim load needs a host and a number of active jobs');
      fleet.host(a).setLoad(jobs);
      return { host: a, activeJobs: jobs };
    }
    case 'restart-os': {
      // As if someone restarted the server by hand (Windows updates): what a parallel restart looks like.
      if (!a) throw new SimUsageError('sim restart-os needs a host');
      return { host: a, restart: fleet.host(a).requestOsRestart(0) };
    }
    case 'management-server':
      if (a !== 'up' && a !== 'down') throw new SimUsageError('sim management-server needs up or down');
      fleet.managementServerDown = a === 'down';
      return { managementServer: a };
    case undefined:
    default:
      throw new SimUsageError(sub ? `unknown sim command "${sub}"` : 'sim needs a command: status, fault, load, restart-os, management-server');
  }
}
