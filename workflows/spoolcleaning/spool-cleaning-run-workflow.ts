/**
 * One run of the spool cleaning, started by the Temporal Schedule at its CRON rule
 * (docs/spool-cleaning.md#the-cleaning-run): drop the expired delete requests and cache one for
 * every job the rule allows deleting. The run's id and time are the workflow's, so a retried
 * activity is applied once and time skipping moves the TTLs.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CentralSpoolCleaningActivities } from '../../activities/spoolcleaning/spool-cleaning-activities';
import type { CleaningRunOutcome } from '../../activities/spoolcleaning/delete-request-store';
import { NON_RETRYABLE_ERRORS } from '../../activities/core/non-retryable-errors';
import { JOB_SERVICE_TASK_QUEUE } from './spool-cleaning-names';

const central = proxyActivities<CentralSpoolCleaningActivities>({
  taskQueue: JOB_SERVICE_TASK_QUEUE,
  startToCloseTimeout: '5 minutes',
  // Noticed after this when the worker running it was killed (the run itself takes well under it).
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] },
});

export async function spoolCleaningRun(config: unknown): Promise<CleaningRunOutcome> {
  const { workflowId, runId } = workflowInfo();
  return central.runSpoolCleaning({ runId: `${workflowId}/${runId}`, at: Date.now(), config });
}
