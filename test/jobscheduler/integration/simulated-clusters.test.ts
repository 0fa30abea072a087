/**
 * The simulated JobScheduler clusters `npm start` runs, driven through the catalog's example
 * inputs on a real Temporal server: the passive supervisor keeps berlin's primary active and the
 * cluster-option procedure moves its Windows backup behind a new precedence (stop, remove, edit,
 * install, start), after which the member runs with the new options.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { createSchedulerHostActivities } from '../../../activities/jobscheduler/scheduler-host-activities';
import { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet } from '../../../simulator/jobscheduler/scheduler-fleet';
import { RunningSimCluster, simClusterDatabase, simClusterDatabaseDir, startSimClusters } from '../../../simulator/jobscheduler/sim-clusters';
import { loadInventory, DEFAULT_INVENTORY_FILE } from '../../../simulator/spoc/inventory';
import { waitUntil } from '../../helpers/scheduler-cluster';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();
let fleet: SchedulerFleet;
let clusters: RunningSimCluster[];
let simDir: string;
beforeAll(async () => {
  simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-clusters-')), 'sim');
  fleet = new SchedulerFleet(simDir);
  clusters = await startSimClusters(fleet, simDir, { stepMs: 300 });
}, 60_000);
afterAll(async () => {
  await fleet?.killAll();
});

test('the example inputs: the passive supervisor activates the primary, and the Windows backup gets its new precedence through remove and install', async () => {
  const examples = Object.fromEntries(catalogEntries(loadInventory(DEFAULT_INVENTORY_FILE), simDir).map((e) => [e.id, e.exampleInput]));
  const hosts = clusters.flatMap((c) => c.hosts);
  const hostActivities = Object.fromEntries(hosts.map((h) => [h.host, createSchedulerHostActivities(h.deps())]));
  const berlin = clusters.find((c) => c.definition.cluster === 'berlin');
  const db = new SchedulerClusterDb(simClusterDatabase(simDir, berlin?.definition.cluster ?? 'berlin'));
  try {
    await estate.withClusterWorkers(
      { fleet, databaseDir: simClusterDatabaseDir(simDir) },
      hosts.map((h) => h.host),
      async () => {
        const supervisor = `berlin-${randomUUID()}`;
        await estate.spoolflow.start('supervise-passive-cluster', examples['supervise-passive-cluster'], { workflowId: supervisor });
        await waitUntil('js-berlin-1 is active', () => db.clusterState().activeMember === 'js-berlin-1' && db.member('js-berlin-1')?.status === 'active', 20_000);

        const procedure = `set-option-${randomUUID()}`;
        await estate.spoolflow.start('set-cluster-option', examples['set-cluster-option'], { workflowId: procedure });
        const output = (await estate.spoolflow.result(procedure)) as { outcome: string; runningWith: string; file: { changed: boolean } };
        expect(output).toMatchObject({ outcome: 'completed', runningWith: '-exclusive -backup -backup-precedence=3', file: { changed: true } });
        expect(db.member('js-berlin-3')).toMatchObject({ backupPrecedence: 3, role: 'backup' });
        // The member was stopped normally: the supervisor kept the primary active throughout.
        expect(db.clusterState().activeMember).toBe('js-berlin-1');
        const windowsSteps = (await estate.spoolflow.status(procedure)).path.map((p) => p.action);
        expect(windowsSteps).toEqual(['check-scheduler-member', 'stop-scheduler', 'remove-scheduler-service', 'set-cluster-options', 'install-scheduler-service', 'start-scheduler']);

        await estate.spoolflow.command(supervisor, { type: 'operator.abort', reason: 'test over' });
        await estate.spoolflow.result(supervisor);
      },
      hostActivities,
    );
  } finally {
    db.close();
  }
});
