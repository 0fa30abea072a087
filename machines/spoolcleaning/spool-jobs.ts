/**
 * What the spool cleaning talks about: the jobs on a spooler's disk as its report lists them, the
 * Spooler Controller's record of them, and the delete requests the Job Service caches
 * (docs/spool-cleaning.md#how-a-job-is-deleted). Times are milliseconds since the epoch.
 */
import { z } from 'zod';
import { hostNameSchema, printableText } from '../core/input-rules';
import { JOB_STATES, type JobState } from './spool-cleaning-config';

/** Names Windows gives to devices in every folder, with or without an extension ("NUL", "com1.txt"). */
const WINDOWS_DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?$/i;

/**
 * A job id as a spooler names its job folder: no path separators, nothing a file system reads
 * specially. Windows drops a trailing dot ("job-1." opens "job-1", so a command for one would
 * delete the other) and opens a device for a device name.
 */
export const jobIdSchema = printableText(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a job id: letters, digits, ".", "_" and "-", starting with a letter or digit')
  .refine((id) => !id.endsWith('.'), 'must not end with "." (Windows drops it: the id would name another job\'s folder)')
  .refine((id) => !WINDOWS_DEVICE_NAME.test(id), 'must not be a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension)');

/** One job on a spooler's disk, as its report lists it. */
export const reportedJobSchema = z.strictObject({
  jobId: jobIdSchema,
  state: z.enum(JOB_STATES),
  /** When the job was submitted (ms since the epoch): its age is counted from here. */
  submittedAt: z.number().int().nonnegative(),
});
export type ReportedJob = z.output<typeof reportedJobSchema>;

/**
 * A report travels through the reporting loop's history in pages of this many jobs: a spooler
 * with many jobs on disk (some 18,000 made one listing pass Temporal's 2 MB payload limit) is
 * listed page by page, each page kept by the Job Service until the report is whole.
 */
export const REPORT_PAGE_JOBS = 5_000;

/**
 * The most jobs one report lists (its pages pass twice through the loop's history, some 14 MB
 * at this size, under Temporal's 50 MB history limit with room for the loop's next run). A
 * spooler that holds more reports its first jobs in job id order and says where it stopped
 * (`listedThrough`): the Job Service then forgets nothing it did not see.
 */
export const MAX_REPORTED_JOBS = 100_000;

/** A spooler's status report: the jobs it has on disk now. */
export const spoolerReportSchema = z
  .strictObject({
    spooler: hostNameSchema,
    /** When the spooler sent it (ms since the epoch). */
    at: z.number().int().nonnegative(),
    jobs: z.array(reportedJobSchema).max(MAX_REPORTED_JOBS, `at most ${MAX_REPORTED_JOBS} jobs in one report`),
    /**
     * Set when the spooler held more jobs than one report lists: the report lists its jobs with
     * ids up to this one (in code-unit order) and says nothing of the jobs after it.
     */
    listedThrough: jobIdSchema.optional(),
  })
  .superRefine((report, ctx) => {
    const seen = new Set<string>();
    report.jobs.forEach((job, i) => {
      if (seen.has(job.jobId)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'jobId'], message: `job "${job.jobId}" is listed twice` });
      seen.add(job.jobId);
    });
  });
export type SpoolerReport = z.output<typeof spoolerReportSchema>;

/** One page of a spooler's listing: its jobs after `after` in job id order, at most `limit` of them. */
export const spooledJobsPageRequestSchema = z.strictObject({
  spooler: hostNameSchema,
  /** The last job id of the page before; null for the first page. */
  after: jobIdSchema.nullable(),
  limit: z.number().int().min(1).max(REPORT_PAGE_JOBS),
});
export type SpooledJobsPageRequest = z.output<typeof spooledJobsPageRequestSchema>;

export interface SpooledJobsPage {
  jobs: ReportedJob[];
  /** Whether jobs after this page's last one were on disk when it was listed. */
  more: boolean;
}

/** Job ids in the order pages list them: by UTF-16 code unit, as SQLite's BINARY collation orders the store's ids (ASCII here). */
export function compareJobIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A job as the Spooler Controller knows it (from the reports), and whether it asked for its deletion. */
export interface ControllerJob {
  jobId: string;
  spooler: string;
  state: JobState;
  submittedAt: number;
  /** When the cleaning asked for its deletion; null while it has not. The cleaning asks once per job. */
  deleteRequestedAt: number | null;
}

/** A delete request in the Job Service's cache, alive until `expiresAt`. */
export interface DeleteRequest {
  jobId: string;
  spooler: string;
  requestedAt: number;
  expiresAt: number;
  /** True when spoolflow issued it again for an orphan (the product never does). */
  reissued: boolean;
}

/** A request is alive strictly before its expiry; at `expiresAt` the cache has dropped it. */
export function isAlive(request: DeleteRequest, now: number): boolean {
  return now < request.expiresAt;
}
