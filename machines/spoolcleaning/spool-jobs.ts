/**
 * What the spool cleaning talks about: the jobs on a spooler's disk as its report lists them, the
 * Spooler Controller's record of them, and the delete requests the Job Service caches
 * (docs/spool-cleaning.md#how-a-job-is-deleted). Times are milliseconds since the epoch.
 */
import { z } from 'zod';
import { hostNameSchema, printableText } from '../core/input-rules';
import { JOB_STATES, type JobState } from './spool-cleaning-config';

/** A job id as a spooler names its job folder: no path separators, nothing a file system reads specially. */
export const jobIdSchema = printableText(128).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a job id: letters, digits, ".", "_" and "-", starting with a letter or digit');

/** One job on a spooler's disk, as its report lists it. */
export const reportedJobSchema = z.strictObject({
  jobId: jobIdSchema,
  state: z.enum(JOB_STATES),
  /** When the job was submitted (ms since the epoch): its age is counted from here. */
  submittedAt: z.number().int().nonnegative(),
});
export type ReportedJob = z.output<typeof reportedJobSchema>;

/** A spooler's status report: the jobs it has on disk now. */
export const spoolerReportSchema = z
  .strictObject({
    spooler: hostNameSchema,
    /** When the spooler sent it (ms since the epoch). */
    at: z.number().int().nonnegative(),
    jobs: z.array(reportedJobSchema).max(1_000_000, 'at most a million jobs in one report'),
  })
  .superRefine((report, ctx) => {
    const seen = new Set<string>();
    report.jobs.forEach((job, i) => {
      if (seen.has(job.jobId)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'jobId'], message: `job "${job.jobId}" is listed twice` });
      seen.add(job.jobId);
    });
  });
export type SpoolerReport = z.output<typeof spoolerReportSchema>;

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
