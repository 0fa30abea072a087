/**
 * The spool cleaning's activities (docs/spool-cleaning.md#where-each-part-runs). Central (the Job
 * Service's side, on the central worker): run the cleaning, apply a spooler's report. Spooler (on
 * the spooler's own task queue, its host's agent): list the jobs on disk, delete jobs as commanded.
 *
 * Every one is idempotent: a run or report is applied once per id (the store keeps its outcome), a
 * delete of a job already gone deletes nothing. Inputs are validated before anything is touched.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { describeIssues } from '../../machines/core/input-errors';
import { hostNameSchema } from '../../machines/core/input-rules';
import { spoolCleaningConfigSchema } from '../../machines/spoolcleaning/spool-cleaning-config';
import { jobIdSchema, REPORT_PAGE_JOBS, reportedJobSchema, spooledJobsPageRequestSchema, spoolerReportSchema, type ReportedJob, type SpooledJobsPage, type SpooledJobsPageRequest } from '../../machines/spoolcleaning/spool-jobs';
import type { CleaningRunOutcome, DeleteRequestStore, ReportOutcome } from './delete-request-store';
import type { DeleteOutcome, SpoolFolder } from './spool-folder';

/** The spooler cannot be reached now (disconnected). Retryable: it may be back for the next report. */
export class SpoolerUnreachableError extends Error {
  override readonly name = 'SpoolerUnreachableError';
}

/** Told of every report, command and deletion (the simulator writes them to its operation record). */
export interface SpoolCleaningAuditEntry {
  operation: 'cleaning-run' | 'report' | 'delete-command' | 'delete-job' | 'orphan';
  spooler: string;
  target: string;
  outcome: string;
}

export interface CentralSpoolCleaningDeps {
  store: DeleteRequestStore;
  audit?: (entry: SpoolCleaningAuditEntry) => void;
  /** The Job Service's clock (ms since the epoch); tests give their own. */
  clock?: () => number;
}

function parsed<S extends z.ZodType>(schema: S, what: string, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ApplicationFailure.nonRetryable(`invalid ${what}: ${describeIssues(result.error.issues)}`, 'InvalidEffectError');
  return result.data;
}

const runInput = z.strictObject({ runId: z.string().min(1).max(300), at: z.number().int().nonnegative(), config: z.unknown() });
const reportInput = z.strictObject({ reportId: z.string().min(1).max(300), report: z.unknown(), config: z.unknown() });
const reportPageInput = z.strictObject({
  reportId: z.string().min(1).max(300),
  spooler: hostNameSchema,
  at: z.number().int().nonnegative(),
  jobs: z.array(reportedJobSchema).max(REPORT_PAGE_JOBS, `at most ${REPORT_PAGE_JOBS} jobs in one page of a report`),
});

/**
 * The Job Service's delete command to a spooler: the jobs to delete, and (since the spooler checks
 * a job before deleting it) each as the report listed it. A command without `asListed` (from a
 * reporting loop begun before it was sent) still never deletes a job being printed.
 */
const deleteCommandSchema = z
  .strictObject({
    spooler: hostNameSchema,
    jobIds: z.array(jobIdSchema),
    asListed: z.array(reportedJobSchema).optional(),
  })
  .superRefine((command, ctx) => {
    const commanded = new Set(command.jobIds);
    (command.asListed ?? []).forEach((job, i) => {
      if (!commanded.has(job.jobId)) ctx.addIssue({ code: 'custom', path: ['asListed', i, 'jobId'], message: `job "${job.jobId}" is listed but not commanded (not in jobIds)` });
    });
  });
export type DeleteCommand = z.input<typeof deleteCommandSchema>;

export function createCentralSpoolCleaningActivities(deps: CentralSpoolCleaningDeps) {
  const audit = deps.audit ?? (() => undefined);
  return {
    /** One scheduled run of the cleaning: cache a delete request for every job the rule lets go. */
    async runSpoolCleaning(input: { runId: string; at: number; config: unknown }): Promise<CleaningRunOutcome> {
      const { runId, at, config } = parsed(runInput, 'cleaning run', input);
      // The run's time is its workflow's, but the run may reach the Job Service late (its worker
      // was down for hours): the requests' TTLs count from when they are cached, else they could
      // be expired before any report sends their commands. A retry gets the first outcome (runId).
      const cachedAt = Math.max(at, (deps.clock ?? Date.now)());
      const outcome = deps.store.runCleaning(runId, cachedAt, parsed(spoolCleaningConfigSchema, 'spool cleaning configuration', config));
      const forgotten = outcome.spoolersForgotten ? `, forgot spoolers no longer configured: ${outcome.spoolersForgotten.join(' ')}` : '';
      audit({ operation: 'cleaning-run', spooler: '*', target: runId, outcome: `requested ${outcome.requestedCount}, expired ${outcome.expired}${forgotten}` });
      return Promise.resolve(outcome);
    },

    /** A spooler's report: which delete commands go out, TTLs renewed, orphans found and healed. */
    async applySpoolerReport(input: { reportId: string; report: unknown; config: unknown }): Promise<ReportOutcome> {
      const { reportId, report, config } = parsed(reportInput, 'spooler report', input);
      const valid = parsed(spoolerReportSchema, 'spooler report', report);
      const decision = deps.store.applyReport(reportId, valid, parsed(spoolCleaningConfigSchema, 'spool cleaning configuration', config));
      const deferred = decision.deferred > 0 ? `, deferred to the next report ${decision.deferred}` : '';
      audit({ operation: 'report', spooler: valid.spooler, target: `last page ${valid.jobs.length} jobs`, outcome: `delete commands ${decision.deleteCommands.length}${deferred}, renewed ${decision.renewed}` });
      for (const orphan of decision.orphans) audit({ operation: 'orphan', spooler: orphan.spooler, target: orphan.jobId, outcome: `${orphan.reason} ${orphan.action}` });
      const unnamed = decision.orphanCount - decision.orphans.length;
      if (unnamed > 0) audit({ operation: 'orphan', spooler: valid.spooler, target: `${unnamed} more jobs`, outcome: 'found (the store lists them)' });
      return Promise.resolve(decision);
    },

    /** A page of a large spooler's report, kept until its last page applies the whole report. */
    async stageSpoolerReportPage(input: { reportId: string; spooler: string; at: number; jobs: ReportedJob[] }): Promise<void> {
      const { reportId, spooler, at, jobs } = parsed(reportPageInput, 'spooler report page', input);
      deps.store.stageReportPage(reportId, spooler, at, jobs);
      return Promise.resolve();
    },

    /** The spooler deleted these jobs: they leave the operator's list of orphans. */
    async spooledJobsDeleted(input: { spooler: string; jobIds: string[] }): Promise<void> {
      const { spooler, jobIds } = parsed(z.strictObject({ spooler: hostNameSchema, jobIds: z.array(jobIdSchema) }), 'deleted jobs', input);
      deps.store.jobsDeleted(spooler, jobIds);
      return Promise.resolve();
    },
  };
}

export interface SpoolerActivityDeps {
  /** The spool folder of a spooler this agent serves. */
  folderOf: (spooler: string) => SpoolFolder;
  /** False while the spooler is cut off from the Job Service (the simulator's disconnect); default: always reachable. */
  reachable?: (spooler: string) => boolean;
  audit?: (entry: SpoolCleaningAuditEntry) => void;
}

export function createSpoolerActivities(deps: SpoolerActivityDeps) {
  const audit = deps.audit ?? (() => undefined);
  const reach = (spooler: string) => {
    if (deps.reachable && !deps.reachable(spooler)) throw new SpoolerUnreachableError(`spooler ${spooler} is disconnected from the Job Service`);
  };
  return {
    /** The spooler's status report: the jobs on its disk now. */
    async reportSpooledJobs(input: { spooler: string }): Promise<ReportedJob[]> {
      const { spooler } = parsed(z.strictObject({ spooler: hostNameSchema }), 'report request', input);
      reach(spooler);
      return Promise.resolve(deps.folderOf(spooler).list());
    },

    /** One page of the spooler's status report: its jobs after `after`, in job id order (spool-jobs.ts, REPORT_PAGE_JOBS). */
    async listSpooledJobsPage(input: SpooledJobsPageRequest): Promise<SpooledJobsPage> {
      const { spooler, after, limit } = parsed(spooledJobsPageRequestSchema, 'report page request', input);
      reach(spooler);
      return Promise.resolve(deps.folderOf(spooler).listPage(after, limit));
    },

    /**
     * The Job Service's delete command: each job's folder removed while the job is as the report
     * listed it (`asListed`) and not being printed (spool-folder.ts); a job already gone is left so.
     */
    async deleteSpooledJobs(input: DeleteCommand): Promise<Record<string, DeleteOutcome>> {
      const { spooler, jobIds, asListed } = parsed(deleteCommandSchema, 'delete command', input);
      reach(spooler);
      const folder = deps.folderOf(spooler);
      const listed = new Map((asListed ?? []).map((job) => [job.jobId, job]));
      const outcomes: Record<string, DeleteOutcome> = {};
      for (const jobId of jobIds) {
        const outcome = folder.delete(jobId, listed.get(jobId));
        outcomes[jobId] = outcome;
        audit({ operation: 'delete-job', spooler, target: jobId, outcome });
      }
      return Promise.resolve(outcomes);
    },
  };
}

export type CentralSpoolCleaningActivities = ReturnType<typeof createCentralSpoolCleaningActivities>;
export type SpoolerActivities = ReturnType<typeof createSpoolerActivities>;
