/**
 * The pid file of a dev server's data dir (`temporal-server.pid`): one server per SQLite file.
 */
import * as fs from 'node:fs';
import { isProcessAlive } from './process-alive';

/**
 * Claims `<dataDir>/temporal-server.pid` for this start, refusing to run a second server on the
 * same SQLite file: SQLite would let both open it, and two Temporal servers sharing one database
 * corrupt each other's state.
 *
 * The file holds `launcher <pid>` while starting, then `server <pid>`; or `sdk <pid>` (this
 * process's pid) for a server started through `@temporalio/testing` whose pid could not be found.
 * One left by a process that no longer exists (kill -9, crash, reboot) is stale and replaced.
 * Creating it with O_EXCL makes two simultaneous starts race safely: exactly one wins.
 */
export function claimPidFile(pidPath: string, dbPath: string): void {
  for (;;) {
    try {
      fs.writeFileSync(pidPath, `launcher ${process.pid}`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content: string;
    try {
      content = fs.readFileSync(pidPath, 'utf8').trim();
    } catch {
      continue; // removed meanwhile
    }
    const m = /^(?:(launcher|server|sdk) )?(\d+)$/.exec(content);
    const pid = m ? Number(m[2]) : NaN;
    if (m && isProcessAlive(pid) && (m[1] === 'launcher' || m[1] === 'sdk' || serverUsesDb(pid, dbPath))) {
      throw new Error(
        m[1] === 'launcher'
          ? `another process (pid ${pid}) is starting a Temporal dev server on ${dbPath}; wait for it, or use another data dir (SPOOLFLOW_DATA_DIR)`
          : m[1] === 'sdk'
            ? `process ${pid} runs a Temporal dev server (started through @temporalio/testing) on ${dbPath}; stop that process first, ` +
              'or use another data dir (SPOOLFLOW_DATA_DIR)'
            : `a Temporal dev server (pid ${pid}) is already running on ${dbPath}; stop it first (kill ${pid}), ` +
              'or use another data dir (SPOOLFLOW_DATA_DIR)',
      );
    }
    fs.rmSync(pidPath, { force: true });
  }
}

/** Guards against pid reuse: where /proc exists, the live pid must really be a server on this file. */
function serverUsesDb(pid: number, dbPath: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dbPath);
  } catch {
    return true; // no /proc (macOS) or no access: trust the pid file
  }
}

/**
 * Linux only: the pid of this process's child whose command line names `dbPath`, i.e. the server
 * `@temporalio/testing` spawned (the SDK does not expose it). `undefined` elsewhere or if not found.
 */
export function findSdkServerPid(dbPath: string): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ..."; comm may contain spaces and parentheses, so split after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dbPath)) return Number(entry);
    } catch {
      // exited meanwhile, or not readable
    }
  }
  return undefined;
}
