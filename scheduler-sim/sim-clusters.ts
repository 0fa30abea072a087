/**
 * The simulated JobScheduler clusters that run beside the simulated SPOC fleet: a passive cluster
 * `berlin` (a primary and two backups) and an active cluster `munich` (three members running the
 * steps of distributed orders). Each has its database under `<data dir>/sim/scheduler/` and its
 * members are real processes started by the scheduler fleet. Their definitions are the example
 * inputs of the cluster supervisors in the catalog.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SchedulerClusterDb, type ClusterConfiguration } from '../activities/scheduler-cluster-db';
import { jobSchedulerClusterSchema, JobSchedulerClusterInput } from '../machines/jobscheduler-cluster-input';
import { SchedulerFleet } from './scheduler-fleet';

export interface SimCluster {
  definition: JobSchedulerClusterInput;
  configuration: ClusterConfiguration;
}

/** Heartbeats of the simulated clusters: every 250 ms, dead after 1.5 s. */
export const SIM_HEARTBEAT = { intervalSeconds: 0.25, timeoutSeconds: 1.5 };

export function simClusterDatabase(simDir: string, cluster: string): string {
  return path.join(path.resolve(simDir), 'scheduler', `${cluster}.sqlite`);
}

const unixMember = (host: string, id: string, database: string, clusterOptions: string) => ({
  host,
  os: 'unix' as const,
  jobSchedulerId: id,
  database,
  installDir: `/opt/sos-berlin.com/jobscheduler/${host}`,
  clusterOptions,
});

export function simClusters(simDir: string): SimCluster[] {
  const berlin = simClusterDatabase(simDir, 'berlin');
  const munich = simClusterDatabase(simDir, 'munich');
  return [
    {
      definition: {
        cluster: 'berlin',
        mode: 'passive',
        heartbeat: { ...SIM_HEARTBEAT },
        members: [
          unixMember('js-berlin-1', 'berlin', berlin, '-exclusive'),
          unixMember('js-berlin-2', 'berlin', berlin, '-exclusive -backup -backup-precedence=1'),
          unixMember('js-berlin-3', 'berlin', berlin, '-exclusive -backup -backup-precedence=2'),
        ],
      },
      configuration: {
        jobs: ['housekeeping', 'load-invoices', 'check-invoices', 'send-invoices'],
        jobChains: [{ name: 'invoices', nodes: [{ node: 'load', job: 'load-invoices' }, { node: 'check', job: 'check-invoices' }, { node: 'send', job: 'send-invoices' }] }],
      },
    },
    {
      definition: {
        cluster: 'munich',
        mode: 'active',
        heartbeat: { ...SIM_HEARTBEAT },
        members: ['js-munich-1', 'js-munich-2', 'js-munich-3'].map((h) => unixMember(h, 'munich', munich, '-exclusive -distributed-orders')),
      },
      configuration: {
        jobs: ['extract', 'transform', 'load'],
        jobChains: [{ name: 'etl', distributed: true, nodes: [{ node: 'extract', job: 'extract' }, { node: 'transform', job: 'transform' }, { node: 'load', job: 'load' }] }],
      },
    },
  ];
}

/** Creates the clusters' databases and starts every member that is not running. */
export async function startSimClusters(fleet: SchedulerFleet, simDir: string, opts: { stepMs?: number } = {}): Promise<SimCluster[]> {
  const clusters = simClusters(simDir);
  for (const { definition, configuration } of clusters) {
    const cluster = jobSchedulerClusterSchema.parse(definition);
    const database = cluster.members[0]?.database ?? '';
    mkdirSync(path.dirname(database), { recursive: true });
    const db = new SchedulerClusterDb(database);
    try {
      db.configure(configuration);
    } finally {
      db.close();
    }
    const heartbeatMs = Math.round(cluster.heartbeat.intervalSeconds * 1000);
    for (const member of cluster.members) {
      await fleet.start({ member: member.host, host: member.host, database, options: definition.members.find((m) => m.host === member.host)?.clusterOptions ?? '', heartbeatMs, stepMs: opts.stepMs ?? 2000 });
    }
  }
  return clusters;
}
