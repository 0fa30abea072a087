/**
 * The cost of one spooler report as the Job Service's cache grows (docs/spool-cleaning.md#the-durable-store):
 * for 10 to 100,000 cached delete requests, the median time to apply a report of 50 jobs and of 500
 * jobs (half of them with a live request: delete commands and TTL renewals; half without), each
 * report a transaction of its own with `synchronous = FULL`. It must follow the jobs in the report,
 * not the requests cached: the 100,000 row within a small factor of the 10 row, and 500 jobs about
 * ten times 50.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore } from '../activities/spoolcleaning/delete-request-store';
import { parseInput } from '../machines/core/input-errors';
import { spoolCleaningConfigSchema } from '../machines/spoolcleaning/spool-cleaning-config';
import type { ReportedJob } from '../machines/spoolcleaning/spool-jobs';

const SIZES = [10, 100, 1_000, 10_000, 100_000];
const REPORTS = Number(process.env.BENCH_REPORTS ?? 40);
const DAY = 24 * 3_600_000;

function medianMs(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ms to apply a report of `jobs` jobs on a store holding `cached` requests. */
function reportCost(store: DeleteRequestStore, cached: number, jobs: number, run: string): number {
  const config = parseInput(spoolCleaningConfigSchema, 'bench', { spoolers: ['spl-1'] });
  const samples: number[] = [];
  for (let r = 0; r < REPORTS; r += 1) {
    const report: ReportedJob[] = [];
    for (let j = 0; j < jobs; j += 1) {
      // Half the jobs have a cached request (spread over the whole cache), half are new.
      const id = j % 2 === 0 ? `job-${(r * jobs + j) % cached}` : `new-${run}-${r}-${j}`;
      report.push({ jobId: id, state: 'printed', submittedAt: 0 });
    }
    const unique = [...new Map(report.map((job) => [job.jobId, job])).values()];
    const started = process.hrtime.bigint();
    store.applyReport(`${run}-${r}`, { spooler: 'spl-1', at: 2 * DAY + r, jobs: unique }, config);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return medianMs(samples);
}

export function spoolReportCost(): void {
  console.log(`\n5. Spool cleaning: one report's cost as the cached delete requests grow (median of ${REPORTS} reports, SQLite, synchronous = FULL)`);
  console.log('   cached requests | report of 50 jobs | report of 500 jobs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-bench-cleaning-'));
  try {
    for (const cached of SIZES) {
      const store = new DeleteRequestStore(path.join(dir, `store-${cached}.sqlite`));
      const requests = Array.from({ length: cached }, (_, i) => ({ jobId: `job-${i}`, spooler: 'spl-1', requestedAt: DAY, expiresAt: 100 * DAY, reissued: false }));
      store.putRequests(requests);
      const small = reportCost(store, cached, 50, 'a');
      const large = reportCost(store, cached, 500, 'b');
      store.close();
      console.log(`   ${String(cached).padStart(15)} | ${small.toFixed(2).padStart(14)} ms | ${large.toFixed(2).padStart(15)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) spoolReportCost();
