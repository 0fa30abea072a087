/**
 * The spool cleaning's invariants of a chaos run (docs/spool-cleaning.md), checked over the
 * simulated spoolers' record (`<data dir>/sim/spool-cleaning-operations.jsonl`), the jobs the run
 * put on the spoolers and their disks at the end. Pure: test/chaos/spool-cleaning-invariants.test.ts
 * feeds it hand-made records that break each rule.
 *
 * - no job deleted twice: at most one `delete-job` that removed it (a command again finds it gone);
 * - no job the rule keeps deleted: at the spooler's last report before the deletion (the one whose
 *   decision sent the command), the job's state and age then let the rule delete it. A state
 *   change after that report is the product's race, not judged: the rule is checked at the
 *   report, as the source has it;
 * - no job lost: a job put on a spooler is on its disk at the end unless a `delete-job` removed it.
 */
import type { OperationRecordEntry } from '../simulator/core/operation-record';
import { isDeletable } from '../machines/spoolcleaning/deletion-rule';
import type { DeletionRule } from '../machines/spoolcleaning/spool-cleaning-config';
import type { InvariantBreak } from './invariants';

/** A job put on a spooler by the run (or a change of its state), with when it happened. */
export interface SpooledJob {
  spooler: string;
  jobId: string;
  state: string;
  submittedAt: number;
  /** When the job arrived, or its state changed to this one (ms). */
  at: number;
}

export interface SpoolCleaningObservation {
  record: OperationRecordEntry[];
  /** Every job the run put on a spooler and every state change, in the order they happened. */
  spooled: SpooledJob[];
  /** The rule, parsed (spans in ms). */
  rule: DeletionRule;
  /** Per spooler, the job ids on its disk at the end. */
  onDiskAfter: Record<string, string[]>;
}

const key = (spooler: string, job: string) => `${spooler}/${job}`;
const removed = (e: OperationRecordEntry) => e.operation === 'delete-job' && e.outcome === 'deleted';

export function spoolCleaningBreaks(run: SpoolCleaningObservation): InvariantBreak[] {
  return [...deletedTwice(run.record), ...keptJobsDeleted(run), ...lostJobs(run)];
}

function deletedTwice(record: OperationRecordEntry[]): InvariantBreak[] {
  const counts = new Map<string, number>();
  for (const e of record.filter(removed)) counts.set(key(e.host, e.target), (counts.get(key(e.host, e.target)) ?? 0) + 1);
  return [...counts.entries()].filter(([, n]) => n > 1).map(([job, n]) => ({ invariant: 'spool-job-deleted-twice' as const, detail: `${job} deleted ${n} times` }));
}

/** The job as it was at `at`: its last arrival or state change not after it. */
function jobAt(spooled: SpooledJob[], spooler: string, jobId: string, at: number): SpooledJob | undefined {
  return spooled.filter((j) => j.spooler === spooler && j.jobId === jobId && j.at <= at).at(-1);
}

/** The spooler's reports (the agent's `sent` line, written as it listed its disk). */
const reportsOf = (record: OperationRecordEntry[], spooler: string) => record.filter((e) => e.host === spooler && e.operation === 'report' && e.outcome === 'sent').map((e) => Date.parse(e.time));

function keptJobsDeleted(run: SpoolCleaningObservation): InvariantBreak[] {
  return run.record.filter(removed).flatMap((e): InvariantBreak[] => {
    const deletedAt = Date.parse(e.time);
    const reportAt = reportsOf(run.record, e.host).filter((t) => t <= deletedAt).at(-1);
    if (reportAt === undefined) return [{ invariant: 'spool-kept-job-deleted', detail: `${key(e.host, e.target)} deleted at ${e.time} with no report of its spooler before` }];
    const job = jobAt(run.spooled, e.host, e.target, reportAt);
    if (!job) return [];
    return isDeletable(job, run.rule, reportAt) ? [] : [{ invariant: 'spool-kept-job-deleted', detail: `${key(e.host, e.target)} deleted at ${e.time}: ${job.state}, ${Math.round((reportAt - job.submittedAt) / 3_600_000)} h old at its spooler's report, which the rule keeps` }];
  });
}

function lostJobs(run: SpoolCleaningObservation): InvariantBreak[] {
  const deleted = new Set(run.record.filter(removed).map((e) => key(e.host, e.target)));
  const put = new Map(run.spooled.map((j) => [key(j.spooler, j.jobId), j]));
  return [...put.values()]
    .filter((j) => !deleted.has(key(j.spooler, j.jobId)) && !(run.onDiskAfter[j.spooler] ?? []).includes(j.jobId))
    .map((j) => ({ invariant: 'spool-job-lost' as const, detail: `${key(j.spooler, j.jobId)} (${j.state}) gone from its spooler with no deletion in the record` }));
}
