/**
 * Records the histories the replay test replays: every workflow type through its main scenarios
 * (completed, halted then retried, aborted, continued as new), on a throw-away dev server and
 * simulated fleet. Run it when a change to a workflow is meant to change its commands, and commit
 * the files with that change (README "Determinism and recorded histories").
 *
 *   npx tsx scripts/record-histories.ts                  # every system: all files are recorded anew
 *   npx tsx scripts/record-histories.ts flexispooler     # only the systems named (spoc, jobscheduler,
 *                                                        # flexispooler, spoolcleaning, sap, fleet);
 *                                                        # the other files stay as they are
 *
 * Recording only a new system keeps the older histories: they are what proves that today's code still
 * replays what earlier releases wrote.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../test/helpers/scheduler-cluster';
import { until } from '../test/helpers/until';
import { groupRestartExample, osRestartExamples, scenarioExamples } from '../simulator/example-inputs';
import { procedureById } from '../machines/catalog';
import { SpoolflowClient } from '../client/spoolflow-client';
import { HISTORY_LIMIT_MEMO } from '../workflows/procedure-workflow';
import { installOperatorLogger } from '../worker/runtime-logger';
import { createTestFleet, testInventory, withWorkers } from '../test/helpers/sim-fleet';
import { startTestTemporal, type TestTemporal } from '../test/helpers/temporal-server';
import { withFlexiSpoolerWorkers } from '../test/helpers/flexispooler-workers';
import { openSimNetwork } from '../simulator/flexispooler/sim-flexispooler-agents';
import { SIM_CLIENTS, simPrintJobInput } from '../simulator/flexispooler/sim-network-definition';
import { waitForStatus } from '../test/helpers/procedure-status';
import { HISTORIES_DIR, saveRecordedHistory } from '../test/helpers/recorded-histories';
import { withRecordingClusters } from './recording-clusters';
import { createCentralWorkers, workflowBundle } from '../worker/central-worker';
import { NoManagementServer } from '../activities/spoc/no-management-server';
import { createSimSpoolCleaningWorkers } from '../simulator/spoolcleaning/sim-spool-cleaning';
import type { RunningAgent } from '../simulator/spoc/sim-host-agents';
import { configureSignal, reportingStatusQuery, SPOOL_CLEANING_RUN_WORKFLOW, SPOOLER_REPORTING_WORKFLOW, spoolerReportingWorkflowId } from '../workflows/spoolcleaning/spool-cleaning-names';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { createSapSpoolWorkers } from '../test/helpers/sap-spool-workers';
import { type SimSapSystem, startSapDispatchers } from '../simulator/sap/sim-sap-estate';
import type { SpoolTask } from '../machines/sap/spool-tasks';
import { globalManagementWorkflowId, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import { submitSpoolTaskUpdate, submitSpoolTaskUpdateId } from '../workflows/sap/spool-dispatcher-messages';
import { readOperationRecord } from '../simulator/core/operation-record';
import { commandRollout, startRollout } from '../client/fleet-rollout-client';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';
import { serverByHost } from '../simulator/spoc/inventory';

installOperatorLogger('WARN');

const SYSTEMS = ['spoc', 'jobscheduler', 'flexispooler', 'spoolcleaning', 'sap', 'fleet'] as const;
type RecordedSystem = (typeof SYSTEMS)[number];
const named = process.argv.slice(2);
for (const name of named) if (!(SYSTEMS as readonly string[]).includes(name)) throw new Error(`unknown system ${name}: one of ${SYSTEMS.join(', ')}`);
const wanted = (system: RecordedSystem) => named.length === 0 || named.includes(system);

async function main(): Promise<void> {
  const temporal = await startTestTemporal();
  const spoolflow = new SpoolflowClient(temporal.client);
  const fleet = createTestFleet();
  if (named.length === 0) for (const f of readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'))) rmSync(path.join(HISTORIES_DIR, f));

  const input = (group: string) => {
    const i = groupRestartExample(testInventory(), group);
    return { ...i, waits: { ...i.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
  };
  const save = async (name: string, workflowId: string) => {
    let n = 0;
    const runs: string[] = [];
    for await (const e of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(e.runId);
    for (const runId of runs.reverse()) {
      n += 1;
      const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      console.log(saveRecordedHistory(runs.length > 1 ? `${name}--run${n}` : name, history));
    }
  };

  if (wanted('spoc')) await withWorkers(temporal, fleet, async () => {
    const type = 'restartGroupWithoutCacheDeletion';
    let id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    await spoolflow.result(id);
    await save(`${type}--completed`, id);
    // The lease the procedure held on its group, once its holder released it (it watched its holder
    // on the lease-watch queue; `spoolflowLease--released` keeps one that watched on the central queue).
    const lease = temporal.client.workflow.getHandle('spoolflow-lease:spoc-group:london');
    while ((await lease.describe()).status.name === 'RUNNING') await new Promise((r) => setTimeout(r, 200));
    console.log(saveRecordedHistory('spoolflowLease--released-watched-on-its-own-queue', await lease.fetchHistory()));

    fleet.managementServerDown = true;
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    await waitForStatus(temporal.client, id, (s) => s.status === 'halted');
    fleet.managementServerDown = false;
    await spoolflow.command(id, { type: 'operator.retry' });
    await spoolflow.result(id);
    await save(`${type}--halted-then-retried`, id);

    fleet.host('spoc-lon-2').setFaults({ neverOnline: true });
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('london'), { workflowId: id });
    await waitForStatus(temporal.client, id, (s) => s.status === 'halted');
    await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded abort' });
    await spoolflow.result(id);
    await save(`${type}--aborted`, id);
    fleet.host('spoc-lon-2').setFaults({});

    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-without-cache-deletion', input('prague'), { workflowId: id, memo: { [HISTORY_LIMIT_MEMO]: 60 } });
    await spoolflow.result(id);
    await save(`${type}--continued-as-new`, id);

    const withDeletion = 'restartGroupWithCacheDeletion';
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-with-cache-deletion', input('london'), { workflowId: id });
    await spoolflow.result(id);
    await save(`${withDeletion}--completed`, id);

    // Halts in phase C (after every cache was deleted), then the operator aborts.
    fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
    id = `record-${randomUUID()}`;
    await spoolflow.start('restart-group-with-cache-deletion', input('london'), { workflowId: id });
    await waitForStatus(temporal.client, id, (s) => s.status === 'halted');
    await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded abort' });
    await spoolflow.result(id);
    await save(`${withDeletion}--aborted-after-deletion`, id);
    fleet.host('spoc-lon-1').setFaults({});

    // Every SPOC scenario, completed on its catalog example (waits shortened).
    for (const [procedureId, example] of Object.entries(scenarioExamples(testInventory()))) {
      const procedure = procedureById(procedureId);
      id = `record-${randomUUID()}`;
      await spoolflow.start(procedureId, { ...example, waits: { ...example.waits, convergenceSeconds: 1, betweenStartsSeconds: 1 } }, { workflowId: id });
      await spoolflow.result(id);
      await save(`${procedure.workflowType}--completed`, id);
    }

    // The OS restarts (standalone in parallel, a group one at a time) and the parallel-restart scenario.
    const osExamples = osRestartExamples(testInventory());
    for (const [procedureId, example] of Object.entries(osExamples)) {
      id = `record-${randomUUID()}`;
      await spoolflow.start(procedureId, { ...example, waits: { ...example.waits, settleSeconds: 1 } }, { workflowId: id });
      await spoolflow.result(id);
      await save(`${procedureById(procedureId).workflowType}--completed`, id);
    }
    id = `record-${randomUUID()}`;
    await spoolflow.start('group-members-restarted-in-parallel', { ...input('london'), waits: { ...input('london').waits, betweenStartsSeconds: 1 } }, { workflowId: id });
    await spoolflow.result(id);
    await save('groupMembersRestartedInParallel--completed', id);
  });
  fleet.stop();

  if (wanted('jobscheduler')) await recordJobScheduler(temporal, spoolflow, save);
  if (wanted('flexispooler')) await recordFlexiSpooler(temporal, spoolflow, save);
  if (wanted('spoolcleaning')) await recordSpoolCleaning(temporal);
  if (wanted('sap')) await recordSap(temporal, save);
  if (wanted('fleet')) await recordFleetRollout(temporal, save, input);
  await temporal.close();
}

type Save = (name: string, workflowId: string) => Promise<void>;

/** The JobScheduler cluster procedures, on the simulated clusters: a failover, distributed orders, an option change. */
async function recordJobScheduler(temporal: TestTemporal, spoolflow: SpoolflowClient, save: Save): Promise<void> {
  await withRecordingClusters(temporal, async ({ schedulers, examples, database }) => {
      const berlin = database('berlin');
      const munich = database('munich');
      let id = `record-${randomUUID()}`;
      await spoolflow.start('supervise-passive-cluster', examples['supervise-passive-cluster'], { workflowId: id });
      await waitUntil('the primary is active', () => berlin.member('js-berlin-1')?.status === 'active', 20_000);
      await schedulers.kill('js-berlin-1');
      await waitUntil('the backup is active', () => berlin.member('js-berlin-2')?.status === 'active', 20_000);
      await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded' });
      await spoolflow.result(id);
      await save('supervisePassiveCluster--failover-then-stopped', id);

      id = `record-${randomUUID()}`;
      await spoolflow.start('supervise-active-cluster', examples['supervise-active-cluster'], { workflowId: id });
      for (const order of ['r-1', 'r-2']) await spoolflow.command(id, { type: 'operator.submitOrder', chain: 'etl', order });
      await waitUntil('the orders are done', () => ['r-1', 'r-2'].every((o) => munich.orders().find((x) => x.id === o)?.state === 'done'), 30_000);
      await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded' });
      await spoolflow.result(id);
      await save('superviseActiveCluster--orders-then-stopped', id);

      id = `record-${randomUUID()}`;
      await spoolflow.start('set-cluster-option', examples['set-cluster-option'], { workflowId: id });
      await spoolflow.result(id);
      await save('setClusterOption--completed', id);
  });
}

/** A print job on the simulated FlexiSpooler network: London's first controller down, so it fails over to the second. */
async function recordFlexiSpooler(temporal: TestTemporal, spoolflow: SpoolflowClient, save: Save): Promise<void> {
  const network = openSimNetwork(path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-flexi-')), 'sim'));
  const cleo = SIM_CLIENTS.find((c) => c.client === 'laptop-cleo');
  if (!cleo) throw new Error('the simulated network has no laptop-cleo');
  network.store.moveClient('laptop-cleo', 'office-london');
  network.store.setDown('sc-lon-1', true);
  await withFlexiSpoolerWorkers(temporal, network, async () => {
    const id = `record-${randomUUID()}`;
    await spoolflow.start('deliver-print-job', simPrintJobInput(cleo, { id: 'cleo-1', document: 'cleo-1.pdf' }, { retrySeconds: 1, releaseWatchSeconds: 30 }), { workflowId: id });
    await waitForStatus(temporal.client, id, (s) => (s.summary as { heldOn?: unknown } | undefined)?.heldOn != null);
    network.authenticate('cleo', 'printer-lon-1');
    await spoolflow.result(id);
    await save('deliverPrintJob--failed-over-then-printed', id);
  });
  network.store.close();
}

/** Saves one run of a workflow (the latest when no run is named), under `name`. */
async function saveRun(temporal: TestTemporal, name: string, workflowId: string, runId?: string): Promise<void> {
  console.log(saveRecordedHistory(name, await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory()));
}

/** Runs the workers while `fn` runs, then shuts them down. */
async function whileRunning<T>(workers: RunningAgent[], fn: () => Promise<T>): Promise<T> {
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
  }
}

/**
 * The spool cleaning on one simulated spooler, its durations in fractions of a second: the
 * reporting loop sends reports, takes a new configuration by signal, receives the delete command
 * a cleaning run cached, and is ended as a spooler taken out of the configuration is; the
 * cleaning run as the schedule starts it.
 */
async function recordSpoolCleaning(temporal: TestTemporal): Promise<void> {
  const simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-cleaning-')), 'sim');
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const config = (healing: 'keep' | 'report') => ({
    spoolers: ['spl-a'],
    StatusReportingOptions: { ReportingInterval: '00:00:00.500', MaxJitter: '00:00:00.250' },
    YmqProxyOptions: { DeleteJobCandidateExpirationTime: '00:01:00' },
    cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
    orphans: { healing, overdueAfter: '365.00:00:00' },
  });
  const cleaning = await createSimSpoolCleaningWorkers(conn, simDir, ['spl-a']);
  const central = await createCentralWorkers({ ...conn, managementServer: new NoManagementServer('the recording') });
  await whileRunning([...central, ...cleaning.workers], async () => {
    const loop = temporal.client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
    await temporal.client.workflow.start(SPOOLER_REPORTING_WORKFLOW, { workflowId: loop.workflowId, taskQueue: CENTRAL_TASK_QUEUE, args: [{ spooler: 'spl-a', config: config('keep') }] });
    await until('two reports', async () => (await loop.query(reportingStatusQuery)).reports >= 2);
    await loop.signal(configureSignal, config('report'));
    const id = `record-${randomUUID()}`;
    await temporal.client.workflow.execute(SPOOL_CLEANING_RUN_WORKFLOW, { workflowId: id, taskQueue: CENTRAL_TASK_QUEUE, args: [config('report')] });
    await saveRun(temporal, 'spoolCleaningRun--requests-cached', id);
    await until('the old job deleted', () => !cleaning.spoolers.folder('spl-a').has('spl-a-printed-old'));
    const reports = (await loop.query(reportingStatusQuery)).reports;
    await until('a report after the deletion', async () => (await loop.query(reportingStatusQuery)).reports > reports);
    await loop.terminate('spool cleaning: this spooler is no longer in the configuration');
    await saveRun(temporal, 'spoolerReporting--paged-reports-deleted-then-ended', loop.workflowId);
  });
  cleaning.store.close();
}

/**
 * Two SAP spool servers of one system: output requests with and without a set sequence, and a
 * global task on each server, so the global management slot is taken and given up; the
 * dispatchers continue as new on the way and are ended once every request is done.
 */
async function recordSap(temporal: TestTemporal, save: Save): Promise<void> {
  const simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-sap-')), 'sim');
  const timings = { heartbeatTimeoutSeconds: 2, globalRetrySeconds: 0.2, globalSlotCheckSeconds: 1, managementTimeoutSeconds: 30, continueAsNewAfterEvents: 100 };
  const systems: SimSapSystem[] = [
    {
      system: 'qas',
      release: '4.6C',
      servers: [
        { server: 'spool1', workProcesses: 2, outputSeconds: 0.1, managementSeconds: 0.2 },
        { server: 'spool2', workProcesses: 2, outputSeconds: 0.1, managementSeconds: 0.2 },
      ],
      devices: [],
      timings,
    },
  ];
  const bundle = await workflowBundle();
  const { workers, servers } = await createSapSpoolWorkers({ connection: temporal.nativeConnection, namespace: temporal.namespace }, bundle, systems, simDir);
  await whileRunning(workers, async () => {
    const dispatchers = await startSapDispatchers(temporal.client, systems);
    const spool1 = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('qas', 'spool1'));
    const continued = async () => {
      const description = await spool1.describe();
      return description.runId !== description.raw.workflowExecutionInfo?.firstRunId;
    };
    for (let batch = 0; batch < 5 && !(await continued()); batch += 1) {
      const tasks: [string, SpoolTask][] = [
        ...Array.from({ length: 4 }, (_, i): [string, SpoolTask] => ['spool1', { kind: 'output', id: `seq-${batch}-${i}`, device: 'lp01', sequence: true, frontend: false }]),
        ...Array.from({ length: 4 }, (_, i): [string, SpoolTask] => ['spool1', { kind: 'output', id: `par-${batch}-${i}`, device: 'lp10', sequence: false, frontend: false }]),
        ['spool1', { kind: 'management', id: `scan-${batch}`, task: 'scan-lost-requests' }],
        ['spool2', { kind: 'management', id: `obsolete-${batch}`, task: 'delete-obsolete-requests' }],
      ];
      for (const [server, task] of tasks) await temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('qas', server)).executeUpdate(submitSpoolTaskUpdate, { args: [task], updateId: submitSpoolTaskUpdateId(task) });
      const ids = tasks.map(([, t]) => t.id);
      await until('every request done', () => {
        const done = new Set(readOperationRecord(servers.record.file).filter((e) => e.operation === 'finish').map((e) => e.target));
        return ids.every((id) => done.has(id));
      });
      // Idle again: the dispatcher continues as new only with nothing in hand.
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const id of dispatchers) await temporal.client.workflow.getHandle(id).terminate('recorded');
    await save('sapSpoolDispatcher--requests-then-ended', spoolDispatcherWorkflowId('qas', 'spool1'));
    // The slot's first holder, which gave it up once its global task was done.
    const slots: string[] = [];
    for await (const e of temporal.client.workflow.list({ query: `WorkflowId = '${globalManagementWorkflowId('qas')}' AND ExecutionStatus = 'Completed'` })) slots.push(e.runId);
    const first = slots.at(-1);
    if (!first) throw new Error('the global management slot was never given up');
    await saveRun(temporal, 'sapGlobalManagementSlot--released', globalManagementWorkflowId('qas'), first);
  });
}

/**
 * A fleet rollout of the group restart over london and prague, one group at a time: paused while
 * the first runs, resumed once it is done, then the second. Then one of both at once, started
 * together, one of both a second apart, and one of both a second apart looked at every 2 s (three
 * times: one of them is kept from before the spacing timer, one from before the looks beside the starts).
 */
async function recordFleetRollout(temporal: TestTemporal, save: Save, groupInput: (group: string) => Record<string, unknown>): Promise<void> {
  const inventory = testInventory();
  const fleet = createTestFleet(inventory);
  const siteOf = (group: string) => serverByHost(inventory, inventory.groups.find((g) => g.name === group)?.members[0] ?? '').site;
  await withWorkers(temporal, fleet, async () => {
    const id = `record-${randomUUID()}`;
    const rollout = {
      procedure: 'restart-group-without-cache-deletion',
      groups: ['london', 'prague'].map((group) => ({ site: siteOf(group), input: groupInput(group) })),
      limits: { maxGroupsAtOnce: 1, failureBudget: 1 },
      pollSeconds: 1,
    };
    await startRollout(temporal.client, rollout, { workflowId: id });
    const handle = temporal.client.workflow.getHandle(id);
    await until('the first group running', async () => (await handle.query<RolloutStatus>('status')).counts.running === 1);
    await commandRollout(temporal.client, id, { type: 'operator.pause', operator: 'recorder', reason: 'recorded pause' });
    await until('the first group done', async () => (await handle.query<RolloutStatus>('status')).counts.done === 1, 60_000);
    await commandRollout(temporal.client, id, { type: 'operator.resume', operator: 'recorder' });
    await handle.result();
    // Every run, should the rollout continue as new on the way.
    await save('fleetRollout--paused-resumed-completed', id);

    // Both groups at once: one decision starts them together, in one workflow task (patch fleet-rollout-starts-groups-together).
    const together = `record-${randomUUID()}`;
    await startRollout(temporal.client, { ...rollout, limits: { maxGroupsAtOnce: 2, failureBudget: 1 } }, { workflowId: together });
    await temporal.client.workflow.getHandle(together).result();
    await save('fleetRollout--two-started-together-completed', together);

    // Spaced a second apart: each start confirmed, then a timer; the search attributes written only when their values change (patch fleet-rollout-attributes-only-when-they-change).
    const spaced = `record-${randomUUID()}`;
    await startRollout(temporal.client, { ...rollout, limits: { maxGroupsAtOnce: 2, failureBudget: 1, secondsBetweenStarts: 1 } }, { workflowId: spaced });
    await temporal.client.workflow.getHandle(spaced).result();
    await save('fleetRollout--spaced-starts-completed', spaced);

    // Spaced a second apart and looked at every 2 s: a spaced start's timer wakes the rollout without a look (patch fleet-rollout-looks-every-poll-seconds).
    const polled = `record-${randomUUID()}`;
    await startRollout(temporal.client, { ...rollout, limits: { maxGroupsAtOnce: 2, failureBudget: 1, secondsBetweenStarts: 1 }, pollSeconds: 2 }, { workflowId: polled });
    await temporal.client.workflow.getHandle(polled).result();
    await save('fleetRollout--spaced-starts-looked-at-every-poll', polled);

    // The same, with each spaced start's timer started in the task that starts it, and a due look after the start (patch fleet-rollout-spacing-timer-starts-with-the-start).
    const timed = `record-${randomUUID()}`;
    await startRollout(temporal.client, { ...rollout, limits: { maxGroupsAtOnce: 2, failureBudget: 1, secondsBetweenStarts: 1 }, pollSeconds: 2 }, { workflowId: timed });
    await temporal.client.workflow.getHandle(timed).result();
    await save('fleetRollout--spaced-starts-timed-with-each-start', timed);

    // The same, each due look started beside the starts, not awaited (patch fleet-rollout-looks-beside-its-starts).
    const beside = `record-${randomUUID()}`;
    await startRollout(temporal.client, { ...rollout, limits: { maxGroupsAtOnce: 2, failureBudget: 1, secondsBetweenStarts: 1 }, pollSeconds: 2 }, { workflowId: beside });
    await temporal.client.workflow.getHandle(beside).result();
    await save('fleetRollout--spaced-starts-looked-at-beside-them', beside);
  });
  fleet.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
