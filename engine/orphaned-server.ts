/**
 * After a `kill -9` of spoolflow alone, its dev server keeps running with nobody to stop it, and
 * holds the data folder's SQLite file. `npm start` recognises that server (the pid file names it,
 * and the launcher recorded in endpoint.json is gone) and stops it before starting a new one on
 * the same file, so the procedures resume instead of the start being refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readEndpoint } from './endpoint';
import { isProcessAlive } from './process-alive';


/** Stops the dev server a dead `npm start` left behind on this data folder; says so. */
export async function stopOrphanedServer(dataDir: string, temporalDir: string, log: (m: string) => void): Promise<void> {
  const launcher = readEndpoint(dataDir)?.launcherPid;
  const pidFile = path.join(temporalDir, 'temporal-server.pid');
  if (launcher === undefined || isProcessAlive(launcher) || !existsSync(pidFile)) return;
  const match = /^server (\d+)$/.exec(readFileSync(pidFile, 'utf8').trim());
  const pid = match ? Number(match[1]) : NaN;
  if (!match || !isProcessAlive(pid)) return;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(temporalDir, 'temporal.sqlite'))) return;
  } catch {
    return; // without /proc we cannot be sure the pid is still that server: leave it alone
  }
  log(`stopping the Temporal dev server (pid ${pid}) left running by an earlier spoolflow (pid ${launcher}) that was killed`);
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; isProcessAlive(pid) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}
