/**
 * The spool cleaning's names on Temporal, one source for the workflows, the client and the
 * simulator: the schedule, the workflow ids and types, the messages.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { normalName } from '../../machines/core/names';

/** The Temporal Schedule that starts the cleaning by its CRON rule (the Web UI's Schedules page). */
export const SPOOL_CLEANING_SCHEDULE_ID = 'spool-cleaning';

/** The workflow type of one cleaning run (the schedule's action). */
export const SPOOL_CLEANING_RUN_WORKFLOW = 'spoolCleaningRun';

/** The workflow type of a spooler's reporting loop. */
export const SPOOLER_REPORTING_WORKFLOW = 'spoolerReporting';

/** The workflow id of the schedule's runs (the schedule adds the run's time to it). */
export const SPOOL_CLEANING_RUN_WORKFLOW_ID = 'spool-cleaning-run';

/** One reporting loop per spooler: the server refuses a second one under this id. */
export function spoolerReportingWorkflowId(spooler: string): string {
  return `spool-cleaning-spooler-${normalName(spooler)}`;
}

/** New configuration for a running reporting loop (the client keeps it in step with the schedule's). */
export const configureSignal = defineSignal<[unknown]>('spoolCleaning.configure');

/** Where a spooler's reporting loop is: its last report and its next. */
export interface SpoolerReportingStatus {
  spooler: string;
  reports: number;
  /** Reports the spooler did not send (disconnected), or the Job Service could not take. */
  missedReports: number;
  /** Why the Job Service last could not take a report (its retries spent), when it could not. */
  lastJobServiceFailure?: string;
  lastReportAt: string | null;
  nextReportAt: string | null;
  lastDeleteCommands: string[];
  /** Delete commands that did not reach the spooler (it was disconnected): the edge case's start. */
  lostDeleteCommands: string[];
  /**
   * Jobs the last report listed with a submission time that cannot be true (in seconds, not ms;
   * zero): kept, whatever their age seems, until the spooler lists them right. The first few, and
   * how many. Absent when the last report had none.
   */
  implausibleSubmissions?: { count: number; jobs: { jobId: string; submittedAt: number }[] };
}

export const reportingStatusQuery = defineQuery<SpoolerReportingStatus>('status');

/**
 * The Job Service's task queue: the cleaning runs' and the reports' decisions, on the worker that
 * holds the durable store of delete requests (one writer: docs/spool-cleaning.md#the-durable-store).
 */
export const JOB_SERVICE_TASK_QUEUE = 'spoolflow-job-service';
