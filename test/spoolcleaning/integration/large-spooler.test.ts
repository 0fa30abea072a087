// Proves the spool cleaning of a spooler with more jobs than one payload holds, on a real Temporal
// server: 30,000 jobs (a whole listing of them is some 2.3 MB, past Temporal's 2 MB payload
// limit, where a report failed before) are reported in pages of REPORT_PAGE_JOBS, the Job Service
// decides on the whole report, the cleaning asks to delete the old printed ones, and the reports
// that follow send at most DELETE_COMMANDS_PER_REPORT delete commands each until every one is
// deleted; the jobs the rule keeps are never touched and no staged page is left behind.
import Database from 'better-sqlite3';
import type { temporal as temporalProto } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NoManagementServer } from '../../../activities/spoc/no-management-server';
import { DELETE_COMMANDS_PER_REPORT } from '../../../machines/spoolcleaning/report-decision';
import { REPORT_PAGE_JOBS } from '../../../machines/spoolcleaning/spool-jobs';
import { createSimSpoolCleaningWorkers, simJobServiceFile } from '../../../simulator/spoolcleaning/sim-spool-cleaning';
import { createCentralWorkers } from '../../../worker/central-worker';
import { reportingStatusQuery, SPOOL_CLEANING_RUN_WORKFLOW, SPOOLER_REPORTING_WORKFLOW, spoolerReportingWorkflowId } from '../../../workflows/spoolcleaning/spool-cleaning-names';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { startTestTemporal, type TestTemporal } from '../../helpers/temporal-server';
import { until } from '../../helpers/until';

const DAY = 24 * 3_600_000;
const OLD_PRINTED = 27_000;
const WAITING = 3_000;

const config = {
  spoolers: ['spl-a'],
  StatusReportingOptions: { ReportingInterval: '00:00:00.500', MaxJitter: '00:00:00.100' },
  YmqProxyOptions: { DeleteJobCandidateExpirationTime: '01:00:00' },
  // Never due while the test runs: the test starts the cleaning run itself.
  cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
  orphans: { healing: 'keep', overdueAfter: '365.00:00:00' },
};

let temporal: TestTemporal;
let dir: string;
beforeAll(async () => {
  temporal = await startTestTemporal();
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-large-spooler-'));
});
afterAll(async () => {
  await temporal?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run's history a few events at a time: one of its default pages holds more than the client's 4 MB message limit. */
async function historyInSmallPages(workflowId: string, runId: string): Promise<temporalProto.api.history.v1.IHistoryEvent[]> {
  const events: temporalProto.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await temporal.client.workflowService.getWorkflowExecutionHistory({ namespace: temporal.namespace, execution: { workflowId, runId }, maximumPageSize: 20, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

test('a spooler of 30,000 jobs reports in pages, and its old printed jobs are deleted a report at a time until none is left', async () => {
  const simDir = path.join(dir, 'sim');
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const cleaning = await createSimSpoolCleaningWorkers(conn, simDir, ['spl-a']);
  const { spoolers } = cleaning;
  const old = Date.now() - 3 * DAY;
  const oldIds = Array.from({ length: OLD_PRINTED }, (_, i) => `spl-a-old-${String(i).padStart(5, '0')}`);
  for (const id of oldIds) spoolers.putJob('spl-a', id, 'printed', old);
  for (let i = 0; i < WAITING; i += 1) spoolers.putJob('spl-a', `spl-a-wait-${String(i).padStart(5, '0')}`, 'waiting', old);
  const onDisk = () => spoolers.folder('spl-a').list();
  // The rule deletes printed jobs older than a day: ours and the seeded spl-a-printed-old.
  const kept = onDisk().filter((j) => !(j.state === 'printed' && j.submittedAt <= Date.now() - DAY));
  const central = await createCentralWorkers({ ...conn, managementServer: new NoManagementServer('the large spooler test') });
  const workers = [...central, ...cleaning.workers];
  const running = workers.map((w) => w.run());
  try {
    const loop = temporal.client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
    const started = await temporal.client.workflow.start(SPOOLER_REPORTING_WORKFLOW, { workflowId: loop.workflowId, taskQueue: CENTRAL_TASK_QUEUE, args: [{ spooler: 'spl-a', config }] });
    // The first report carries every job: the controller knows all of them.
    await until('the first report', async () => (await loop.query(reportingStatusQuery)).reports >= 1, 120_000);
    expect(cleaning.store.snapshot().controllerJobs.length).toBe(OLD_PRINTED + WAITING + 5);
    const run = await temporal.client.workflow.execute(SPOOL_CLEANING_RUN_WORKFLOW, { workflowId: `run-${randomUUID()}`, taskQueue: CENTRAL_TASK_QUEUE, args: [config] });
    expect(run).toMatchObject({ requestedCount: OLD_PRINTED + 1 });

    await until('every old printed job deleted', () => !oldIds.some((id) => spoolers.folder('spl-a').has(id)), 180_000);
    // What the rule keeps is all still there; nothing was deleted twice.
    expect(onDisk().map((j) => j.jobId)).toEqual(kept.map((j) => j.jobId));
    const record = spoolers.record.read();
    const deleted = record.filter((e) => e.operation === 'delete-job' && e.outcome === 'deleted').map((e) => e.target);
    expect(new Set(deleted).size).toBe(deleted.length);
    expect(deleted.length).toBe(OLD_PRINTED + 1);
    // No report sent more than its share of commands; the first ones after the run sent a full share.
    const commands = record.filter((e) => e.operation === 'report' && e.outcome.startsWith('delete commands')).map((e) => Number(/^delete commands (\d+)/.exec(e.outcome)![1]));
    expect(Math.max(...commands)).toBe(DELETE_COMMANDS_PER_REPORT);
    expect(commands.filter((n) => n > 0).length).toBeGreaterThanOrEqual(Math.ceil((OLD_PRINTED + 1) / DELETE_COMMANDS_PER_REPORT));

    // The listing came in pages no larger than REPORT_PAGE_JOBS, and the pages before the last were
    // staged (the first run's history: the loop continues as new as its history grows).
    const events = await historyInSmallPages(loop.workflowId, started.firstExecutionRunId);
    const types = events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    expect(types).toContain('stageSpoolerReportPage');
    expect(types).not.toContain('reportSpooledJobs');
    const pages = events.flatMap((e) => {
      const limit = e.activityTaskScheduledEventAttributes?.activityType?.name === 'listSpooledJobsPage' ? e.activityTaskScheduledEventAttributes.input?.payloads?.[0]?.data : undefined;
      return limit ? [JSON.parse(Buffer.from(limit).toString()).limit as number] : [];
    });
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil((OLD_PRINTED + WAITING) / REPORT_PAGE_JOBS));
    expect(Math.max(...pages)).toBe(REPORT_PAGE_JOBS);

    // Once reports no longer list the deleted jobs, the controller holds what is on the disk, and no page is left staged.
    const reports = (await loop.query(reportingStatusQuery)).reports;
    await until('a report after the last deletion', async () => (await loop.query(reportingStatusQuery)).reports > reports + 1, 60_000);
    expect(cleaning.store.snapshot().controllerJobs.map((j) => j.jobId)).toEqual(kept.map((j) => j.jobId));
    const db = new Database(simJobServiceFile(simDir), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM staged_report_jobs').get()).toEqual({ n: 0 });
    db.close();
    await loop.terminate('end of the test');
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    cleaning.store.close();
  }
}, 600_000);
