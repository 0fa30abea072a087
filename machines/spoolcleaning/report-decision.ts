/**
 * What the Job Service does with one spooler's status report (docs/spool-cleaning.md#reports),
 * decided from the report and the cached requests and controller records of the jobs IN the report
 * only: the store looks those up by job id, so a report costs what its jobs cost, however many
 * requests the cache holds.
 *
 * For each reported job:
 * - a live request for it, from this spooler, and the rule still allows deleting it: a delete
 *   command goes out and the request's TTL is renewed (the product's behaviour);
 * - a request that has expired: dropped (the cache would have dropped it already);
 * - no live request: an orphan when the controller had asked for its deletion (the request expired:
 *   the document's edge case) or when the rule has held it deletable for `overdueAfter`; healed as
 *   configured: `keep` (the product), `reissue` (a new request, and its delete command now, while
 *   the spooler is here), `report` (listed for the operator).
 * A job the rule keeps now (a printed job being printed again) gets no command, whatever is cached.
 * A job whose submission time cannot be true (deletion-rule.ts, isPlausibleSubmission) gets none
 * either, whatever is cached, and is named for the operator (`implausible`).
 *
 * At most DELETE_COMMANDS_PER_REPORT commands go out with one report (they travel in the loop's
 * history and the spooler deletes them in one activity); a job past that is deferred to the next
 * report: its live request is renewed all the same, so it cannot expire while it waits, and an
 * orphan it would heal by reissue is left for the next report to find and heal.
 */
import { deletableFrom, isDeletable, isPlausibleSubmission } from './deletion-rule';
import type { OrphanHealing, SpoolCleaningConfig } from './spool-cleaning-config';
import { isAlive, type ControllerJob, type DeleteRequest, type ReportedJob, type SpoolerReport } from './spool-jobs';

export type OrphanReason = 'request-expired' | 'overdue';

export interface Orphan {
  jobId: string;
  spooler: string;
  reason: OrphanReason;
  /** What was done: kept (as the product), reissued, or reported to the operator. */
  action: 'kept' | 'reissued' | 'reported';
  foundAt: number;
}

/** What the store knows of the reported jobs, looked up by their ids. */
export interface KnownOfReport {
  requests: ReadonlyMap<string, DeleteRequest>;
  controllerJobs: ReadonlyMap<string, ControllerJob>;
}

/** The most delete commands one report sends (some 200 KB of job ids). */
export const DELETE_COMMANDS_PER_REPORT = 5_000;

export interface ReportDecision {
  /** Jobs the spooler is told to delete, in report order. */
  deleteCommands: string[];
  /**
   * The same jobs as the report listed them: the spooler deletes a job only while it is still so
   * (a job printed again or released since the listing is kept), spool-folder.ts.
   */
  asListed: ReportedJob[];
  /** Jobs that would have had a command past DELETE_COMMANDS_PER_REPORT: the next report sends them. */
  deferred: number;
  /** Requests to write: renewed ones and reissued ones. */
  putRequests: DeleteRequest[];
  /** Expired requests to drop. */
  dropRequests: string[];
  /** The controller's record of every reported job, with its state as reported. */
  putControllerJobs: ControllerJob[];
  orphans: Orphan[];
  /**
   * Jobs listed with a submission time that cannot be true at the report's time (in seconds, in
   * microseconds, zero): kept, whatever the rule or a cached request says, until the spooler
   * lists them right. Absent in decisions stored before they were named.
   */
  implausible?: ReportedJob[];
}

type DecisionConfig = Pick<SpoolCleaningConfig, 'cleaning' | 'orphans' | 'YmqProxyOptions'>;

export function decideOnReport(report: SpoolerReport, known: KnownOfReport, config: DecisionConfig): ReportDecision {
  const now = report.at;
  const ttl = config.YmqProxyOptions.DeleteJobCandidateExpirationTime;
  const rule = config.cleaning.rule;
  const implausible: ReportedJob[] = [];
  const decision: ReportDecision = { deleteCommands: [], asListed: [], deferred: 0, putRequests: [], dropRequests: [], putControllerJobs: [], orphans: [], implausible };
  const command = (job: ReportedJob) => {
    decision.deleteCommands.push(job.jobId);
    decision.asListed.push({ jobId: job.jobId, state: job.state, submittedAt: job.submittedAt });
  };
  const room = () => decision.deleteCommands.length < DELETE_COMMANDS_PER_REPORT;
  for (const job of report.jobs) {
    const record = known.controllerJobs.get(job.jobId);
    const deleteRequestedAt = record?.spooler === report.spooler ? record.deleteRequestedAt : null;
    const controllerJob: ControllerJob = { ...job, spooler: report.spooler, deleteRequestedAt };
    decision.putControllerJobs.push(controllerJob);
    const cached = known.requests.get(job.jobId);
    const request = cached?.spooler === report.spooler ? cached : undefined;
    if (request && !isAlive(request, now)) decision.dropRequests.push(request.jobId);
    if (!isPlausibleSubmission(job, now)) {
      implausible.push(job);
      continue;
    }
    if (!isDeletable(job, rule, now)) continue;
    if (request && isAlive(request, now)) {
      if (room()) command(job);
      else decision.deferred += 1;
      decision.putRequests.push({ ...request, expiresAt: now + ttl });
      continue;
    }
    const reason: OrphanReason | undefined =
      deleteRequestedAt !== null ? 'request-expired' : now - deletableFrom(job, rule)! >= config.orphans.overdueAfter ? 'overdue' : undefined;
    if (reason === undefined) continue;
    const action = actionFor(config.orphans.healing);
    if (action === 'reissued' && !room()) {
      decision.deferred += 1;
      continue;
    }
    decision.orphans.push({ jobId: job.jobId, spooler: report.spooler, reason, action, foundAt: now });
    if (action === 'reissued') {
      controllerJob.deleteRequestedAt = now;
      command(job);
      decision.putRequests.push({ jobId: job.jobId, spooler: report.spooler, requestedAt: now, expiresAt: now + ttl, reissued: true });
    }
  }
  return decision;
}

function actionFor(healing: OrphanHealing): Orphan['action'] {
  switch (healing) {
    case 'keep':
      return 'kept';
    case 'reissue':
      return 'reissued';
    case 'report':
      return 'reported';
  }
}
