/**
 * Sets the spool cleaning up on Temporal and keeps it in step with its configuration
 * (docs/spool-cleaning.md#on-temporal): the Temporal Schedule `spool-cleaning` that starts a
 * cleaning run at the CRON rule, and one reporting loop per spooler. Idempotent: run it again with
 * the same configuration and nothing changes; with another, the schedule is updated in place (a
 * pause set on the Web UI is kept) and the running loops get the new configuration by signal.
 * The loop of a spooler no longer in the configuration is ended (terminated, with the reason): a
 * spooler taken out must not go on reporting, nor receive delete commands.
 *
 * The configuration is validated first: a bad one is refused naming the key, before anything is
 * created.
 */
import { createHash } from 'node:crypto';
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
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
  /** The reporting loops ended because their spooler is no longer in the configuration (their workflow ids). */
  ended: string[];
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
      // Every running loop is told the configuration, also when the schedule already had it: a
      // keeper that crashed after updating the schedule, before telling every loop, left loops on
      // the old one, and an unchanged schedule would then never tell them. The loop takes it again
      // harmlessly.
      await client.workflow.getHandle(workflowId).signal(configureSignal, configInput);
      spoolers.push({ spooler, workflowId, outcome: 'running' });
    }
  }
  return { schedule, spoolers, ended: await endRemovedSpoolers(client, new Set(spoolers.map((s) => s.workflowId))) };
}

/**
 * Terminates every running reporting loop whose workflow id is not among `kept`. Found through the
 * server's visibility (by workflow type and status), which may lag a loop started a moment ago:
 * such a loop is one this configuration has just started, so it is kept anyway.
 */
async function endRemovedSpoolers(client: Client, kept: ReadonlySet<string>): Promise<string[]> {
  const ended: string[] = [];
  const running = client.workflow.list({ query: `WorkflowType = '${SPOOLER_REPORTING_WORKFLOW}' AND ExecutionStatus = 'Running'` });
  for await (const loop of running) {
    if (kept.has(loop.workflowId)) continue;
    try {
      await client.workflow.getHandle(loop.workflowId, loop.runId).terminate('spool cleaning: this spooler is no longer in the configuration');
      ended.push(loop.workflowId);
    } catch (err) {
      // Ended meanwhile (by an operator, or another worker keeping the same configuration): nothing left to do.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return ended;
}
