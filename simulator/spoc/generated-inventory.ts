/**
 * A generated inventory for a large simulated estate: N site servers spread over several sites,
 * most in SPOC groups of four, a few standalone at each site. Its service times are fixed (each
 * range a single value), so how long a restart takes on it follows from the timings alone: the
 * fleet bench computes its floor from them (bench/fleet-floor.ts).
 *
 * `FLEET_SERVERS=<n>` makes the simulated estate (`npm start`, `npm run bench:fleet`) use it.
 */
import { Inventory, inventorySchema, SimTimings } from './inventory';

/** Every site server's services: as on the default inventory's servers (role, three others, protected, Windows' own). */
const SERVICES = [
  { key: 'YSoftSQ-SPOC', display: 'Dispatcher Paragon Spooler Controller' },
  { key: 'YSoftSQ-SPOCGS', display: 'Dispatcher Paragon Spooler Controller Group Service' },
  { key: 'YSoftSQ-TS', display: 'Dispatcher Paragon Terminal Server' },
  { key: 'YSoftSQ-FSP', display: 'Dispatcher Paragon FlexiSpooler' },
  { key: 'YSoftSQ-MPS', display: 'Dispatcher Paragon Mobile Print Server' },
  { key: 'YSoftSQ-Management', display: 'Dispatcher Paragon Management Service' },
  { key: 'YSoftSQ-PGSQL', display: 'Dispatcher Paragon Bundled PostgreSQL 9.4' },
  { key: 'YSoftEtcd', display: 'Dispatcher Paragon Bundled Etcd' },
  { key: 'YSoftSQ-WPS', display: 'Dispatcher Paragon Workflow Processing System' },
  { key: 'Spooler', display: 'Print Spooler' },
  { key: 'WinRM', display: 'Windows Remote Management (WS-Management)' },
];

/** Fixed simulated durations (simulated seconds), within the runbook's ranges. */
export const GENERATED_TIMINGS: SimTimings = {
  stopSeconds: [5, 5],
  startSeconds: [10, 10],
  groupServiceAutoStartSeconds: [90, 90],
  onlineAfterStartSeconds: [30, 30],
  rescueSecondsPerJob: 0.5,
  recoverySecondsPerJob: 2,
  shutdownSeconds: [30, 30],
  bootSeconds: [120, 120],
};

export const GROUP_SIZE = 4;

export interface GeneratedEstateOptions {
  /** Site servers in all; at least one. */
  servers: number;
  /** Sites; default one per 125 servers (at least one). */
  sites?: number;
  /** Standalone servers per site, before the groups of four are formed; default 1. */
  standalonePerSite?: number;
  /** Simulated seconds per real second; default 60. */
  timeScale?: number;
  /** Jobs in each SPOC's cache: the rescue takes `rescueSecondsPerJob` per job; default 20. */
  jobsInCache?: number;
  seed?: number;
}

/**
 * The estate: sites `site-01`..; at each site its standalone servers, then groups of four
 * (`<site>-g001`..); servers that do not fill a group of four are standalone too. Servers are
 * spread over the sites round-robin, so the sites differ by at most one server.
 */
export function generateInventory(opts: GeneratedEstateOptions): Inventory {
  const servers = positiveInteger(opts.servers, 'servers');
  const sites = positiveInteger(opts.sites ?? Math.max(1, Math.round(servers / 125)), 'sites');
  const standalonePerSite = opts.standalonePerSite ?? 1;
  if (!Number.isInteger(standalonePerSite) || standalonePerSite < 0) throw new Error(`standalonePerSite must be a whole number of at least 0, not ${standalonePerSite}`);
  if (sites > servers) throw new Error(`sites (${sites}) must not be more than servers (${servers}): every site has a server`);
  const siteServers: Inventory['siteServers'] = [];
  const groups: Inventory['groups'] = [];
  const standalone: string[] = [];
  for (let s = 0; s < sites; s += 1) {
    const site = `site-${String(s + 1).padStart(2, '0')}`;
    const count = Math.floor(servers / sites) + (s < servers % sites ? 1 : 0);
    const hosts = Array.from({ length: count }, (_, i) => `spoc-${site}-${String(i + 1).padStart(4, '0')}`);
    for (const host of hosts) siteServers.push({ host, site, installDir: 'C:\\Program Files\\Dispatcher Paragon', services: SERVICES.map((x) => ({ ...x })), jobsInCache: opts.jobsInCache ?? 20 });
    const alone = Math.min(standalonePerSite, hosts.length);
    const grouped = hosts.slice(alone);
    const full = Math.floor(grouped.length / GROUP_SIZE);
    for (let g = 0; g < full; g += 1) groups.push({ name: `${site}-g${String(g + 1).padStart(3, '0')}`, members: grouped.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE) });
    standalone.push(...hosts.slice(0, alone), ...grouped.slice(full * GROUP_SIZE));
  }
  return inventorySchema.parse({
    timeScale: opts.timeScale ?? 60,
    seed: opts.seed ?? 1,
    managementServer: { host: 'dp-mgmt' },
    timings: GENERATED_TIMINGS,
    siteServers,
    groups,
    standalone,
  });
}

/** The generated estate when `FLEET_SERVERS` is set (a clear error when it is not a positive whole number), else undefined. */
export function inventoryFromEnv(env: NodeJS.ProcessEnv = process.env): Inventory | undefined {
  const raw = env.FLEET_SERVERS;
  if (raw === undefined || raw === '') return undefined;
  const servers = Number(raw);
  if (!Number.isInteger(servers) || servers < 1 || servers > 100_000) throw new Error(`FLEET_SERVERS must be a whole number from 1 to 100000, not "${raw}"`);
  return generateInventory({ servers });
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${field} must be a whole number of at least 1, not ${value}`);
  return value;
}
