/**
 * Sets the spool cleaning up on Temporal and keeps it in step with its configuration
 * (docs/spool-cleaning.md#on-temporal): the Temporal Schedule `spool-cleaning` that starts a
 * cleaning run at the CRON rule, and one reporting loop per spooler. Idempotent: run it again with
 * the same configuration and nothing changes; with another, the schedule is updated in place (a
 * pause set on the Web UI is kept) and the running loops get the new configuration by signal.
 *
 * The configuration is validated first: a bad one is refused naming the key, before anything is
 * created.
 */
import { createHash } from 'node:crypto';
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { parseInput } from '../machines/core/input-errors';
import { spoolCleaningConfigSchema } from '../machines/spoolcleaning/spool-cleaning-config';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import {
  configureSignal,
  SPOOL_CLEANING_RUN_WORKFLOW,
  SPOOL_CLEANING_RUN_WORKFLOW_ID,
  SPOOL_CLEANING_SCHEDULE_ID,
  SPOOLER_REPORTING_WORKFLOW,
  spoolerReportingWorkflowId,
} from '../workflows/spoolcleaning/spool-cleaning-names';

export interface SpoolCleaningSetUp {
  schedule: 'created' | 'updated' | 'unchanged';
  spoolers: { spooler: string; workflowId: string; outcome: 'started' | 'running' }[];
}

const NOTE_PREFIX = 'spoolflow spool cleaning, configuration ';

/** A short fingerprint of the configuration as written: the schedule's note carries it, to tell a change. */
function fingerprint(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

export async function ensureSpoolCleaning(client: Client, configInput: unknown): Promise<SpoolCleaningSetUp> {
  const config = parseInput(spoolCleaningConfigSchema, 'spool cleaning configuration', configInput);
  const note = `${NOTE_PREFIX}${fingerprint(configInput)}; edit the configuration, not this schedule (spoolflow sets it again)`;
  const spec = { cronExpressions: [config.cleaning.cron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: SPOOL_CLEANING_RUN_WORKFLOW,
    workflowId: SPOOL_CLEANING_RUN_WORKFLOW_ID,
    taskQueue: CENTRAL_TASK_QUEUE,
    args: [configInput],
  };
  let schedule: SpoolCleaningSetUp['schedule'] = 'created';
  try {
    await client.schedule.create({ scheduleId: SPOOL_CLEANING_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' }, state: { note } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID);
    const current = await handle.describe();
    if (current.state.note === note) schedule = 'unchanged';
    else {
      await handle.update((previous) => ({ ...previous, spec, action, state: { ...previous.state, note } }));
      schedule = 'updated';
    }
  }
  const spoolers: SpoolCleaningSetUp['spoolers'] = [];
  for (const spooler of config.spoolers) {
    const workflowId = spoolerReportingWorkflowId(spooler);
    try {
      await client.workflow.start(SPOOLER_REPORTING_WORKFLOW, { workflowId, taskQueue: CENTRAL_TASK_QUEUE, args: [{ spooler, config: configInput }], staticSummary: `spool cleaning: the status reports of spooler ${spooler}` });
      spoolers.push({ spooler, workflowId, outcome: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (schedule !== 'unchanged') await client.workflow.getHandle(workflowId).signal(configureSignal, configInput);
      spoolers.push({ spooler, workflowId, outcome: 'running' });
    }
  }
  return { schedule, spoolers };
}
