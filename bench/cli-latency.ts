/**
 * The CLI's latency: `spoolflow catalog` and `spoolflow plan <id> --input <file>` (commands that
 * need no server) run again and again as new processes, the way a script calls them; the median
 * and 95th percentile of the wall time. Once through the launcher with the compiled CLI (dist/,
 * `npm run build`), once the way the launcher runs the sources when that build is stale (tsx).
 * Target: under 500 ms for the compiled CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshBuildMain } from '../cli/build-freshness';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);
const ROOT = path.join(__dirname, '..');
const LAUNCHER = path.join(ROOT, 'cli', 'spoolflow.js');
/** What cli/spoolflow.js does when dist/ is stale or missing. */
const THROUGH_TSX = ['--require', 'tsx/cjs', path.join(ROOT, 'cli', 'main.ts')];

/** Wall times in ms of `node <entry> <args>`, RUNS times after one warm-up run. */
function timesOf(entry: string[], args: string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i += 1) {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, [...entry, ...args], { cwd: ROOT, encoding: 'utf8' });
    const elapsed = performance.now() - t0;
    if (run.status !== 0) throw new Error(`spoolflow ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
    if (i > 0) times.push(elapsed);
  }
  return times;
}

/** The value below which `fraction` of the sorted times lie (nearest rank). */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`   ${label.padEnd(32)}: median ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms`);
}

export function cliLatency(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-bench-cli-'));
  try {
    const catalog = JSON.parse(spawnSync(process.execPath, [LAUNCHER, 'catalog'], { cwd: ROOT, encoding: 'utf8' }).stdout) as { id: string; exampleInput: unknown }[];
    const first = catalog[0];
    if (!first) throw new Error('spoolflow catalog listed no procedure');
    const inputFile = path.join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify(first.exampleInput));
    const commands = { catalog: ['catalog'], plan: ['plan', first.id, '--input', inputFile] };
    console.log(`\n4. CLI latency: each command as a new process, ${RUNS} runs (after one warm-up) (target < 500 ms compiled)`);
    const built = freshBuildMain(ROOT) !== undefined;
    for (const [name, args] of Object.entries(commands)) {
      if (built) report(`${name}, compiled (dist/)`, timesOf([LAUNCHER], args));
      report(`${name}, sources through tsx`, timesOf(THROUGH_TSX, args));
    }
    if (!built) console.log('   compiled: no build, or older than its sources; `npm run build` writes one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
