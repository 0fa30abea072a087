/**
 * The spool cleaning of a data folder, read and disturbed without Temporal (while `npm start` runs it
 * or not): `spoolflow cleaning status` shows each simulated spooler with its connection and the jobs
 * on its disk, the delete requests the Job Service has cached with the TTL each has left, and the
 * orphans listed for the operator; `spoolflow sim spooler ...` disconnects, reconnects and adds jobs.
 *
 *   spoolflow cleaning status
 *   spoolflow cleaning record [--last <n>]
 *   spoolflow sim spooler disconnect <spooler> [--before-command]
 *   spoolflow sim spooler reconnect <spooler>
 *   spoolflow sim spooler add-job <spooler> <jobId> [--state printed] [--age 2.00:00:00]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors';
import { DeleteRequestStore } from '../activities/spoolcleaning/delete-request-store';
import { dataDir } from '../engine/data-dir';
import { JOB_STATES, type JobState } from '../machines/spoolcleaning/spool-cleaning-config';
import { jobIdSchema } from '../machines/spoolcleaning/spool-jobs';
import { formatTimeSpan, parseTimeSpan, TIMESPAN_RULE } from '../machines/spoolcleaning/timespan';
import { simJobServiceFile } from '../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers, UnknownSpoolerError } from '../simulator/spoolcleaning/sim-spoolers';

export class SpoolCleaningUsageError extends UsageError {}

const simDir = () => path.join(dataDir(), 'sim');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What `spoolflow cleaning status` prints. */
export function cleaningStatus(now = Date.now(), dir = simDir()): unknown {
  const spoolers = new SimSpoolers(dir);
  const file = simJobServiceFile(dir);
  const snapshot = existsSync(file) ? withStore(file, (store) => store.snapshot()) : { requests: [], orphans: [], controllerJobs: [] };
  return {
    jobService: existsSync(file) ? file : `${file} (not created yet: npm start creates it)`,
    spoolers: spoolers.names().map((spooler) => ({
      spooler,
      ...spoolers.connection(spooler),
      jobs: spoolers.folder(spooler).list().map((job) => ({ jobId: job.jobId, state: job.state, submittedAt: iso(job.submittedAt), age: formatTimeSpan(now - job.submittedAt) })),
    })),
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

function withStore<T>(file: string, fn: (store: DeleteRequestStore) => T): T {
  const store = new DeleteRequestStore(file);
  try {
    return fn(store);
  } finally {
    store.close();
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

/** Adds `spoolflow cleaning ...` and `spoolflow sim spooler ...` to the program. */
export function registerSpoolCleaning(program: Command, print: (value: unknown) => void): void {
  const cleaning = program.command('cleaning').description('the spool cleaning of the simulated estate, read from the data folder (spoolers, jobs, cached delete requests and their TTLs, orphans)');
  cleaning.command('status').description('spoolers, their jobs, the cached delete requests with the TTL left, the orphans').action(() => print(cleaningStatus()));
  cleaning
    .command('record')
    .description('the last reports, delete commands and deletions (<data dir>/sim/spool-cleaning-operations.jsonl)')
    .option('--last <n>', 'how many (default 20)')
    .action((opts: { last?: string }) => {
      const last = opts.last === undefined ? 20 : Number(opts.last);
      if (!Number.isInteger(last) || last < 1) throw new SpoolCleaningUsageError('--last must be a whole number from 1');
      print(new SimSpoolers(simDir()).record.read().slice(-last));
    });
  const sim = program.commands.find((c) => c.name() === 'sim');
  if (!sim) throw new Error('register the sim command before the spool cleaning');
  sim
    .command('spooler')
    .usage('disconnect|reconnect|add-job <spooler> [<jobId>] [--before-command] [--state <state>] [--age <TimeSpan>]')
    .description('disconnects or reconnects a simulated spooler (--before-command: it still reports, and goes away as its next delete command comes), or adds a job to its disk')
    .argument('[command]', 'disconnect, reconnect, add-job')
    .argument('[spooler]')
    .argument('[rest...]')
    .option('--before-command', 'disconnect: as the next delete command comes, before receiving it')
    .option('--state <state>', `add-job: ${JOB_STATES.join(', ')} (default printed)`)
    .option('--age <TimeSpan>', 'add-job: how old the job is, e.g. 2.00:00:00 (default 00:00:00)')
    .action((command: string | undefined, spooler: string | undefined, rest: string[], opts: { beforeCommand?: boolean; state?: string; age?: string }) => {
      const flags: Record<string, string | true> = {};
      if (opts.beforeCommand) flags['before-command'] = true;
      if (opts.state !== undefined) flags.state = opts.state;
      if (opts.age !== undefined) flags.age = opts.age;
      print(spoolerCommand(command, spooler, rest, flags));
    });
}
