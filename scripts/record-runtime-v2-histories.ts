/**
 * Records the histories of the runtime's second version (workflows/runtime/runtime-version.ts),
 * next to the older ones, which stay as they are: those replay version 1, these version 2, so the
 * replay test (test/core/integration/replay.test.ts) proves both. Files end in `-runtime-v2`.
 *
 *   npx tsx scripts/record-runtime-v2-histories.ts
 *
 * A SPOC group restart completed, halted then aborted (the restore), aborted while a stop runs on
 * a member (the restore waits for the cancelled stop to end on the host) and continued as new (the
 * effects and timers handed over); a JobScheduler option change, and an active-cluster supervisor
 * taking operator orders (updates) until it is stopped.
 */
import { randomUUID } from 'node:crypto';
import { waitUntil } from '../test/helpers/scheduler-cluster';
import { groupRestartExample } from '../simulator/example-inputs';
import { SpoolflowClient } from '../client/spoolflow-client';
import { HISTORY_LIMIT_MEMO } from '../workflows/procedure-workflow';
import { installOperatorLogger } from '../worker/runtime-logger';
import { createTestFleet, testInventory, withWorkers } from '../test/helpers/sim-fleet';
import { startTestTemporal, type TestTemporal } from '../test/helpers/temporal-server';
import { waitForStatus } from '../test/helpers/procedure-status';
import { withRecordingClusters } from './recording-clusters';
import { saveRecordedHistory } from '../test/helpers/recorded-histories';

installOperatorLogger('WARN');

const SUFFIX = '-runtime-v2';

async function main(): Promise<void> {
  const temporal = await startTestTemporal();
  const spoolflow = new SpoolflowClient(temporal.client);
  const save = async (name: string, workflowId: string) => {
    const runs: string[] = [];
    for await (const e of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(e.runId);
    let n = 0;
    for (const runId of runs.reverse()) {
      n += 1;
      const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      console.log(saveRecordedHistory(`${name}${SUFFIX}${runs.length > 1 ? `--run${n}` : ''}`, history));
    }
  };
  try {
    await recordSpoc(temporal, spoolflow, save);
    await recordJobScheduler(temporal, spoolflow, save);
  } finally {
    await temporal.close();
  }
}

type Save = (name: string, workflowId: string) => Promise<void>;

async function recordSpoc(temporal: TestTemporal, spoolflow: SpoolflowClient, save: Save): Promise<void> {
  const fleet = createTestFleet();
  const input = (group: string) => {
    const i = groupRestartExample(testInventory(), group);
    return { ...i, waits: { ...i.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
  };
  const type = 'restartGroupWithoutCacheDeletion';
  await withWorkers(temporal, fleet, async () => {
    let id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    await spoolflow.result(id);
    await save(`${type}--completed`, id);

    fleet.host('spoc-lon-2').setFaults({ neverOnline: true });
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    await waitForStatus(temporal.client, id, (s) => s.status === 'halted');
    await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded abort' });
    await spoolflow.result(id);
    await save(`${type}--aborted`, id);
    fleet.host('spoc-lon-2').setFaults({});

    // An abort while a stop still runs on a member: the restore is scheduled only once the
    // cancelled stop has ended on the host (the FlexiSpooler's stop is let finish after the abort).
    const flexi = 'Dispatcher Paragon FlexiSpooler';
    fleet.host('spoc-lon-1').setFaults({ services: { [flexi]: 'wont-stop' } });
    id = `record-${randomUUID()}`;
    const before = fleet.record.read().length;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    const stopAsked = () => fleet.record.read().slice(before).some((e) => e.host === 'spoc-lon-1' && e.operation === 'stop-service' && e.target === flexi);
    await waitUntil('the FlexiSpooler stop is asked', stopAsked, 60_000);
    await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded abort while a stop runs' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    fleet.host('spoc-lon-1').setFaults({});
    await spoolflow.result(id);
    await save(`${type}--aborted-while-a-stop-runs`, id);

    // A larger limit than the version 1 recording: three runs, not nine, prove the hand-over.
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('prague'), { workflowId: id, memo: { [HISTORY_LIMIT_MEMO]: 150 } });
    await spoolflow.result(id);
    await save(`${type}--continued-as-new`, id);
  });
  fleet.stop();
}

async function recordJobScheduler(temporal: TestTemporal, spoolflow: SpoolflowClient, save: Save): Promise<void> {
  await withRecordingClusters(temporal, async ({ examples, database }) => {
      const munich = database('munich');
      let id = `record-${randomUUID()}`;
      await spoolflow.start('set-cluster-option', examples['set-cluster-option'], { workflowId: id });
      await spoolflow.result(id);
      await save('setClusterOption--completed', id);

      id = `record-${randomUUID()}`;
      await spoolflow.start('supervise-active-cluster', examples['supervise-active-cluster'], { workflowId: id });
      for (const order of ['r-1', 'r-2']) await spoolflow.command(id, { type: 'operator.submitOrder', chain: 'etl', order });
      await waitUntil('the orders are done', () => ['r-1', 'r-2'].every((o) => munich.orders().find((x) => x.id === o)?.state === 'done'), 30_000);
      await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded' });
      await spoolflow.result(id);
      await save('superviseActiveCluster--orders-then-stopped', id);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
