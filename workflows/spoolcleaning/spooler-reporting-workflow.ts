/**
 * A spooler's status reports as a durable loop (docs/spool-cleaning.md#reports): the first after a
 * jitter alone, then every ReportingInterval plus a jitter, each wait a durable timer (a crash of
 * every worker does not move a report). Each report: the spooler lists the jobs on its disk, the
 * Job Service decides (delete commands, TTLs renewed, orphans), the commands go to the spooler.
 *
 * A spooler that cannot be reached sends no report this time; a delete command it cannot receive
 * is lost, as in the product (the request stays cached until its TTL; an orphan may follow).
 * The jitter comes from the workflow's deterministic Math.random. Continues as new every
 * {@link REPORTS_PER_RUN} reports (or when the server suggests it) with its counters.
 */
import { ActivityFailure, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { CentralSpoolCleaningActivities, SpoolerActivities } from '../../activities/spoolcleaning/spool-cleaning-activities';
import { NON_RETRYABLE_ERRORS } from '../../activities/core/non-retryable-errors';
import { parseInput } from '../../machines/core/input-errors';
import { firstReportDelay, nextReportDelay } from '../../machines/spoolcleaning/report-schedule';
import { spoolCleaningConfigSchema } from '../../machines/spoolcleaning/spool-cleaning-config';
import { MAX_REPORTED_JOBS, REPORT_PAGE_JOBS, type SpooledJobsPage, type SpoolerReport } from '../../machines/spoolcleaning/spool-jobs';
import { formatTimeSpan } from '../../machines/spoolcleaning/timespan';
import { hostTaskQueue } from '../task-queues';
import { configureSignal, JOB_SERVICE_TASK_QUEUE, reportingStatusQuery, type SpoolerReportingStatus } from './spool-cleaning-names';

export const REPORTS_PER_RUN = 200;

export interface SpoolerReportingInput {
  spooler: string;
  /** The cleaning configuration, as written (TimeSpan text). */
  config: unknown;
  /** Carried over by continue-as-new: the first report was sent already. */
  status?: SpoolerReportingStatus;
}

const retry: RetryPolicy = { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] };
// A heartbeat timeout, although these activities take milliseconds: a worker killed while one ran is
// noticed after it, not after the whole start-to-close timeout.
const central = proxyActivities<CentralSpoolCleaningActivities>({ taskQueue: JOB_SERVICE_TASK_QUEUE, startToCloseTimeout: '1 minute', heartbeatTimeout: '5 seconds', retry: { ...retry, maximumAttempts: 10 } });

function spoolerActivities(spooler: string) {
  return proxyActivities<SpoolerActivities>({ taskQueue: hostTaskQueue(spooler), scheduleToCloseTimeout: '1 minute', startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry });
}

export async function spoolerReporting(input: SpoolerReportingInput): Promise<never> {
  let config = parseInput(spoolCleaningConfigSchema, 'spool cleaning configuration', input.config);
  let rawConfig = input.config;
  const spooler = input.spooler;
  const status: SpoolerReportingStatus = input.status ?? {
    spooler,
    reports: 0,
    missedReports: 0,
    lastReportAt: null,
    nextReportAt: null,
    lastDeleteCommands: [],
    lostDeleteCommands: [],
  };
  setHandler(reportingStatusQuery, () => status);
  // A signal cannot answer: a bad configuration is logged by the parse's throw being caught here and kept out.
  setHandler(configureSignal, (next: unknown) => {
    try {
      config = parseInput(spoolCleaningConfigSchema, 'spool cleaning configuration', next);
      rawConfig = next;
    } catch {
      // Refused: the client validates before it signals, so only a hand-made signal gets here.
    }
  });
  const onSpooler = spoolerActivities(spooler);
  const firstOfRun = status.reports + status.missedReports;
  for (;;) {
    const first = status.reports + status.missedReports === 0;
    const delay = first ? firstReportDelay(config.StatusReportingOptions, Math.random) : nextReportDelay(config.StatusReportingOptions, Math.random);
    status.nextReportAt = new Date(Date.now() + delay).toISOString();
    await sleep(delay, { summary: `${spooler}: ${first ? 'first report after the jitter' : 'next report'} in ${formatTimeSpan(delay)} (${first ? 'MaxJitter' : 'ReportingInterval + jitter'})` });
    await reportOnce(spooler, rawConfig, onSpooler, status);
    const sent = status.reports + status.missedReports - firstOfRun;
    if (sent >= REPORTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof spoolerReporting>({ spooler, config: rawConfig, status });
    }
  }
}

/** Reports begun from here on list the spooler's jobs in pages; a loop that ran before keeps its whole listings on replay. */
export const PAGED_REPORTS_PATCH = 'paged-spooler-reports';

/**
 * From here on a report the Job Service cannot take (its retries spent: its store unwritable, a
 * refusal) is a missed report, and the loop goes on; before, it ended the loop, and the spooler
 * reported no more until the workers were started again.
 */
export const JOB_SERVICE_FAILURE_MISSES_REPORT_PATCH = 'job-service-failure-misses-the-report';

/** Why the Job Service could not take the report (since the patch: the report is missed), or the error thrown again as before. */
function jobServiceFailure(err: unknown): string {
  if (!(err instanceof ActivityFailure) || !patched(JOB_SERVICE_FAILURE_MISSES_REPORT_PATCH)) throw err;
  return err.cause?.message ?? err.message;
}

async function reportOnce(spooler: string, config: unknown, onSpooler: ReturnType<typeof spoolerActivities>, status: SpoolerReportingStatus): Promise<void> {
  const number = status.reports + status.missedReports;
  const reportId = `${workflowInfo().workflowId}/${workflowInfo().runId}/${number}`;
  let report: SpoolerReport;
  if (patched(PAGED_REPORTS_PATCH)) {
    const listed = await listInPages(spooler, reportId, onSpooler, status);
    if (listed === 'missed') {
      status.missedReports += 1;
      return;
    }
    report = listed;
  } else {
    let jobs;
    try {
      jobs = await onSpooler.reportSpooledJobs({ spooler });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      status.missedReports += 1;
      return;
    }
    report = { spooler, at: Date.now(), jobs };
  }
  let decision;
  try {
    decision = await central.applySpoolerReport({ reportId, report, config });
  } catch (err) {
    status.lastJobServiceFailure = jobServiceFailure(err);
    status.missedReports += 1;
    return;
  }
  status.reports += 1;
  status.lastReportAt = new Date(report.at).toISOString();
  status.lastDeleteCommands = decision.deleteCommands;
  if (decision.implausible?.length) status.implausibleSubmissions = { count: decision.implausibleCount ?? decision.implausible.length, jobs: decision.implausible.map(({ jobId, submittedAt }) => ({ jobId, submittedAt })) };
  else delete status.implausibleSubmissions;
  if (decision.deleteCommands.length === 0) return;
  try {
    const outcomes = await onSpooler.deleteSpooledJobs({ spooler, jobIds: decision.deleteCommands, ...(decision.asListed ? { asListed: decision.asListed } : {}) });
    // Deleted now or gone already: either way the job is off the spooler, and off the orphans list.
    // A job the spooler kept (printed again, released, being printed since the listing) is still
    // there: its request stays cached, and a later report decides on it afresh.
    const gone = Object.entries(outcomes).filter(([, outcome]) => outcome === 'deleted' || outcome === 'already-gone');
    await central.spooledJobsDeleted({ spooler, jobIds: gone.map(([jobId]) => jobId) });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    status.lostDeleteCommands = [...status.lostDeleteCommands, ...decision.deleteCommands].slice(-100);
  }
}

/**
 * The spooler's jobs page by page: every page but the last is staged with the Job Service, the
 * last is returned as the report (with `listedThrough` when the spooler held more than one
 * report lists). 'missed' when the spooler could not be reached for a page: the report is not
 * sent, and its staged pages change nothing.
 */
async function listInPages(spooler: string, reportId: string, onSpooler: ReturnType<typeof spoolerActivities>, status: SpoolerReportingStatus): Promise<SpoolerReport | 'missed'> {
  const at = Date.now();
  let after: string | null = null;
  let listed = 0;
  for (;;) {
    let page: SpooledJobsPage;
    try {
      page = await onSpooler.listSpooledJobsPage({ spooler, after, limit: REPORT_PAGE_JOBS });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return 'missed';
    }
    listed += page.jobs.length;
    const last = page.jobs.at(-1)?.jobId;
    if (!page.more || last === undefined) return { spooler, at, jobs: page.jobs };
    if (listed >= MAX_REPORTED_JOBS) return { spooler, at, jobs: page.jobs, listedThrough: last };
    try {
      await central.stageSpoolerReportPage({ reportId, spooler, at, jobs: page.jobs });
    } catch (err) {
      // Counted by the caller as a missed report, as an unreachable spooler is.
      status.lastJobServiceFailure = jobServiceFailure(err);
      return 'missed';
    }
    after = last;
  }
}
