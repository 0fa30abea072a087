/**
 * The fleet configuration: what the central worker knows of the estate it runs procedures on, in
 * one JSON file (`spoolflow worker --fleet <file>`, or SPOOLFLOW_FLEET). The procedures' inputs
 * name hosts, groups and clusters; this file says where they are and how to look at them: the
 * Management Server, every SPOC site server (the address and ports to probe), the SPOC groups as
 * the Management Server has them, the JobScheduler hosts and the folder of their cluster
 * databases, and an optional load source. `spoolflow fleet status` reads its hosts too.
 *
 * An estate has a SPOC part (managementServer and siteServers, with spocGroups, spocProbe and
 * loadSource), a JobScheduler part (`jobScheduler`), a spool cleaning (`spoolCleaning`,
 * spool-cleaning-section.ts), or any of them together; the SPOC part comes whole or not at all, and
 * a configuration with none is refused.
 *
 * It lives with the central worker, not in a folder of its own: the central worker and the CLI
 * beside it are its only readers (a host's agent has a configuration of its own). The Management
 * Server adapter (activities/spoc/management-server-adapter.ts) takes plain options, built here.
 *
 * Validated strictly before anything starts: unknown fields are refused at every level, and every
 * error names the field and the rule (`siteServers.1.host: ...`). Paths (caFile, the cluster
 * database folder, the state folder) are relative to the file's own folder; the first two must exist.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../machines/core/input-errors';
import { hostNameSchema, normalNameSchema, printableText } from '../machines/core/input-rules';
import type { ManagementServerAdapterOptions } from '../activities/spoc/management-server-adapter';
import type { HttpTarget } from '../activities/spoc/http-get';
import type { LoadSource } from '../activities/spoc/load-source';
import { spoolCleaningPart, spoolCleaningSectionSchema, type SpoolCleaningPart } from './spool-cleaning-section';

/** The vendor's ports: the SPOC's service port and the Terminal Server's. */
export const SPOC_PORT = 5555;
export const TERMINAL_SERVER_PORT = 5022;

const port = z.number().int('must be a whole number').min(1, 'must be a TCP port, 1-65535').max(65535, 'must be a TCP port, 1-65535');
const seconds = (min: number, max: number) => z.number().min(min, `must be at least ${min} s`).max(max, `must be at most ${max} s`);
const filePath = printableText(4096).refine((p) => p.trim() !== '', 'must not be blank: give a path');

const httpUrl = printableText(2048).refine((text) => {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL without user or password in it, e.g. https://dp-mgmt.example.com/');

/** How to reach an HTTP(S) endpoint: the URL, whom to trust, how long to wait. */
const httpEndpoint = (defaultTimeout: number) => ({
  url: httpUrl,
  /** PEM of the CA that signed its certificate (a private CA). */
  caFile: filePath.optional(),
  /** Accept a certificate nobody vouches for (self-signed): encrypted, not authenticated. */
  insecure: z.boolean().default(false),
  timeoutSeconds: seconds(1, 120).default(defaultTimeout),
});

const noCaWithInsecure = (e: { caFile?: string | undefined; insecure: boolean }) => !(e.insecure && e.caFile !== undefined);
const NO_CA_WITH_INSECURE = { message: 'caFile and insecure: true exclude each other: with a CA the certificate is checked, insecure turns the check off', path: ['insecure'] };

const siteServerSchema = z
  .object({
    host: hostNameSchema,
    /** Name or IP address to probe; the host name when absent. */
    address: printableText(253).refine((a) => a.trim() !== '' && !/\s/.test(a), 'must be a host name or IP address, without spaces').optional(),
    spocPort: port.default(SPOC_PORT),
    terminalServerPort: port.default(TERMINAL_SERVER_PORT),
  })
  .strict();

/** How the SPOCs are probed: the vendor's load-balancer guide probes every 5 s, down after 3 failures. */
const spocProbeSchema = z
  .object({
    intervalSeconds: seconds(1, 300).default(5),
    failuresBeforeDown: z.number().int('must be a whole number').min(1, 'must be at least 1').max(20, 'must be at most 20').default(3),
    connectTimeoutSeconds: seconds(0.1, 60).default(3),
  })
  .strict();

/**
 * The load source, and how fresh its answer must be. `requireAsOf` defaults to true because an
 * answer that carries no time cannot be told from a cached or stale report, and a stale "0 active
 * jobs" would let a restart cut printing off; an operator whose source cannot stamp its answer
 * turns it off knowingly (and is warned at every start).
 */
const loadSourceSchema = z
  .object({
    ...httpEndpoint(5),
    /** An answer (or a host's count) older than this, by the central worker's clock, makes the load unknown. */
    maxAgeSeconds: seconds(1, 3600).default(60),
    /** Refuse answers without `asOf` (the safe default); false takes such an answer as current. */
    requireAsOf: z.boolean().default(true),
  })
  .strict()
  .refine(noCaWithInsecure, NO_CA_WITH_INSECURE);

/** The fields of the SPOC part besides managementServer and siteServers: they mean nothing without them. */
const SPOC_PART_EXTRAS = ['spocGroups', 'spocProbe', 'loadSource'] as const;

export const fleetConfigSchema = z
  .object({
    /** The SPOC part: the Management Server and its site servers, both or neither. */
    managementServer: z.object(httpEndpoint(10)).strict().refine(noCaWithInsecure, NO_CA_WITH_INSECURE).optional(),
    siteServers: z.array(siteServerSchema).min(1, 'must list at least one SPOC site server').optional(),
    /** Group name → its members, as Devices > Spooler Controller Groups shows them. */
    spocGroups: z.record(z.string(), z.array(hostNameSchema)).optional(),
    spocProbe: spocProbeSchema.optional(),
    loadSource: loadSourceSchema.optional(),
    /** The central worker's own state (the SPOC probes'); default `<SPOOLFLOW_DATA_DIR>/central-worker`. */
    stateFolder: filePath.optional(),
    jobScheduler: z
      .object({
        /** The folder of spoolflow's cluster databases the supervisors may open (SPOOLFLOW_CLUSTER_DB_DIR's role). */
        clusterDatabaseDir: filePath.optional(),
        /** The hosts of the cluster members, whose agents `fleet status` looks for. */
        hosts: z.array(hostNameSchema).default([]),
      })
      .strict()
      .optional(),
    /** The spool cleaning: its configuration and the Job Service's store (spool-cleaning-section.ts). */
    spoolCleaning: spoolCleaningSectionSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    checkParts(config, ctx);
    checkSiteServersAndGroups(config.siteServers ?? [], config.spocGroups ?? {}, ctx);
  });

type ParsedFleet = z.output<typeof fleetConfigSchema>;

/** An estate has a SPOC part, a JobScheduler part or both; the SPOC part comes whole or not at all. */
function checkParts(config: ParsedFleet, ctx: z.RefinementCtx): void {
  const hasManagementServer = config.managementServer !== undefined;
  if (!hasManagementServer && config.siteServers === undefined && config.jobScheduler === undefined && config.spoolCleaning === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message:
        'the fleet configuration describes no part of the estate: give the SPOC part (managementServer and siteServers, with spocGroups, spocProbe and loadSource as needed), a jobScheduler section, a spoolCleaning section, or several of them',
    });
    return;
  }
  if (hasManagementServer && config.siteServers === undefined) {
    ctx.addIssue({ code: 'custom', path: ['siteServers'], message: 'is required with managementServer: list every SPOC site server the procedures may name' });
  }
  if (!hasManagementServer && config.siteServers !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['managementServer'], message: "is required with siteServers: the SPOC part needs the Management Server's web interface (url)" });
  }
  if (hasManagementServer || config.siteServers !== undefined) return;
  for (const field of SPOC_PART_EXTRAS) {
    if (config[field] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: `belongs to the SPOC part, which this configuration does not have: add managementServer and siteServers, or remove ${field}` });
    }
  }
}

/** Each site server once; each group of two or more configured site servers; each SPOC in one group. */
function checkSiteServersAndGroups(siteServers: ParsedFleet['siteServers'] & object, spocGroups: Record<string, string[]>, ctx: z.RefinementCtx): void {
  const hosts = new Map<string, number>();
  siteServers.forEach((s, i) => {
    const first = hosts.get(s.host);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['siteServers', i, 'host'], message: `"${s.host}" is listed twice (also siteServers.${first}.host; case and a trailing dot do not make another host)` });
    else hosts.set(s.host, i);
  });
  const groupOf = new Map<string, string>();
  const groupNames = new Map<string, string>();
  for (const [written, members] of Object.entries(spocGroups)) {
    const named = normalNameSchema('a group name').safeParse(written);
    if (!named.success) {
      ctx.addIssue({ code: 'custom', path: ['spocGroups', written], message: `the group name ${describeIssues(named.error.issues).replace(/^\(input\): /, '')}` });
      continue;
    }
    const group = named.data;
    const other = groupNames.get(group);
    if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['spocGroups', written], message: `names the same group as "${other}" (group names are taken in lower case, without surrounding spaces or a trailing dot)` });
    groupNames.set(group, written);
    if (members.length < 2) ctx.addIssue({ code: 'custom', path: ['spocGroups', written], message: 'a SPOC group has at least two SPOC servers (a one-member group is not supported)' });
    members.forEach((host, i) => {
      if (!hosts.has(host)) ctx.addIssue({ code: 'custom', path: ['spocGroups', written, i], message: `"${host}" is not a site server of siteServers: list it there first` });
      const already = groupOf.get(host);
      if (already !== undefined) ctx.addIssue({ code: 'custom', path: ['spocGroups', written, i], message: `"${host}" is already a member of group "${already}": a SPOC is in at most one group` });
      else groupOf.set(host, group);
    });
  }
}

export type FleetConfig = z.output<typeof fleetConfigSchema>;

/** The fleet configuration is missing, not JSON, or breaks a rule; the message names each field. */
export class FleetConfigError extends Error {
  override readonly name = 'FleetConfigError';
}

/** `--fleet` or SPOOLFLOW_FLEET was not given: the worker cannot know the estate. */
export class FleetFileMissingError extends Error {
  override readonly name = 'FleetFileMissingError';
}

/** The fleet configuration file: `--fleet`, else SPOOLFLOW_FLEET. */
export function fleetFileOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const file = flag ?? (env.SPOOLFLOW_FLEET?.trim() || undefined);
  if (!file) throw new FleetFileMissingError('the fleet configuration is required: --fleet <file> or SPOOLFLOW_FLEET=<file> (see deploy/fleet.example.json)');
  return file;
}

/** The SPOC part of a loaded configuration: what the Management Server adapter is built from. */
export interface SpocPart {
  managementServer: HttpTarget;
  loadSource: LoadSource | undefined;
  siteServers: SiteServer[];
  /** Group name (normal form) → its members. */
  groups: Record<string, string[]>;
  probe: z.output<typeof spocProbeSchema>;
}

export type SiteServer = z.output<typeof siteServerSchema>;

/** A fleet configuration with its paths resolved against its file's folder and its groups by their normal names. */
export interface LoadedFleet {
  file: string;
  config: FleetConfig;
  /** Undefined for an estate without SPOCs (a `jobScheduler` section only). */
  spoc: SpocPart | undefined;
  /** Absolute; undefined without `jobScheduler.clusterDatabaseDir`. */
  clusterDatabaseDir: string | undefined;
  /** Absolute; undefined when the configuration names none (the central worker then takes its data folder's). */
  stateFolder: string | undefined;
  /** Undefined without a `spoolCleaning` section. */
  spoolCleaning: SpoolCleaningPart | undefined;
  /** Every host whose agent should poll: the site servers, the JobScheduler hosts, then the spoolers. */
  hosts: string[];
}

/** Reads, validates and resolves the fleet configuration file; throws FleetConfigError naming the fields. */
export function loadFleetConfig(file: string): LoadedFleet {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new FleetConfigError(`cannot read the fleet configuration ${absolute}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FleetConfigError(`the fleet configuration ${absolute} is not valid JSON: ${(err as Error).message}`);
  }
  return resolveFleetConfig(json, absolute);
}

/** Validates a parsed configuration; `file` is where it came from (paths are relative to its folder). */
export function resolveFleetConfig(json: unknown, file: string): LoadedFleet {
  const parsed = fleetConfigSchema.safeParse(json);
  if (!parsed.success) throw new FleetConfigError(`invalid fleet configuration ${file}: ${describeIssues(parsed.error.issues)}`);
  const config = parsed.data;
  const folder = path.dirname(file);
  const problems: string[] = [];
  const resolveFile = (value: string | undefined, field: string): Buffer | undefined => {
    if (value === undefined) return undefined;
    const at = path.resolve(folder, value);
    try {
      const pem = readFileSync(at);
      if (!pem.includes('-----BEGIN')) problems.push(`${field}: ${at} is not a PEM file (no "-----BEGIN" line)`);
      return pem;
    } catch (err) {
      problems.push(`${field}: cannot read ${at} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give the PEM file of the CA`);
      return undefined;
    }
  };
  const target = (e: { url: string; caFile?: string | undefined; insecure: boolean; timeoutSeconds: number }, field: string): HttpTarget => {
    const ca = resolveFile(e.caFile, `${field}.caFile`);
    return { url: e.url, ...(ca ? { ca } : {}), insecure: e.insecure, timeoutMs: Math.round(e.timeoutSeconds * 1000) };
  };
  let spoc: SpocPart | undefined;
  if (config.managementServer && config.siteServers) {
    const source = config.loadSource;
    spoc = {
      managementServer: target(config.managementServer, 'managementServer'),
      loadSource: source ? { ...target(source, 'loadSource'), maxAgeMs: source.maxAgeSeconds * 1000, requireAsOf: source.requireAsOf } : undefined,
      siteServers: config.siteServers,
      groups: Object.fromEntries(Object.entries(config.spocGroups ?? {}).map(([name, members]) => [normalNameSchema('a group name').parse(name), members])),
      probe: spocProbeSchema.parse(config.spocProbe ?? {}),
    };
  }
  let clusterDatabaseDir: string | undefined;
  if (config.jobScheduler?.clusterDatabaseDir !== undefined) {
    clusterDatabaseDir = path.resolve(folder, config.jobScheduler.clusterDatabaseDir);
    if (!existsSync(clusterDatabaseDir) || !statSync(clusterDatabaseDir).isDirectory()) {
      problems.push(`jobScheduler.clusterDatabaseDir: ${clusterDatabaseDir} is not a folder; give the folder that holds the cluster databases`);
    }
  }
  if (problems.length > 0) throw new FleetConfigError(`invalid fleet configuration ${file}: ${problems.join('; ')}`);
  // Created by the worker when it first writes there: reading the configuration has no side effect.
  const stateFolder = config.stateFolder === undefined ? undefined : path.resolve(folder, config.stateFolder);
  const spoolCleaning = config.spoolCleaning === undefined ? undefined : spoolCleaningPart((json as { spoolCleaning: unknown }).spoolCleaning, config.spoolCleaning, folder);
  const hosts = [...new Set([...(spoc?.siteServers ?? []).map((s) => s.host), ...(config.jobScheduler?.hosts ?? []), ...(spoolCleaning?.spoolers ?? [])])];
  return { file, config, spoc, clusterDatabaseDir, stateFolder, spoolCleaning, hosts };
}

/** The Management Server adapter's options from the SPOC part; `probeStateFile` keeps what the probes saw across restarts. */
export function managementServerOptions(spoc: SpocPart, probeStateFile?: string): ManagementServerAdapterOptions {
  const { probe } = spoc;
  return {
    webInterface: spoc.managementServer,
    siteServers: spoc.siteServers.map((s) => ({ host: s.host, address: s.address ?? s.host, ports: [s.spocPort, s.terminalServerPort] })),
    groups: spoc.groups,
    liveness: {
      intervalMs: probe.intervalSeconds * 1000,
      failuresBeforeDown: probe.failuresBeforeDown,
      connectTimeoutMs: probe.connectTimeoutSeconds * 1000,
      ...(probeStateFile ? { stateFile: probeStateFile } : {}),
    },
    ...(spoc.loadSource ? { loadSource: spoc.loadSource } : {}),
  };
}

/** The lines an operator must see at start: trust switched off, load never measured. */
export function fleetWarnings(fleet: LoadedFleet): string[] {
  const warnings: string[] = [];
  const insecure = (what: string, url: string) =>
    `WARNING: ${what} (${url}) is reached with insecure: true: its certificate is NOT checked, so anyone on the network path can pose as it. Give its CA (caFile) instead as soon as you can.`;
  const { spoc } = fleet;
  if (!spoc) return warnings;
  if (spoc.managementServer.insecure) warnings.push(insecure('the Management Server', spoc.managementServer.url));
  if (spoc.loadSource?.insecure) warnings.push(insecure('the load source', spoc.loadSource.url));
  if (spoc.loadSource && !spoc.loadSource.requireAsOf) {
    warnings.push(
      'WARNING: loadSource.requireAsOf is false: an answer without asOf is taken as current, so a cached or stale report of no load passes the load check. Have the load source stamp its answers (asOf) and remove requireAsOf.',
    );
  }
  if (!spoc.loadSource) {
    warnings.push('no load source is configured: every load check halts and asks the operator to attest that nobody prints (spoolflow operator <workflow> overrideLoad --operator <name> --reason <why>).');
  }
  return warnings;
}
