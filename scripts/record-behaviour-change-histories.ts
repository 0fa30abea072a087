/**
 * Records the histories of a machine's behaviour change (machines/core/behaviour-changes.ts) as
 * the code at hand runs it: run once on the commit before the change, with a suffix, and once
 * after, so the replay test proves both (a run recorded before replays the old behaviour).
 *
 *   npx tsx scripts/record-behaviour-change-histories.ts [suffix]
 *
 * The passive supervisor stopped in the middle of a return to the primary: the first backup is
 * active, the primary comes back, the backup is fenced, and its termination waits for its host's
 * agent (not started yet) while the operator stops the supervisor; then the agent comes up.
 * Before `passive-supervisor-stop-waits-for-the-change-of-active-member` the supervisor stopped
 * at once; since, it lets the backup end and activates the primary first.
 *
 * Uses only what the commit before the change has, so that it runs there too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerDbPool } from '../activities/jobscheduler/scheduler-db-pool';
import { SpoolflowClient } from '../client/spoolflow-client';
import { catalogEntries } from '../simulator/catalog-entries';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { createSchedulerHostAgent, simSchedulerActivities } from '../simulator/jobscheduler/sim-scheduler-agents';
import { simClusterDatabase, simClusterDatabaseDir, startSimClusters } from '../simulator/jobscheduler/sim-clusters';
import { withClusterWorkers } from '../test/helpers/cluster-workers';
import { saveRecordedHistory } from '../test/helpers/recorded-histories';
import { waitUntil } from '../test/helpers/scheduler-cluster';
import { testInventory } from '../test/helpers/sim-fleet';
import { startTestTemporal } from '../test/helpers/temporal-server';
import { installOperatorLogger } from '../worker/runtime-logger';

installOperatorLogger('WARN');

const PRIMARY = 'js-berlin-1';
const FIRST_BACKUP = 'js-berlin-2';

async function main(suffix: string): Promise<void> {
  const temporal = await startTestTemporal();
  const spoolflow = new SpoolflowClient(temporal.client);
  const simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-')), 'sim');
  const schedulers = new SchedulerFleet(simDir);
  const clusters = await startSimClusters(schedulers, simDir, { stepMs: 300 });
  const example = catalogEntries(testInventory(), simDir).find((e) => e.id === 'supervise-passive-cluster')!.exampleInput;
  const hosts = clusters.flatMap((c) => c.hosts);
  const hostActivities = Object.fromEntries(hosts.map((h) => [h.host, createSchedulerHostActivities(h.deps())]));
  const cluster = { fleet: schedulers, databaseDir: simClusterDatabaseDir(simDir) };
  const berlin = new SchedulerClusterDb(simClusterDatabase(simDir, 'berlin'));
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const databases = new SchedulerDbPool({ folder: cluster.databaseDir });
  try {
    const early = hosts.map((h) => h.host).filter((h) => h !== FIRST_BACKUP);
    await withClusterWorkers(temporal, cluster, early, async () => {
      const id = `record-${randomUUID()}`;
      await spoolflow.start('supervise-passive-cluster', example, { workflowId: id });
      await waitUntil('the primary is active', () => berlin.member(PRIMARY)?.status === 'active', 20_000);
      await schedulers.kill(PRIMARY);
      await waitUntil('the first backup is active', () => berlin.member(FIRST_BACKUP)?.status === 'active', 20_000);
      const primaryHost = hosts.find((h) => h.host === PRIMARY)!;
      await primaryHost.boot();
      await waitUntil('the first backup fenced for the primary', () => berlin.member(FIRST_BACKUP)?.status === 'fenced', 20_000);
      await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded stop during the return to the primary' });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const late = await createSchedulerHostAgent(conn, FIRST_BACKUP, simSchedulerActivities(schedulers, databases), hostActivities[FIRST_BACKUP]);
      const running = late.run();
      try {
        await spoolflow.result(id);
      } finally {
        late.shutdown();
        await running;
      }
      console.log(saveRecordedHistory(`supervisePassiveCluster--stopped-during-the-return-to-the-primary${suffix}`, await temporal.client.workflow.getHandle(id).fetchHistory()));
    }, hostActivities);
  } finally {
    berlin.close();
    databases.closeAll();
    await schedulers.killAll();
    await temporal.close();
  }
}

main(process.argv[2] ?? '').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
