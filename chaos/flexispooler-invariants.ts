/**
 * The FlexiSpooler invariants of a chaos run (docs/flexispooler-failover.md#exactly-once), checked
 * over the simulated network's record (`<data dir>/sim/flexispooler-operations.jsonl`) and what the
 * deliveries returned. Pure: the chaos run feeds it the files, test/chaos/flexispooler-invariants.test.ts
 * hand-made records that break each rule.
 *
 * - no job held twice: at most one server (a Spooler Controller or a data-center server) took
 *   each job (`accepted`); a delivery again answers `already-held`;
 * - no job printed twice: at most one `print` line that printed it;
 * - every job printed exactly once or reported: a delivery that says `printed` has the record's
 *   print of it, at the printer it names; a job the record shows printed was delivered and
 *   watched by a delivery that says so (or one that reports it cancelled and names the server
 *   it may be held on); a job neither printed nor reported (still waiting at the end, or its
 *   delivery failed) is lost.
 */
import type { FlexiSpoolerOperationEntry } from '../simulator/flexispooler/flexispooler-operation-record';
import type { InvariantBreak } from './invariants';

/** One print job of a run, as the invariants need it. */
export interface PrintJobOfRun {
  jobId: string;
  workflowId: string;
  /** `printed`, `cancelled`, `failed: ...`, or `still waiting` when it did not end. */
  ending: string;
  /** What the delivery returned, when it ended with a result. */
  output?: { outcome: string; release?: { printer: string } | null; heldOn?: { server: string } | null; mayBeHeldOn?: string[] };
}

const TOOK_IT = new Set(['deliver-to-spooler-controller', 'deliver-through-public-server']);

export function flexiSpoolerBreaks(record: FlexiSpoolerOperationEntry[], jobs: PrintJobOfRun[]): InvariantBreak[] {
  return [...heldTwice(record), ...printedTwice(record), ...notPrintedNorReported(record, jobs)];
}

function countBy(entries: FlexiSpoolerOperationEntry[], keep: (e: FlexiSpoolerOperationEntry) => boolean): Map<string, FlexiSpoolerOperationEntry[]> {
  const byJob = new Map<string, FlexiSpoolerOperationEntry[]>();
  for (const e of entries) if (e.job !== null && keep(e)) byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
  return byJob;
}

function heldTwice(record: FlexiSpoolerOperationEntry[]): InvariantBreak[] {
  return [...countBy(record, (e) => TOOK_IT.has(e.operation) && e.outcome === 'accepted').entries()]
    .filter(([, takes]) => takes.length > 1)
    .map(([job, takes]) => ({ invariant: 'print-job-held-twice' as const, detail: `${job} taken ${takes.length} times: ${takes.map((t) => t.server).join(', ')}` }));
}

const printedNow = (e: FlexiSpoolerOperationEntry) => e.operation === 'print' && e.outcome.startsWith('printed');

function printedTwice(record: FlexiSpoolerOperationEntry[]): InvariantBreak[] {
  return [...countBy(record, printedNow).entries()]
    .filter(([, prints]) => prints.length > 1)
    .map(([job, prints]) => ({ invariant: 'print-job-printed-twice' as const, detail: `${job} printed ${prints.length} times: ${prints.map((p) => `${p.outcome} from ${p.server}`).join('; ')}` }));
}

function notPrintedNorReported(record: FlexiSpoolerOperationEntry[], jobs: PrintJobOfRun[]): InvariantBreak[] {
  const prints = countBy(record, printedNow);
  return jobs.flatMap((job): InvariantBreak[] => {
    const print = prints.get(job.jobId)?.[0];
    const says = job.output?.outcome;
    if (says === 'printed') {
      const printer = job.output?.release?.printer;
      if (!print) return [{ invariant: 'print-job-lost', detail: `${job.workflowId} says ${job.jobId} printed at ${printer ?? '?'}, the network never printed it` }];
      return printer !== undefined && !print.outcome.includes(printer) ? [{ invariant: 'print-job-lost', detail: `${job.workflowId} says ${job.jobId} printed at ${printer}, the network ${print.outcome}` }] : [];
    }
    if (says === 'unwatched') {
      // No longer watched, still held: printed later from the server the result names is fine.
      const server = job.output?.heldOn?.server;
      return print && print.server !== server ? [{ invariant: 'print-job-lost', detail: `${job.workflowId} says ${job.jobId} unwatched while held on ${server ?? '?'}, yet ${print.server} printed it` }] : [];
    }
    if (says === 'cancelled') {
      // A cancel deletes nothing: a job printed after it is fine when the result named where it may be held.
      const namedIt = print !== undefined && (job.output?.mayBeHeldOn ?? []).includes(print.server);
      return print && !namedIt ? [{ invariant: 'print-job-lost', detail: `${job.workflowId} says ${job.jobId} cancelled and names no server it may be held on, yet ${print.server} printed it` }] : [];
    }
    return [{ invariant: 'print-job-lost', detail: `${job.workflowId}: ${job.jobId} ${print ? `printed from ${print.server} but its delivery ended ${job.ending}` : `neither printed nor reported (delivery ${job.ending})`}` }];
  });
}
