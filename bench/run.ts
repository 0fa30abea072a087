/**
 * `npm run bench`: prints numbers, asserts nothing.
 *
 * 1. Runtime overhead: the same N-step procedure as an XState-driven workflow and as a plain
 *    hand-written workflow (the same activity with the same options and summary), run alternately
 *    in one process against the embedded dev server; the ratio of their mean end-to-end time and
 *    of the worker process's CPU time per workflow (BENCH_RUNS, BENCH_STEPS), measured once the
 *    worker is warm (BENCH_WARMUP runs of each first, not counted), each ratio with its 95 %
 *    interval over the paired rounds (ratio-interval.ts), and that CPU split by thread.
 *    Target: at most 1.1.
 * 2. Orchestration overhead of the full group restart on the simulator: wall time minus the time
 *    spent in host steps (service control and log checks, i.e. the simulated service times and
 *    the agents' polling) and in mandated waits, as a percentage of wall time. Target: at most 2%.
 * 3. Failover latency of a passive JobScheduler cluster: kill of the primary to backup active,
 *    over 20 kills (bench/failover-latency.ts). Target: median within heartbeat timeout + 1 s.
 * 4. CLI latency: every kind of command (help, catalog, plan, chart, status, list, watch, retry,
 *    start) as new processes, the server commands against this bench's dev server; median and p95,
 *    and 24 procedures started by a script (bench/cli-latency.ts). Target: under 500 ms compiled.
 * 5. Spool cleaning: one report's cost as the cached delete requests grow from 10 to 100,000
 *    (bench/report-cost.ts). Target: it follows the jobs in the report, not the requests cached.
 * 6. SAP spool output throughput by work processes and share of sequence devices, on the pure
 *    dispatcher in simulated time (bench/sap-spool-throughput.ts).
 *
 * Parts can run alone, by name: `npx tsx bench/run.ts runtime` (runtime, orchestration, failover,
 * cli, spool-report, sap-spool).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../worker/workflow-bundle';
import { addTicks, msPerTick, sampleThreads, ticksBetween, ticksByRole, threadRoles, type ThreadRole, type ThreadSample } from './thread-cpu';
import { createCentralActivities } from '../activities/spoc/management-server-activities';
import { groupRestartExample } from '../simulator/example-inputs';
import { SpoolflowClient } from '../client/spoolflow-client';
import { statusQuery } from '../workflows/operator-messages';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { installOperatorLogger } from '../worker/runtime-logger';
import { createTestFleet, testInventory, withWorkers } from '../test/helpers/sim-fleet';
import { startTestTemporal, TestTemporal } from '../test/helpers/temporal-server';
import { cliLatency } from './cli-latency';
import { ratioOfMeansInterval, type RatioInterval } from './ratio-interval';
import { failoverLatency } from './failover-latency';
import { spoolReportCost } from './report-cost';
import { sapSpoolThroughput } from './sap-spool-throughput';

installOperatorLogger('WARN');

const STEPS = Number(process.env.BENCH_STEPS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
/**
 * Runs of each kind before the measured ones. V8 keeps optimising a worker's hot code for some
 * 40 workflows after it starts (at 50 steps: 25-37 ms of compilation a workflow over the first 30,
 * under 6 ms after 40), and the XState-driven workflow has more code to warm up; a worker runs for
 * days, so the ratio is of warm workers.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const CONVERGENCE_SECONDS = Number(process.env.BENCH_CONVERGENCE_SECONDS ?? 30);

async function runtimeOverhead(temporal: TestTemporal): Promise<void> {
  // The runtime schedules central effects on the central queue, so the bench worker polls it.
  const taskQueue = CENTRAL_TASK_QUEUE;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('./bench-workflows'), [require.resolve('./steps-machine')]),
    activities: createCentralActivities({ address: 'bench', ping: async () => undefined, spocStatus: async () => ({}) }),
  });
  const stats = { machineSteps: { ms: [] as number[], cpu: [] as number[] }, plainSteps: { ms: [] as number[], cpu: [] as number[] } };
  const threads = { machineSteps: new Map<number, ThreadSample>(), plainSteps: new Map<number, ThreadSample>() };
  await worker.runUntil(async () => {
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      // Each kind goes first every other round, so neither gains from the other warming up.
      const order = i % 2 === 0 ? (['machineSteps', 'plainSteps'] as const) : (['plainSteps', 'machineSteps'] as const);
      for (const type of order) {
        const cpu = process.cpuUsage();
        const threadsBefore = sampleThreads();
        const t0 = performance.now();
        await temporal.client.workflow.execute(type, { taskQueue, workflowId: `${type}-${randomUUID()}`, args: [STEPS] });
        const elapsed = performance.now() - t0;
        const used = process.cpuUsage(cpu);
        const threadsUsed = ticksBetween(threadsBefore, sampleThreads());
        if (i < WARMUP) continue;
        addTicks(threads[type], threadsUsed);
        process.stderr.write('.');
        stats[type].ms.push(elapsed);
        stats[type].cpu.push((used.user + used.system) / 1000);
      }
    }
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const m = stats.machineSteps;
  const p = stats.plainSteps;
  console.log(`\n1. Runtime overhead: ${STEPS}-step procedure, ${RUNS} runs each (after ${WARMUP} of each to warm the worker up), alternating which goes first; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`   XState-driven workflow : mean end-to-end ${mean(m.ms).toFixed(1)} ms, worker CPU ${mean(m.cpu).toFixed(1)} ms per workflow (median ${median(m.cpu).toFixed(1)})`);
  console.log(`   hand-written workflow  : mean end-to-end ${mean(p.ms).toFixed(1)} ms, worker CPU ${mean(p.cpu).toFixed(1)} ms per workflow (median ${median(p.cpu).toFixed(1)})`);
  const wall = ratioOfMeansInterval(m.ms, p.ms);
  const cpu = ratioOfMeansInterval(m.cpu, p.cpu);
  const within = (r: RatioInterval) => `95 % interval ${r.low.toFixed(3)}-${r.high.toFixed(3)} over ${r.rounds} paired rounds`;
  console.log(`   ratio end-to-end       : ${wall.ratio.toFixed(3)} (${within(wall)}; target <= 1.1)`);
  console.log(`   ratio worker CPU       : ${cpu.ratio.toFixed(3)} (${within(cpu)}; of medians ${(median(m.cpu) / median(p.cpu)).toFixed(3)}; target <= 1.1)`);
  printCpuByThread(threads, RUNS);
}

/** The worker's CPU per workflow split by thread (bench/thread-cpu.ts), where /proc tells it. */
function printCpuByThread(threads: Record<'machineSteps' | 'plainSteps', Map<number, ThreadSample>>, runs: number): void {
  if (threads.machineSteps.size === 0) return;
  const total = new Map<number, ThreadSample>(threads.machineSteps);
  addTicks(total, threads.plainSteps);
  const roles = threadRoles(total, process.pid);
  const tick = msPerTick();
  const machine = ticksByRole(threads.machineSteps, roles);
  const plain = ticksByRole(threads.plainSteps, roles);
  const words: Record<ThreadRole, string> = { workflowThread: 'workflow thread', main: 'main thread', v8Helpers: "V8's helper threads", temporalCore: 'Temporal core (Rust)', other: 'other threads' };
  console.log('   worker CPU by thread, ms per workflow (XState-driven / hand-written / difference):');
  for (const role of Object.keys(words) as ThreadRole[]) {
    const a = (machine[role] * tick) / runs;
    const b = (plain[role] * tick) / runs;
    console.log(`     ${words[role].padEnd(22)}: ${a.toFixed(1)} / ${b.toFixed(1)} / ${(a - b >= 0 ? '+' : '') + (a - b).toFixed(1)}`);
  }
}

async function orchestrationOverhead(temporal: TestTemporal): Promise<void> {
  const inventory = testInventory({ timeScale: 60 });
  const fleet = createTestFleet(inventory);
  const input = groupRestartExample(inventory, 'prague');
  input.waits.convergenceSeconds = CONVERGENCE_SECONDS;
  const spoolflow = new SpoolflowClient(temporal.client);
  const workflowId = `bench-restart-${randomUUID()}`;
  const { wallMs, status } = await withWorkers(temporal, fleet, async () => {
    const t0 = performance.now();
    await spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
    await spoolflow.result(workflowId);
    const wall = performance.now() - t0;
    return { wallMs: wall, status: await spoolflow.handle(workflowId).query(statusQuery) };
  });
  fleet.stop();
  const span = (e: { startedAt: string; endedAt?: string }) => (e.endedAt ? Date.parse(e.endedAt) - Date.parse(e.startedAt) : 0);
  const hostMs = status.path.filter((e) => e.action !== 'wait' && e.host).reduce((a, e) => a + span(e), 0);
  const centralMs = status.path.filter((e) => e.action !== 'wait' && !e.host).reduce((a, e) => a + span(e), 0);
  const waitMs = status.path.filter((e) => e.action === 'wait').reduce((a, e) => a + span(e), 0);
  const overheadMs = wallMs - hostMs - waitMs;
  console.log(`\n2. Orchestration overhead: restart of the 3-member group "prague" without cache deletion (time scale ${inventory.timeScale}, convergence ${CONVERGENCE_SECONDS} s)`);
  console.log(`   wall time                          : ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`   mandated waits                     : ${(waitMs / 1000).toFixed(2)} s`);
  console.log(`   host steps (simulated service time): ${(hostMs / 1000).toFixed(2)} s over ${status.path.filter((e) => e.host).length} steps`);
  console.log(`   central checks                     : ${(centralMs / 1000).toFixed(2)} s (counted as orchestration)`);
  console.log(`   orchestration overhead             : ${(overheadMs / 1000).toFixed(2)} s = ${((100 * overheadMs) / wallMs).toFixed(2)} % of wall time (target <= 2 %)`);
}

/** The parts by name, in the order `npm run bench` runs them all. */
const PARTS = {
  runtime: runtimeOverhead,
  orchestration: orchestrationOverhead,
  failover: failoverLatency,
  cli: cliLatency,
  'spool-report': async () => spoolReportCost(),
  'sap-spool': async () => sapSpoolThroughput(),
} satisfies Record<string, (temporal: TestTemporal) => Promise<void>>;

type PartName = keyof typeof PARTS;

/** The parts named on the command line (`npx tsx bench/run.ts runtime`), or all of them. */
function partsToRun(names: string[]): PartName[] {
  const known = Object.keys(PARTS) as PartName[];
  const unknown = names.filter((n) => !(known as string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown bench part ${unknown.map((n) => `"${n}"`).join(', ')}: the parts are ${known.join(', ')}`);
  return names.length > 0 ? (names as PartName[]) : known;
}

async function main(): Promise<void> {
  const parts = partsToRun(process.argv.slice(2));
  const temporal = await startTestTemporal();
  try {
    for (const part of parts) await PARTS[part](temporal);
  } finally {
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
