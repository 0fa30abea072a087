/**
 * Where a simulated JobScheduler member keeps its files: `<sim dir>/scheduler/members/<member>/`
 * holds the fleet's record of its process (so a CLI in another process can find and disturb it),
 * its output, and the fault files that cut it off from the cluster database or freeze it. The member process
 * and the fleet both use these paths, so they cannot drift.
 */
import path from 'node:path';

export interface MemberFiles {
  dir: string;
  /** The fleet's record of the process: pid, options, start time, hung. */
  processFile: string;
  /** stdout and stderr of the member process. */
  logFile: string;
  /** While this file exists, every database access of the member fails. */
  cutOffFile: string;
  /** While this file exists, the member freezes itself (SIGSTOP) between two database accesses. */
  hangFile: string;
}

export function schedulerSimDir(simDir: string): string {
  return path.join(simDir, 'scheduler');
}

export function memberFiles(simDir: string, member: string): MemberFiles {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(member)) {
    throw new Error(`member id "${member}" must be letters, digits, ".", "_" or "-" (it names a folder)`);
  }
  const dir = path.join(schedulerSimDir(simDir), 'members', member);
  return {
    dir,
    processFile: path.join(dir, 'process.json'),
    logFile: path.join(dir, 'member.log'),
    cutOffFile: path.join(dir, 'cut-off'),
    hangFile: path.join(dir, 'hang'),
  };
}
