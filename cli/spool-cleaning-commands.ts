/**
 * The spool cleaning of a data folder, read and disturbed without Temporal (while `npm start` runs it
 * or not): `spoolflow cleaning status` shows each simulated spooler with its connection and the jobs
 * on its disk, the delete requests the Job Service has cached with the TTL each has left, and the
 * orphans listed for the operator; `spoolflow sim spooler ...` disconnects, reconnects and adds jobs.
 * With a fleet configuration (`--fleet <file>` or SPOOLFLOW_FLEET), `cleaning status` reads that
 * estate's Job Service store instead, each spooler with the jobs it reported last.
 * Only the registration is here; the work is in cli/spool-cleaning-actions.ts, loaded when a command runs.
 *
 *   spoolflow cleaning status [--fleet <file>]
 *   spoolflow cleaning record [--last <n>]
 *   spoolflow sim spooler disconnect <spooler> [--before-command]
 *   spoolflow sim spooler reconnect <spooler>
 *   spoolflow sim spooler add-job <spooler> <jobId> [--state printed] [--age 2.00:00:00]
 */
import type { Command } from 'commander';
import type { JobState } from '../machines/spoolcleaning/spool-cleaning-config';

/**
 * The states a job added to a spooler can have, for `--help`: written out (in JOB_STATES' order) so
 * that registering loads no zod; the type checker refuses a missing or an unknown one.
 */
const JOB_STATE_NAMES = Object.keys({ waiting: true, printing: true, printed: true, failed: true } as const satisfies Record<JobState, true>);

/** The work of the commands, loaded when one runs (SQLite, zod, the simulator). */
const actions = () => import('./spool-cleaning-actions');

/** Adds `spoolflow cleaning ...` and `spoolflow sim spooler ...` to the program. */
export function registerSpoolCleaning(program: Command, print: (value: unknown) => void): void {
  const cleaning = program.command('cleaning').description("the spool cleaning, read from the Job Service's store: spoolers, jobs, cached delete requests and their TTLs, orphans");
  cleaning
    .command('status')
    .description("spoolers, their jobs, the cached delete requests with the TTL left, the orphans: the simulated estate's, or with a fleet configuration its estate's (each spooler's jobs as it reported them last)")
    .option('--fleet <file>', "the fleet configuration whose spoolCleaning.jobServiceStore to read (or SPOOLFLOW_FLEET); without: the simulated estate's data folder")
    .action(async (opts: { fleet?: string }) => print((await actions()).cleaningStatusOf(opts.fleet)));
  cleaning
    .command('record')
    .description('the last reports, delete commands and deletions (<data dir>/sim/spool-cleaning-operations.jsonl)')
    .option('--last <n>', 'how many (default 20)')
    .action(async (opts: { last?: string }) => print((await actions()).cleaningRecord(opts.last)));
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
    .option('--state <state>', `add-job: ${JOB_STATE_NAMES.join(', ')} (default printed)`)
    .option('--age <TimeSpan>', 'add-job: how old the job is, e.g. 2.00:00:00 (default 00:00:00)')
    .action(async (command: string | undefined, spooler: string | undefined, rest: string[], opts: { beforeCommand?: boolean; state?: string; age?: string }) => {
      const flags: Record<string, string | true> = {};
      if (opts.beforeCommand) flags['before-command'] = true;
      if (opts.state !== undefined) flags.state = opts.state;
      if (opts.age !== undefined) flags.age = opts.age;
      print((await actions()).spoolerCommand(command, spooler, rest, flags));
    });
}
