// Proves, on a real Temporal server, that a report the Job Service cannot take (here it refuses
// the first one for good, as a store it cannot write or a schema it does not share would) is a
// missed report, said in the loop's status, and the spooler's loop goes on: its next report is
// applied and its delete command goes out. Before, that failure ended the loop, and the spooler
// reported no more until the workers were started again.
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore } from '../../../activities/spoolcleaning/delete-request-store';
import { createCentralSpoolCleaningActivities, createSpoolerActivities } from '../../../activities/spoolcleaning/spool-cleaning-activities';
import { NoManagementServer } from '../../../activities/spoc/no-management-server';
import { SimSpoolers } from '../../../simulator/spoolcleaning/sim-spoolers';
import { createCentralWorkers } from '../../../worker/central-worker';
import { JOB_SERVICE_TASK_QUEUE, reportingStatusQuery, SPOOLER_REPORTING_WORKFLOW, spoolerReportingWorkflowId } from '../../../workflows/spoolcleaning/spool-cleaning-names';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';
import { startTestTemporal, type TestTemporal } from '../../helpers/temporal-server';
import { until } from '../../helpers/until';

const DAY = 24 * 3_600_000;
const config = {
  spoolers: ['spl-a'],
  StatusReportingOptions: { ReportingInterval: '00:00:00.500', MaxJitter: '00:00:00.100' },
  YmqProxyOptions: { DeleteJobCandidateExpirationTime: '01:00:00' },
  cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
  orphans: { healing: 'reissue', overdueAfter: '00:00:01' },
};

let temporal: TestTemporal;
let dir: string;
beforeAll(async () => {
  temporal = await startTestTemporal();
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-job-service-failure-'));
});
afterAll(async () => {
  await temporal?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a report the Job Service cannot take is missed, said in the status, and the loop goes on to the next report', async () => {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const spoolers = new SimSpoolers(path.join(dir, 'sim'));
  spoolers.ensure('spl-a');
  spoolers.putJob('spl-a', 'old', 'printed', Date.now() - 2 * DAY);
  const store = new DeleteRequestStore(path.join(dir, 'job-service.sqlite'));
  const jobService = createCentralSpoolCleaningActivities({ store });
  let refused = 0;
  const refusingFirst = {
    ...jobService,
    applySpoolerReport: async (input: Parameters<typeof jobService.applySpoolerReport>[0]) => {
      if (refused === 0) {
        refused += 1;
        throw ApplicationFailure.nonRetryable('the Job Service cannot write its store', 'JobServiceStoreError');
      }
      return jobService.applySpoolerReport(input);
    },
  };
  const workers = [
    ...(await createCentralWorkers({ ...conn, managementServer: new NoManagementServer('the Job Service failure test') })),
    await Worker.create({ ...conn, taskQueue: JOB_SERVICE_TASK_QUEUE, activities: refusingFirst }),
    await Worker.create({ ...conn, taskQueue: hostTaskQueue('spl-a'), activities: createSpoolerActivities({ folderOf: (spooler) => spoolers.folder(spooler) }) }),
  ];
  const running = workers.map((w) => w.run());
  try {
    const loop = await temporal.client.workflow.start(SPOOLER_REPORTING_WORKFLOW, { workflowId: spoolerReportingWorkflowId('spl-a'), taskQueue: CENTRAL_TASK_QUEUE, args: [{ spooler: 'spl-a', config }] });
    // The overdue job is an orphan healed by reissue at the first report the Job Service takes.
    await until('the old job deleted', () => !spoolers.folder('spl-a').has('old'), 60_000);
    const status = await loop.query(reportingStatusQuery);
    expect(refused).toBe(1);
    expect(status).toMatchObject({ missedReports: 1, lastJobServiceFailure: 'the Job Service cannot write its store' });
    expect(status.reports).toBeGreaterThanOrEqual(1);
    expect((await loop.describe()).status.name).toBe('RUNNING');
    await loop.terminate('test over');
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    store.close();
  }
}, 120_000);
