/**
 * The simulated JobScheduler clusters `npm start` runs, driven through the catalog's example
 * inputs on a real Temporal server: the passive supervisor keeps berlin's primary active and the
 * cluster-option procedure moves its Windows backup behind a new precedence (stop, remove, edit,
 * install, start), after which the member runs with the new options. The agents process started
 * again after a kill leaves a member stopped midway through that change as it is.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { createSchedulerHostActivities } from '../../../activities/jobscheduler/scheduler-host-activities';
import { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet } from '../../../simulator/jobscheduler/scheduler-fleet';
import { createJobSchedulerWindowsService } from '../../../activities/jobscheduler/jobscheduler-windows-service';
import { createScExeServiceControl } from '../../../activities/windows/service-control/sc-exe-service-control';
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

test('started again after a kill, the agents process leaves a member a procedure stopped as it is, service removed and all', async () => {
  const backup = clusters.flatMap((c) => c.hosts).find((h) => h.host === 'js-berlin-3');
  if (!backup) throw new Error('no simulated host js-berlin-3');
  // Midway through the option change: the member stopped, its service removed (chaos seed 9010's replay halted on a service booted again).
  expect(await fleet.terminate('js-berlin-3')).toBe('terminated');
  const service = createJobSchedulerWindowsService(backup.run, { installDir: 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\js-berlin-3', serviceName: 'sos_scheduler_berlin_backup' });
  expect(await service.remove()).toBe('removed');
  const startsBefore = fleet.record.read().filter((e) => e.operation === 'start-member').length;

  await startSimClusters(fleet, simDir, { stepMs: 300, onlyFirstBoot: true });

  expect(fleet.info('js-berlin-3').running).toBe(false);
  expect(backup.process()?.running).toBe(false);
  expect(fleet.record.read().filter((e) => e.operation === 'start-member')).toHaveLength(startsBefore);
  expect(await createScExeServiceControl(backup.run).query('sos_scheduler_berlin_backup')).toBe('NOT_INSTALLED');
});
