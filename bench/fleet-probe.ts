/**
 * Probe: can one process host N activity-only Temporal Workers, one task queue each (as the
 * simulated host agents do)? Prints start time, RSS, idle CPU, and the latency of one activity per
 * queue (a tiny workflow per host on the central queue schedules it).
 */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { startTestTemporal } from '../test/helpers/temporal-server';

const N = Number(process.env.PROBE_WORKERS ?? 1000);
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} };

async function main(): Promise<void> {
  const temporal = await startTestTemporal({ dynamicConfig: { 'frontend.namespaceCount': 10_000, 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 } });
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const agents: Worker[] = [];
  for (let i = 0; i < N; i += 1) {
    agents.push(await Worker.create({ ...conn, taskQueue: `probe-host-${i}`, activities: { ping: async () => 'pong' }, maxConcurrentActivityTaskPolls: 1, maxConcurrentActivityTaskExecutions: 4 }));
  }
  const created = performance.now() - t0;
  const central = await Worker.create({ ...conn, taskQueue: 'probe-central', workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./fleet-probe-workflow'), logger: quiet }) });
  const running = [central, ...agents].map((w) => w.run());
  await new Promise((r) => setTimeout(r, 5000));
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 10000));
  const idle = process.cpuUsage(cpu0);
  const rss1 = process.memoryUsage().rss;
  const seq: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const s = performance.now();
    await temporal.client.workflow.execute('pingHost', { taskQueue: 'probe-central', workflowId: `probe-seq-${i}-${randomUUID()}`, args: [`probe-host-${i}`] });
    seq.push(Math.round(performance.now() - s));
  }
  console.log('sequential ping ms', seq.join(' '));
  const t1 = performance.now();
  // At most PROBE_CONCURRENCY pings at once, as a rollout runs at most N groups (one member each) at a time.
  const concurrency = Number(process.env.PROBE_CONCURRENCY ?? 50);
  const lat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        await temporal.client.workflow.execute('pingHost', { taskQueue: 'probe-central', workflowId: `probe-${i}-${randomUUID()}`, args: [`probe-host-${i}`] });
        lat.push(performance.now() - s);
      }
    }),
  );
  const all = performance.now() - t1;
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ workers: N, createSeconds: +(created / 1000).toFixed(1), rssMbBefore: Math.round(rss0 / 1e6), rssMb: Math.round(rss1 / 1e6), idleCpuPercent: +(((idle.user + idle.system) / 1e4 / 10)).toFixed(1), pingAllSeconds: +(all / 1000).toFixed(1), pingP50Ms: Math.round(lat[Math.floor(N / 2)] ?? 0), pingP99Ms: Math.round(lat[Math.floor(N * 0.99)] ?? 0) }));
  for (const w of [central, ...agents]) w.shutdown();
  await Promise.all(running);
  await temporal.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
