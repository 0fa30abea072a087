/**
 * Waits until a process has gone quiet: its CPU over the last second under `quietShare` of one
 * core, or `maxSeconds` passed. The fleet bench waits so for the dev server after its thousand host
 * agents start: their first polls create a task queue each in the server's database, which a real
 * estate's agents, up long before any rollout, did long ago; the rollout's clock starts after.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuSeconds } from './fleet-figures';

/** Seconds waited; undefined when the process's CPU cannot be read (then it does not wait). */
export async function processSettles(pid: number | undefined, quietShare = 0.1, maxSeconds = 60): Promise<number | undefined> {
  const started = Date.now();
  let before = processCpuSeconds(pid);
  if (before === undefined) return undefined;
  while (Date.now() - started < maxSeconds * 1000) {
    await sleep(1000);
    const now = processCpuSeconds(pid);
    if (now === undefined) return undefined;
    const used = now - before;
    before = now;
    if (used < quietShare) break;
  }
  return (Date.now() - started) / 1000;
}
