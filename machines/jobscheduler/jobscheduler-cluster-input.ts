/**
 * The definition of a JobScheduler cluster (docs/jobscheduler-cluster.md#the-cluster-definition), validated
 * with zod at every boundary like the SPOC group inputs. Pure: no I/O.
 *
 * Every member shares one JobScheduler ID and one database, and starts with exactly one of the three
 * forms of cluster options the runbook gives:
 *
 *   -exclusive                                        the primary of a passive cluster
 *   -exclusive -backup [-backup-precedence=n]         a backup of a passive cluster
 *   -exclusive -distributed-orders                    a member of an active cluster
 *
 * The tokens are taken in that order, as written there; runs of spaces between them are accepted.
 * The source's introduction also lists a bare `-distributed-orders`, but its section on active clusters
 * says `-exclusive -distributed-orders`, so only that form is accepted (docs/jobscheduler-cluster.md#readings).
 *
 * Readings where the source is silent, taken from the JobScheduler 1.x engine (its cluster subsystem):
 * - Failover order: the source says only that n "defines the order in which the Backup JobSchedulers
 *   become active". The engine lets a waiting backup take over only when no other live waiting member
 *   has a LOWER precedence, so the lowest n goes first. `backupsInFailoverOrder` (cluster-members.ts) sorts that way.
 * - A backup without `-backup-precedence` counts as precedence 1 (the engine's default for a backup;
 *   the primary counts as 0). So two backups without a precedence collide, and so do a backup without
 *   one and a backup with `-backup-precedence=1`: each is refused as a duplicate, because the engine
 *   would then pick between them by timing, not by the operator's order.
 * - Heartbeat defaults: the engine writes a heart beat every 60 s and declares a member dead when
 *   none came for that period plus its heart_beat_timeout (default 60 s), i.e. 120 s after the last
 *   one. The defaults below are those numbers, so the procedure never calls a member dead sooner than
 *   JobScheduler itself would.
 *
 * Values that can carry credentials (a database connection string pasted as the database) are never echoed in messages.
 */
import { z } from 'zod';
import { hostNameSchema, hostsAt, normalNameSchema, refuseRepeatedHosts } from '../core/input-rules';
import { DEFAULT_BACKUP_PRECEDENCE, formatClusterOptions, parseClusterOptions, type ClusterStartOptions } from './cluster-options';

/** A member's cluster options, given as the text the runbook shows, parsed into {@link ClusterStartOptions}. */
export const clusterStartOptionsSchema = z
  .string()
  .transform((text, ctx): ClusterStartOptions => {
    const parsed = parseClusterOptions(text);
    if (parsed.ok) return parsed.options;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  })
  .describe('Cluster start options: "-exclusive", "-exclusive -backup [-backup-precedence=n]" or "-exclusive -distributed-orders".');

/** Longest cluster database name accepted: a file name, well inside every file system's limit. */
export const MAX_CLUSTER_DATABASE_NAME = 128;

/**
 * Why `name` cannot name a cluster database, or undefined when it can. A cluster database is named
 * by its file name inside the central worker's cluster database folder (SPOOLFLOW_CLUSTER_DB_DIR),
 * never by a path: an input must not be able to point spoolflow at any other file of the central
 * host. The value is never echoed: a pasted connection string may carry a password.
 */
export function clusterDatabaseNameProblem(name: string): string | undefined {
  const example = 'e.g. "berlin.sqlite"';
  if (name.length === 0) return `the cluster database's name is required, ${example}`;
  if (name.length > MAX_CLUSTER_DATABASE_NAME) return `must be at most ${MAX_CLUSTER_DATABASE_NAME} characters`;
  if (/[\\/]/.test(name) || /^[A-Za-z]:/.test(name) || name.includes('://')) {
    return `must be the name of a database in the central worker's cluster database folder (SPOOLFLOW_CLUSTER_DB_DIR), ${example}, not a path or connection string: no "/", "\\" or drive`;
  }
  if (name.includes('..')) return 'must not contain ".." (a name inside the cluster database folder)';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return `must be a file name of letters, digits, "_", "." and "-", starting with a letter or digit, ${example}`;
  return undefined;
}

/** A cluster database, named by its file in the central worker's cluster database folder. */
export const clusterDatabaseNameSchema = z.string().superRefine((name, ctx) => {
  const problem = clusterDatabaseNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Characters cmd.exe would interpret when `.\bin\jobscheduler.cmd` is run from the install folder. */
const CMD_SPECIAL = /["%^!&|<>]/;

/** Install folder rules by operating system; each returns the rule broken, or undefined (the host agent checks its configuration with them too). */
export const INSTALL_DIR_RULES: Record<'unix' | 'windows', (dir: string) => string | undefined> = {
  unix: (dir) => {
    if (!dir.startsWith('/')) {
      return /^[A-Za-z]:[\\/]/.test(dir)
        ? 'is a Windows path but os is "unix"; set os to "windows" or give the Unix install folder'
        : 'must be an absolute Unix path, e.g. /opt/sos-berlin.com/jobscheduler/scheduler';
    }
    if (dir.includes('\\')) return 'must use "/" as separator (a backslash in a Unix path is almost always a slip)';
    if (dir.split('/').includes('..')) return 'must not contain ".."';
    if (/^\/+$/.test(dir)) return 'must not be the root folder';
    return undefined;
  },
  windows: (dir) => {
    if (/^[\\/]{2}/.test(dir)) return 'is a network path; give the local folder on the host, e.g. C:\\Program Files\\sos-berlin.com\\jobscheduler\\scheduler';
    if (!/^[A-Za-z]:[\\/]/.test(dir)) {
      return dir.startsWith('/')
        ? 'is a Unix path but os is "windows"; set os to "unix" or give the Windows install folder'
        : 'must be an absolute Windows path with a drive letter, e.g. C:\\Program Files\\sos-berlin.com\\jobscheduler\\scheduler';
    }
    if (dir.split(/[\\/]+/).includes('..')) return 'must not contain ".."';
    if (/^[A-Za-z]:[\\/]*$/.test(dir)) return 'must not be a drive root';
    if (CMD_SPECIAL.test(dir)) return 'must not contain any of " % ^ ! & | < > (cmd.exe would interpret them when jobscheduler.cmd is run)';
    return undefined;
  },
};

/** One JobScheduler of the cluster. */
export const jobSchedulerMemberSchema = z
  .strictObject({
    host: hostNameSchema.describe('Host the JobScheduler runs on, in its normal form; its agent listens on the task queue of this host.'),
    os: z.enum(['unix', 'windows'], { message: 'must be "unix" or "windows"' }).describe('Operating system of the host: decides the install folder syntax and the start script.'),
    jobSchedulerId: z
      .string()
      .min(1, 'a JobScheduler ID is required')
      .max(100)
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a JobScheduler ID (letters, digits, "_", "." and "-")')
      .describe('The JobScheduler ID (-id=...); the same on every member.'),
    database: z
      .string()
      .trim()
      .pipe(clusterDatabaseNameSchema)
      .describe(
        "The cluster database every member uses, by its file name in the central worker's cluster database folder (SPOOLFLOW_CLUSTER_DB_DIR; " +
          'the simulated clusters\' folder by default), e.g. "berlin.sqlite"; the same on every member.',
      ),
    installDir: z
      .string()
      .min(1, 'the install folder is required')
      .max(1024)
      .refine((dir) => dir.trim() === dir, 'must not begin or end with a space')
      .describe('JobScheduler install folder on the host, e.g. /opt/sos-berlin.com/jobscheduler/scheduler or C:\\Program Files\\sos-berlin.com\\jobscheduler\\scheduler'),
    clusterOptions: clusterStartOptionsSchema,
  })
  .superRefine((member, ctx) => {
    const broken = INSTALL_DIR_RULES[member.os](member.installDir);
    if (broken !== undefined) ctx.addIssue({ code: 'custom', path: ['installDir'], message: broken });
  });

/** One validated member, its options parsed. */
export type JobSchedulerMember = z.infer<typeof jobSchedulerMemberSchema>;

/** JobScheduler 1.x's own timing: a beat every 60 s, dead 60 s after the next beat was due. */
export const DEFAULT_HEARTBEAT = { intervalSeconds: 60, timeoutSeconds: 120 } as const;

/** How the procedure judges a member's heart beat. */
export const heartbeatSchema = z
  .strictObject({
    intervalSeconds: z
      .number()
      // Fractions of a second are for clusters on one machine (the simulated one); production keeps JobScheduler's 60 s.
      .min(0.1)
      .max(600)
      .default(DEFAULT_HEARTBEAT.intervalSeconds)
      .describe('How often a live member is expected to beat (JobScheduler 1.x: every 60 s).'),
    timeoutSeconds: z
      .number()
      .min(0.5)
      .max(3600)
      .default(DEFAULT_HEARTBEAT.timeoutSeconds)
      .describe('How long after its last beat a member counts as dead (JobScheduler 1.x: 60 s period + 60 s heart_beat_timeout).'),
  })
  .superRefine((heartbeat, ctx) => {
    if (heartbeat.timeoutSeconds <= heartbeat.intervalSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeoutSeconds'],
        message: `must be greater than intervalSeconds (${heartbeat.intervalSeconds}); with ${heartbeat.timeoutSeconds} a member would count as dead before its next beat is due`,
      });
    }
  })
  .default({ ...DEFAULT_HEARTBEAT });

/** Validated heartbeat settings, defaults filled in. */
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** A JobScheduler cluster: its members, their shared identity and their roles. */
export const jobSchedulerClusterSchema = z
  .strictObject({
    cluster: normalNameSchema('a cluster name').describe('Name of the cluster, as the operators call it; compared in its normal form (case, surrounding spaces and a trailing dot do not count).'),
    mode: z
      .enum(['passive', 'active'], { message: 'must be "passive" (one primary, backups take over) or "active" (all members run, orders are distributed)' })
      .describe('Passive: only the primary is active. Active: all members are active.'),
    members: z.array(jobSchedulerMemberSchema).min(2, 'a JobScheduler cluster has at least two members').max(32),
    heartbeat: heartbeatSchema,
  })
  .superRefine((cluster, ctx) => {
    const { members } = cluster;
    refuseRepeatedHosts(hostsAt(members, ['members']), ctx);
    refuseDifferentIdentity(members, ctx);
    if (cluster.mode === 'passive') refuseBadPassiveRoles(members, ctx);
    else refuseBadActiveRoles(members, ctx);
    refuseDuplicatePrecedences(members, ctx);
  });

/** A validated cluster definition. */
export type JobSchedulerCluster = z.infer<typeof jobSchedulerClusterSchema>;
/** The cluster definition as an operator writes it (options as text, heartbeat optional). */
export type JobSchedulerClusterInput = z.input<typeof jobSchedulerClusterSchema>;

function describeMember(members: readonly JobSchedulerMember[], index: number): string {
  return `members.${index} (host "${members[index]?.host}")`;
}

function refuseDifferentIdentity(members: readonly JobSchedulerMember[], ctx: z.RefinementCtx): void {
  const [first] = members;
  if (!first) return;
  members.forEach((member, i) => {
    if (i === 0) return;
    if (member.jobSchedulerId !== first.jobSchedulerId) {
      ctx.addIssue({
        code: 'custom',
        path: ['members', i, 'jobSchedulerId'],
        message: `"${member.jobSchedulerId}" differs from members.0.jobSchedulerId "${first.jobSchedulerId}": all members of a cluster are identified by the same JobScheduler ID`,
      });
    }
    if (member.database !== first.database) {
      ctx.addIssue({
        code: 'custom',
        path: ['members', i, 'database'],
        message: 'differs from members.0.database: all members of a cluster use the same database (write it identically on every member)',
      });
    }
  });
}

function refuseBadPassiveRoles(members: readonly JobSchedulerMember[], ctx: z.RefinementCtx): void {
  const primaries: number[] = [];
  let backups = 0;
  members.forEach((member, i) => {
    const { role } = member.clusterOptions;
    if (role === 'distributed') {
      ctx.addIssue({
        code: 'custom',
        path: ['members', i, 'clusterOptions'],
        message: '-exclusive -distributed-orders belongs to an active cluster; in a passive cluster use -exclusive (the primary) or -exclusive -backup',
      });
    } else if (role === 'backup') {
      backups++;
    } else {
      if (primaries.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['members', i, 'clusterOptions'],
          message: `a passive cluster has exactly one primary and ${describeMember(members, primaries[0] ?? 0)} already is; start this member with -exclusive -backup`,
        });
      }
      primaries.push(i);
    }
  });
  if (primaries.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message: 'a passive cluster needs exactly one primary (a member started with -exclusive alone, without -backup); none is',
    });
  }
  if (backups === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message: 'a passive cluster needs at least one backup (a member started with -exclusive -backup); none is',
    });
  }
}

function refuseBadActiveRoles(members: readonly JobSchedulerMember[], ctx: z.RefinementCtx): void {
  members.forEach((member, i) => {
    if (member.clusterOptions.role !== 'distributed') {
      ctx.addIssue({
        code: 'custom',
        path: ['members', i, 'clusterOptions'],
        message: `every member of an active cluster starts with -exclusive -distributed-orders, not ${formatClusterOptions(member.clusterOptions)}`,
      });
    }
  });
}

function refuseDuplicatePrecedences(members: readonly JobSchedulerMember[], ctx: z.RefinementCtx): void {
  const firstWith = new Map<number, number>();
  members.forEach((member, i) => {
    const options = member.clusterOptions;
    if (options.role !== 'backup') return;
    const earlier = firstWith.get(options.precedence);
    if (earlier === undefined) {
      firstWith.set(options.precedence, i);
      return;
    }
    const earlierOptions = members[earlier]?.clusterOptions;
    const implicit = !options.precedenceGiven || (earlierOptions?.role === 'backup' && !earlierOptions.precedenceGiven);
    ctx.addIssue({
      code: 'custom',
      path: ['members', i, 'clusterOptions'],
      message:
        `backup precedence ${options.precedence} is also that of ${describeMember(members, earlier)}; ` +
        (implicit ? `a backup without -backup-precedence counts as ${DEFAULT_BACKUP_PRECEDENCE}; ` : '') +
        'give each backup its own -backup-precedence=n (the lowest takes over first)',
    });
  });
}
