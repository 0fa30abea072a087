/**
 * The fleet bench starts the rollout's clock only once the dev server has taken in the agents'
 * first polls: the wait ends when the process has gone quiet, not before, and never blocks on a
 * process it cannot read.
 */
import { spawn } from 'node:child_process';
import { processSettles } from '../../bench/server-settles';

async function withProcess(script: string, fn: (pid: number) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  try {
    await fn(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

test('waits while the process is busy and returns once it is quiet', async () => {
  // Busy for 3 s, then idle.
  await withProcess('const end = Date.now() + 3000; while (Date.now() < end); setTimeout(() => {}, 60000);', async (pid) => {
    const waited = await processSettles(pid, 0.1, 30);
    expect(waited).toBeGreaterThanOrEqual(3);
    expect(waited).toBeLessThan(30);
  });
});

test('an idle process has settled after its first second; one it cannot read is not waited for', async () => {
  await withProcess('setTimeout(() => {}, 60000);', async (pid) => {
    await new Promise((r) => setTimeout(r, 500)); // past node's own start
    expect(await processSettles(pid, 0.1, 30)).toBeLessThan(5);
  });
  expect(await processSettles(undefined)).toBeUndefined();
});
