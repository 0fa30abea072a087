/**
 * The Unix control of a JobScheduler member: `./bin/jobscheduler.sh start|stop|status`, run from
 * the install folder as the runbook has the operator do, and `ps` to read the command line of the
 * running process. Commands only, and readers of what they print; the activities run them through
 * an injected CommandRunner.
 *
 * How "running" and "stopped" are told: by the exit code of `jobscheduler.sh status`, read with the
 * LSB init-script convention SOS's start scripts follow (they carry an LSB header so they can serve
 * as init scripts): 0 running; 1, 2 and 3 not running (3 is "not running", 1 and 2 "dead, but a pid
 * or lock file is left"); anything else is "status unknown" and is not guessed at. The pid is taken
 * from the status output (`pid 1234`, `pid=1234`, `PID: 1234`) when it is there; without it, the
 * options the process runs with cannot be read and the start script's are reported instead. Check
 * both readings against `./bin/jobscheduler.sh status` on a host of the installed release.
 *
 * Why a shell at all: a runner has execFile semantics (no shell, no working folder), and the
 * script must run from the install folder. `/bin/sh -c 'cd -- "$1" && exec ./bin/jobscheduler.sh "$2"'`
 * passes the folder and the verb as positional parameters, so no character of the folder is ever
 * interpreted by the shell.
 */
import path from 'node:path';
import type { CommandResult } from '../windows/service-control/service-control';

/** The verbs of `./bin/jobscheduler.sh` the procedures use. */
export type JobSchedulerShVerb = 'start' | 'stop' | 'status';

/** The shell line that runs the script from the install folder; `$1` is the folder, `$2` the verb. */
export const JOBSCHEDULER_SH_LINE = 'cd -- "$1" && exec ./bin/jobscheduler.sh "$2"';

/** `$0` of that shell line: the name the shell reports its errors under. */
export const JOBSCHEDULER_SH_NAME = 'jobscheduler.sh';

/** Base of the errors of the Unix control; `name` is the wire name retry policies match on. */
export class JobSchedulerScriptError extends Error {
  override readonly name: string = 'JobSchedulerScriptError';
  constructor(
    message: string,
    /** What the script printed, stdout then stderr, for the operator. */
    readonly output: string,
  ) {
    super(message);
  }
}

/** The install folder cannot be handed to the shell safely. Not retryable. */
export class UnsafeUnixInstallFolderError extends JobSchedulerScriptError {
  override readonly name: string = 'UnsafeUnixInstallFolderError';
}

/** `jobscheduler.sh status` answered something that is neither running nor stopped. Not retryable. */
export class JobSchedulerStatusUnknownError extends JobSchedulerScriptError {
  override readonly name: string = 'JobSchedulerStatusUnknownError';
}

/** The program and arguments that run `./bin/jobscheduler.sh <verb>` from the install folder. */
export function jobSchedulerShCommand(installDir: string, verb: JobSchedulerShVerb, sh = '/bin/sh'): { file: string; args: string[] } {
  const refuse = (why: string) => new UnsafeUnixInstallFolderError(`the install folder "${installDir}" ${why}; jobscheduler.sh ${verb} was not run`, '');
  if (!installDir.startsWith('/')) throw refuse('is not an absolute Unix path');
  if (installDir.includes('\0')) throw refuse('contains a NUL character');
  if (installDir.split('/').includes('..')) throw refuse('contains ".."');
  const folder = path.posix.normalize(installDir).replace(/\/+$/, '');
  if (folder === '') throw refuse('is the root folder');
  return { file: sh, args: ['-c', JOBSCHEDULER_SH_LINE, JOBSCHEDULER_SH_NAME, folder, verb] };
}

/** What `jobscheduler.sh status` says. */
export type JobSchedulerStatus = { running: true; pid?: number } | { running: false };

/** stdout then stderr, as an operator would have seen them. */
export function outputOf(result: CommandResult): string {
  return result.stderr.length > 0 ? `${result.stdout}\n${result.stderr}` : result.stdout;
}

/** Reads `jobscheduler.sh status` by its exit code (LSB), and the pid from its output when given. */
export function readJobSchedulerStatus(result: CommandResult): JobSchedulerStatus {
  if (result.exitCode === 0) {
    const pid = /\bpid\b\s*[:=]?\s*(\d+)/i.exec(outputOf(result))?.[1];
    return pid === undefined ? { running: true } : { running: true, pid: Number(pid) };
  }
  if (result.exitCode >= 1 && result.exitCode <= 3) return { running: false };
  throw new JobSchedulerStatusUnknownError(
    `./bin/jobscheduler.sh status exited with ${result.exitCode}, which tells neither running (0) nor stopped (1-3). ` +
      'Run it on the host as the JobScheduler account and read its output (below); fix what it reports, then retry the step.',
    outputOf(result),
  );
}

/** The program and arguments that print a process's command line, or nothing when it is gone. */
export function psArgsCommand(pid: number, ps = 'ps'): { file: string; args: string[] } {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`"${pid}" is not a process id`);
  return { file: ps, args: ['-o', 'args=', '-p', String(pid)] };
}
