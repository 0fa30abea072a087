/**
 * Records the histories the replay test replays: every workflow type through its main scenarios
 * (completed, halted then retried, aborted, continued as new), on a throw-away dev server and
 * simulated fleet. Run it when a change to a workflow is meant to change its commands, and commit
 * the files with that change (README "Determinism and recorded histories").
 *
 *   npx tsx scripts/record-histories.ts                  # every system: all files are recorded anew
 *   npx tsx scripts/record-histories.ts flexispooler     # only the systems named (spoc, jobscheduler,
 *                                                        # flexispooler); the other files stay as they are
 *
 * Recording only a new system keeps the older histories: they are what proves that today's code still
 * replays what earlier releases wrote.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogEntries } from '../simulator/catalog-entries';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { simClusterDatabase, simClusterDatabaseDir, startSimClusters } from '../simulator/jobscheduler/sim-clusters';
import { withClusterWorkers } from '../test/helpers/cluster-workers';
import { waitUntil } from '../test/helpers/scheduler-cluster';
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

installOperatorLogger('WARN');

const SYSTEMS = ['spoc', 'jobscheduler', 'flexispooler'] as const;
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
    // The lease the procedure held on its group, once its holder released it.
    const lease = temporal.client.workflow.getHandle('spoolflow-lease:spoc-group:london');
    while ((await lease.describe()).status.name === 'RUNNING') await new Promise((r) => setTimeout(r, 200));
    console.log(saveRecordedHistory('spoolflowLease--released', await lease.fetchHistory()));

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
  await temporal.close();
}

type Save = (name: string, workflowId: string) => Promise<void>;

/** The JobScheduler cluster procedures, on the simulated clusters: a failover, distributed orders, an option change. */
async function recordJobScheduler(temporal: TestTemporal, spoolflow: SpoolflowClient, save: Save): Promise<void> {
  const simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-')), 'sim');
  const schedulers = new SchedulerFleet(simDir);
  const clusters = await startSimClusters(schedulers, simDir, { stepMs: 300 });
  const examples = Object.fromEntries(catalogEntries(testInventory(), simDir).map((e) => [e.id, e.exampleInput]));
  const hosts = clusters.flatMap((c) => c.hosts);
  const berlin = new SchedulerClusterDb(simClusterDatabase(simDir, 'berlin'));
  const munich = new SchedulerClusterDb(simClusterDatabase(simDir, 'munich'));
  await withClusterWorkers(
    temporal,
    { fleet: schedulers, databaseDir: simClusterDatabaseDir(simDir) },
    hosts.map((h) => h.host),
    async () => {
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
    },
    Object.fromEntries(hosts.map((h) => [h.host, createSchedulerHostActivities(h.deps())])),
  );
  berlin.close();
  munich.close();
  await schedulers.killAll();
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
