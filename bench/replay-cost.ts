/**
 * `npx tsx bench/replay-cost.ts [histories-dir]`: the workflow code's own CPU, without the dev
 * server, the activities or the SDK's polling. The runtime bench's two workflows
 * (bench-workflows.ts) run once each against a dev server and their histories are kept in
 * `histories-dir` (recorded only when absent, so code changed since replays the same histories);
 * then each is replayed in BENCH_ROUNDS batches of BENCH_BATCH replays, the two kinds alternately.
 * Prints the median wall and CPU time (this process, all threads) of one replay of each and their
 * ratios. A history that no longer replays (the code's commands changed) fails the bench.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../worker/workflow-bundle';
import { createCentralActivities } from '../activities/spoc/management-server-activities';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { installOperatorLogger } from '../worker/runtime-logger';
import { startTestTemporal } from '../test/helpers/temporal-server';

installOperatorLogger('WARN');

const STEPS = Number(process.env.BENCH_STEPS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
const TYPES = ['machineSteps', 'plainSteps'] as const;

async function workflowBundle() {
  return bundleWorkflows(require.resolve('./bench-workflows'), [require.resolve('./steps-machine')]);
}

/** Runs each bench workflow once against a dev server and writes its history into `dir`. */
async function record(dir: string): Promise<void> {
  const server = await startTestTemporal();
  try {
    const worker = await Worker.create({
      connection: server.nativeConnection,
      namespace: server.namespace,
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createCentralActivities({ address: 'bench', ping: async () => undefined, spocStatus: async () => ({}) }),
    });
    await worker.runUntil(async () => {
      for (const type of TYPES) {
        const handle = await server.client.workflow.start(type, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: `${type}-${randomUUID()}`, args: [STEPS] });
        await handle.result();
        writeFileSync(path.join(dir, `${type}.json`), historyToJSON(await handle.fetchHistory()));
      }
    });
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? path.join(os.tmpdir(), `spoolflow-replay-bench-${STEPS}`);
  mkdirSync(dir, { recursive: true });
  if (!TYPES.every((t) => existsSync(path.join(dir, `${t}.json`)))) await record(dir);
  const histories = Object.fromEntries(TYPES.map((t) => [t, historyFromJSON(JSON.parse(readFileSync(path.join(dir, `${t}.json`), 'utf8')))]));
  const bundle = await workflowBundle();
  const ms: Record<(typeof TYPES)[number], number[]> = { machineSteps: [], plainSteps: [] };
  const cpu: Record<(typeof TYPES)[number], number[]> = { machineSteps: [], plainSteps: [] };
  for (let i = 0; i < ROUNDS + 1; i += 1) {
    const order = i % 2 === 0 ? TYPES : ([...TYPES].reverse() as unknown as typeof TYPES);
    for (const type of order) {
      // One replay worker per batch, so its start-up is shared by the batch's replays.
      const batch = Array.from({ length: BATCH }, (_, n) => ({ workflowId: `${type}-${i}-${n}`, history: histories[type]! }));
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, batch)) {
        if (result.error) throw result.error;
      }
      const used = process.cpuUsage(cpu0);
      if (i === 0) continue; // warm-up
      ms[type].push((performance.now() - t0) / BATCH);
      cpu[type].push((used.user + used.system) / 1000 / BATCH);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Replay of the runtime bench's ${STEPS}-step histories (${dir}), ${ROUNDS} batches of ${BATCH} each, load average ${load}`);
  console.log(`   XState-driven workflow : median ${median(ms.machineSteps).toFixed(1)} ms per replay, CPU ${median(cpu.machineSteps).toFixed(1)} ms`);
  console.log(`   hand-written workflow  : median ${median(ms.plainSteps).toFixed(1)} ms per replay, CPU ${median(cpu.plainSteps).toFixed(1)} ms`);
  console.log(`   ratio                  : ${(median(ms.machineSteps) / median(ms.plainSteps)).toFixed(3)} (CPU ${(median(cpu.machineSteps) / median(cpu.plainSteps)).toFixed(3)})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
