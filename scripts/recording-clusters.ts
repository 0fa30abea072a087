/**
 * The simulated JobScheduler clusters the history recordings run their cluster procedures on
 * (scripts/record-histories.ts, scripts/record-runtime-v2-histories.ts): the members started,
 * the cluster workers running, the catalog's example inputs for these clusters, and everything
 * stopped afterwards.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import { catalogEntries } from '../simulator/catalog-entries';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { simClusterDatabase, simClusterDatabaseDir, startSimClusters } from '../simulator/jobscheduler/sim-clusters';
import { withClusterWorkers } from '../test/helpers/cluster-workers';
import { testInventory } from '../test/helpers/sim-fleet';
import type { TestTemporal } from '../test/helpers/temporal-server';

export interface RecordingClusters {
  schedulers: SchedulerFleet;
  /** The catalog's example input of each procedure, for these clusters. */
  examples: Record<string, unknown>;
  /** A cluster's database (berlin, munich), closed when the recording ends. */
  database(cluster: string): SchedulerClusterDb;
}

export async function withRecordingClusters(temporal: TestTemporal, record: (clusters: RecordingClusters) => Promise<void>): Promise<void> {
  const simDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-record-')), 'sim');
  const schedulers = new SchedulerFleet(simDir);
  const clusters = await startSimClusters(schedulers, simDir, { stepMs: 300 });
  const examples = Object.fromEntries(catalogEntries(testInventory(), simDir).map((e) => [e.id, e.exampleInput]));
  const hosts = clusters.flatMap((c) => c.hosts);
  const opened: SchedulerClusterDb[] = [];
  const database = (cluster: string) => {
    const db = new SchedulerClusterDb(simClusterDatabase(simDir, cluster));
    opened.push(db);
    return db;
  };
  try {
    await withClusterWorkers(
      temporal,
      { fleet: schedulers, databaseDir: simClusterDatabaseDir(simDir) },
      hosts.map((h) => h.host),
      () => record({ schedulers, examples, database }),
      Object.fromEntries(hosts.map((h) => [h.host, createSchedulerHostActivities(h.deps())])),
    );
  } finally {
    opened.forEach((db) => db.close());
    await schedulers.killAll();
  }
}
