/**
 * The work of `spoolflow cleaning ...` and `spoolflow sim spooler ...` (registered in
 * cli/spool-cleaning-commands.ts) on the data folder's simulated spoolers and Job Service store,
 * and of `spoolflow cleaning status --fleet <file>` on a real estate's Job Service store.
 * Loaded by the actions, as it loads SQLite, zod and the simulator.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';
import { readStoreSnapshot, type StoreSnapshot } from '../activities/spoolcleaning/delete-request-store';
import { dataDir } from '../engine/data-dir';
import { fleetFileOf, loadFleetConfig, type LoadedFleet } from '../worker/fleet-config';
import { JOB_STATES, type JobState } from '../machines/spoolcleaning/spool-cleaning-config';
import { jobIdSchema } from '../machines/spoolcleaning/spool-jobs';
import { formatTimeSpan, parseTimeSpan, TIMESPAN_RULE } from '../machines/spoolcleaning/timespan';
import { simJobServiceFile } from '../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers, UnknownSpoolerError } from '../simulator/spoolcleaning/sim-spoolers';

export class SpoolCleaningUsageError extends UsageError {}

const simDir = () => path.join(dataDir(), 'sim');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const EMPTY_STORE: StoreSnapshot = { requests: [], orphans: [], controllerJobs: [] };

/**
 * What `spoolflow cleaning status [--fleet <file>]` prints: with a fleet configuration (`--fleet`
 * or SPOOLFLOW_FLEET), its estate's Job Service store; without one, the simulated estate's.
 */
export function cleaningStatusOf(fleetFlag: string | undefined, env: NodeJS.ProcessEnv = process.env, now = Date.now()): unknown {
  if (fleetFlag === undefined && !env.SPOOLFLOW_FLEET?.trim()) return cleaningStatus(now);
  return estateCleaningStatus(loadFleetConfig(fleetFileOf(fleetFlag, env)), now);
}

/** The simulated estate's spool cleaning: each spooler's connection and the jobs on its disk, then the store. */
export function cleaningStatus(now = Date.now(), dir = simDir()): unknown {
  const spoolers = new SimSpoolers(dir);
  const file = simJobServiceFile(dir);
  const snapshot = existsSync(file) ? readStore(file) : EMPTY_STORE;
  return {
    jobService: existsSync(file) ? file : `${file} (not created yet: npm start creates it)`,
    spoolers: spoolers.names().map((spooler) => ({
      spooler,
      ...spoolers.connection(spooler),
      jobs: spoolers.folder(spooler).list().map((job) => ({ jobId: job.jobId, state: job.state, submittedAt: iso(job.submittedAt), age: formatTimeSpan(now - job.submittedAt) })),
    })),
    ...requestsAndOrphans(snapshot, now),
  };
}

/**
 * A real estate's spool cleaning, read from the Job Service's store the fleet configuration names
 * (read only: the central worker is its one writer and may run meanwhile). A spooler's disk is on
 * its own machine, so each spooler shows the jobs it reported last, as the controller recorded
 * them; a spooler the store knows and the configuration no longer lists is shown too.
 */
export function estateCleaningStatus(fleet: LoadedFleet, now = Date.now()): unknown {
  const part = fleet.spoolCleaning;
  if (!part) throw new SpoolCleaningUsageError(`the fleet configuration ${fleet.file} has no spoolCleaning section: this estate's spool cleaning is not configured (docs/spool-cleaning.md)`);
  const file = part.storeFile;
  const snapshot = existsSync(file) ? readStore(file) : EMPTY_STORE;
  const known = new Set(snapshot.controllerJobs.map((job) => job.spooler));
  const names = [...part.spoolers, ...[...known].filter((spooler) => !part.spoolers.includes(spooler)).sort()];
  return {
    jobService: existsSync(file) ? file : `${file} (not created yet: the central worker creates it at its first start with this configuration)`,
    spoolers: names.map((spooler) => ({
      spooler,
      configured: part.spoolers.includes(spooler),
      reportedJobs: snapshot.controllerJobs
        .filter((job) => job.spooler === spooler)
        .map((job) => ({ jobId: job.jobId, state: job.state, submittedAt: iso(job.submittedAt), age: formatTimeSpan(now - job.submittedAt), deleteRequestedAt: iso(job.deleteRequestedAt) })),
    })),
    ...requestsAndOrphans(snapshot, now),
  };
}

/** The cached delete requests with the TTL each has left, and the orphans listed for the operator. */
function requestsAndOrphans(snapshot: StoreSnapshot, now: number) {
  return {
    requests: snapshot.requests.map((r) => ({
      spooler: r.spooler,
      jobId: r.jobId,
      requestedAt: iso(r.requestedAt),
      expiresAt: iso(r.expiresAt),
      ttlLeft: r.expiresAt > now ? formatTimeSpan(r.expiresAt - now) : 'expired (dropped at the next cleaning run)',
      reissued: r.reissued,
    })),
    orphans: snapshot.orphans.map((o) => ({ ...o, foundAt: iso(o.foundAt) })),
  };
}

/** The store's content, read only (the worker, its one writer, may run meanwhile); a file that cannot be read is said so, naming it. */
function readStore(file: string): StoreSnapshot {
  try {
    return readStoreSnapshot(file);
  } catch (err) {
    throw new SpoolCleaningUsageError(`cannot read the Job Service's store ${file}: ${(err as Error).message}`);
  }
}

/** `spoolflow sim spooler <command> <spooler> ...` */
export function spoolerCommand(command: string | undefined, spooler: string | undefined, rest: string[], flags: Record<string, string | true>, dir = simDir()): unknown {
  if (!spooler) throw new SpoolCleaningUsageError(`sim spooler ${command ?? '<command>'} needs a spooler (see spoolflow cleaning status)`);
  const spoolers = new SimSpoolers(dir);
  try {
    switch (command ?? '') {
      case 'disconnect':
        return { spooler, ...spoolers.disconnect(spooler, { beforeCommand: flags['before-command'] === true }) };
      case 'reconnect':
        return { spooler, ...spoolers.reconnect(spooler) };
      case 'add-job': {
        const jobId = jobIdSchema.safeParse(rest[0]);
        if (!jobId.success) throw new SpoolCleaningUsageError('sim spooler add-job needs a job id: letters, digits, ".", "_" and "-"');
        const state = flags.state ?? 'printed';
        if (typeof state !== 'string' || !(JOB_STATES as readonly string[]).includes(state)) throw new SpoolCleaningUsageError(`--state must be one of ${JOB_STATES.join(', ')}`);
        const age = parseTimeSpan(typeof flags.age === 'string' ? flags.age : '00:00:00');
        if (age === undefined) throw new SpoolCleaningUsageError(`--age ${TIMESPAN_RULE}`);
        spoolers.putJob(spooler, jobId.data, state as JobState, Date.now() - age);
        return { spooler, jobId: jobId.data, state, age: formatTimeSpan(age) };
      }
      default:
        throw new SpoolCleaningUsageError(`unknown sim spooler command "${command ?? ''}": disconnect, reconnect, add-job`);
    }
  } catch (err) {
    if (err instanceof UnknownSpoolerError) throw new SpoolCleaningUsageError(err.message);
    throw err;
  }
}

/** What `spoolflow cleaning record [--last <n>]` prints: the last reports, delete commands and deletions. */
export function cleaningRecord(lastFlag: string | undefined, dir = simDir()): unknown {
  const last = lastFlag === undefined ? 20 : Number(lastFlag);
  if (!Number.isInteger(last) || last < 1) throw new SpoolCleaningUsageError('--last must be a whole number from 1');
  return new SimSpoolers(dir).record.read().slice(-last);
}
