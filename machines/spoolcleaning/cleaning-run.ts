/**
 * One run of the cleaning (the CRON rule's run; docs/spool-cleaning.md#the-cleaning-run): every job
 * the Spooler Controller knows and has not yet asked to delete, and that the rule allows deleting
 * now, gets a delete request cached for `DeleteJobCandidateExpirationTime`. The controller asks once
 * per job, as the product does: that is why a request that expires is never made again by the
 * cleaning, and why the edge case keeps a job forever.
 *
 * Pure: the store reads the candidates and writes the changes (activities/spoolcleaning/).
 */
import { isDeletable } from './deletion-rule';
import type { DeletionRule } from './spool-cleaning-config';
import type { ControllerJob, DeleteRequest } from './spool-jobs';

export interface CleaningRunChanges {
  /** The requests to cache, one per job newly found deletable. */
  requests: DeleteRequest[];
}

export function planCleaningRun(candidates: readonly ControllerJob[], rule: DeletionRule, ttl: number, now: number): CleaningRunChanges {
  const requests = candidates
    .filter((job) => job.deleteRequestedAt === null && isDeletable(job, rule, now))
    .map((job) => ({ jobId: job.jobId, spooler: job.spooler, requestedAt: now, expiresAt: now + ttl, reissued: false }));
  return { requests };
}
