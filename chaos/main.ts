/**
 * `npm run chaos`: CHAOS_RUNS runs (default 50) of chaos/run-once.ts on one dev server, seeded:
 * run n uses CHAOS_SEED + n - 1, printed on its line; CHAOS_SEED=<that> CHAOS_RUNS=1 replays its
 * choices (what is killed, which faults, the operator's answers; the stack's own timing varies). One line per run,
 * then the totals; exit 1 when any invariant broke.
 */
import { seededRandom } from '../simulator/core/sim-clock';
import { runOnce, type RunReport } from './run-once';
import { ChaosStack } from './stack';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const runs = positiveInteger('CHAOS_RUNS', 50);
  const seed = positiveInteger('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31) + 1);
  const verbose = process.env.CHAOS_VERBOSE === '1';
  console.log(`chaos: ${runs} runs, seed ${seed} (CHAOS_SEED=${seed} replays it)`);
  const stack = new ChaosStack();
  await stack.startServer();
  // Ctrl-C: the dev server and the parts are this script's children, and would outlive it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stack.close().finally(() => process.exit(130)));
  }
  const reports: RunReport[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      // Each run has a seed of its own: CHAOS_SEED=<it> CHAOS_RUNS=1 replays that run's choices.
      const runSeed = seed + run - 1;
      // The JobScheduler choices from a stream of their own: the SPOC choices of a seed stay as they were.
      const streams = { spoc: seededRandom(runSeed), scheduler: seededRandom(runSeed ^ 0x5bd1e995), scenarios: seededRandom(runSeed ^ 0x2545f491), flexispooler: seededRandom(runSeed ^ 0x68e31da4), spoolcleaning: seededRandom(runSeed ^ 0x1b56c4e9), sap: seededRandom(runSeed ^ 0x7feb352d), sapShutdown: seededRandom(runSeed ^ 0x4f1bbcdc), fleet: seededRandom(runSeed ^ 0x3c6ef372), membership: seededRandom(runSeed ^ 0x6a09e667) };
      const report = await runOnce(stack, streams, `${seed}-${run}`, (line) => verbose && console.log(line));
      reports.push(report);
      const kills = Object.entries(report.kills).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
      console.log(`run ${run} (seed ${runSeed}): ${report.procedures.join(', ')}; kills: ${kills}; faults ${report.faults}; retries ${report.retries}, aborts ${report.aborts}; resumed ${report.resumed}; record ${report.recordLines} lines, scheduler record ${report.schedulerLines} lines (activations ${report.activations}, order steps ${report.orderSteps}), member kills ${report.memberKills}; operator aborts ${report.operatorAborts}, loads ${report.loads}, slow hosts ${report.slowHosts}; breaks ${report.breaks.length}${perSystem(report.breaksBySystem)}; ${report.seconds.toFixed(1)} s`);
      for (const line of report.systems) console.log(`  ${line}`);
      for (const b of report.breaks) console.log(`  BREAK ${b.invariant}: ${b.detail}`);
      if (report.breaks.length > 0) console.log(`  its data folder (operation record, hosts' state): ${report.dataDir}`);
    }
  } finally {
    await stack.close();
  }
  for (const death of stack.deaths) if (verbose) console.log(`part died by itself (started again): ${death}`);
  const sum = (f: (r: RunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const kills = { worker: sum((r) => r.kills.worker), agents: sum((r) => r.kills.agents), server: sum((r) => r.kills.server), stack: sum((r) => r.kills.stack) };
  const breaks = sum((r) => r.breaks.length);
  const systems = ['spoc', 'jobscheduler', 'flexispooler', 'spoolcleaning', 'sap'] as const;
  const breaksBySystem = Object.fromEntries(systems.map((s) => [s, sum((r) => r.breaksBySystem[s] ?? 0)]));
  const faultsBySystem = systems.slice(2).map((s) => `${s} ${sum((r) => r.systemFaults[s] ?? 0)}`).join(', ');
  console.log(
    `chaos seed ${seed}: runs ${reports.length}, kills ${kills.worker + kills.agents + kills.server + kills.stack} (worker ${kills.worker}, agents ${kills.agents}, server ${kills.server}, stack ${kills.stack}), member kills ${sum((r) => r.memberKills)}, faults ${sum((r) => r.faults)} (and ${faultsBySystem}), operator aborts ${sum((r) => r.operatorAborts)}, loads ${sum((r) => r.loads)}, slow hosts ${sum((r) => r.slowHosts)}, retries ${sum((r) => r.retries)}, aborts ${sum((r) => r.aborts)}, resumed ${sum((r) => r.resumed)}, invariant breaks ${breaks} (${systems.map((s) => `${s} ${breaksBySystem[s] ?? 0}`).join(', ')}); ${(sum((r) => r.seconds) / Math.max(1, reports.length)).toFixed(1)} s per run`,
  );
  process.exit(breaks > 0 ? 1 : 0);
}

/** Breaks per system, when there are any: ` (sap 2, spoc 1)`. */
function perSystem(bySystem: Partial<Record<string, number>>): string {
  const parts = Object.entries(bySystem).filter(([, n]) => (n ?? 0) > 0).map(([system, n]) => `${system} ${n ?? 0}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
