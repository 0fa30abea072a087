/**
 * The simulated JobScheduler clusters that run beside the simulated SPOC fleet: a passive cluster
 * `berlin` (a primary and two backups) and an active cluster `munich` (three members running the
 * steps of distributed orders). Each has its database under `<data dir>/sim/scheduler/` (the
 * central worker's cluster database folder unless SPOOLFLOW_CLUSTER_DB_DIR names another), named
 * in its definition by file name only, and its members are real processes started by the
 * scheduler fleet. Their definitions are the example inputs of the cluster supervisors in the catalog.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SchedulerClusterDb } from '../../activities/jobscheduler/scheduler-cluster-db';
import type { ClusterConfiguration } from '../../activities/jobscheduler/scheduler-cluster-schema';
import { jobSchedulerClusterSchema, JobSchedulerClusterInput } from '../../machines/jobscheduler/jobscheduler-cluster-input';
import { schedulerSimDir } from './member-files';
import { SchedulerFleet } from './scheduler-fleet';
import { SimulatedSchedulerHost, simulatedHostConfigOf } from './scheduler-host';

export interface SimCluster {
  definition: JobSchedulerClusterInput;
  configuration: ClusterConfiguration;
}

/** Heartbeats of the simulated clusters: every 250 ms, dead after 1.5 s. */
export const SIM_HEARTBEAT = { intervalSeconds: 0.25, timeoutSeconds: 1.5 };

/** The folder the simulated clusters' databases are in. */
export function simClusterDatabaseDir(simDir: string): string {
  return path.resolve(schedulerSimDir(simDir));
}

/** A simulated cluster's database as its definition names it: a file name in {@link simClusterDatabaseDir}. */
export const simClusterDatabaseName = (cluster: string): string => `${cluster}.sqlite`;

/** The file of a simulated cluster's database. */
export function simClusterDatabase(simDir: string, cluster: string): string {
  return path.join(simClusterDatabaseDir(simDir), simClusterDatabaseName(cluster));
}

const unixMember = (host: string, id: string, database: string, clusterOptions: string) => ({
  host,
  os: 'unix' as const,
  jobSchedulerId: id,
  database,
  installDir: `/opt/sos-berlin.com/jobscheduler/${host}`,
  clusterOptions,
});

/**
 * The simulated clusters' definitions. They name their databases by file name, so they are the
 * same for every data folder; `_simDir` is accepted for the callers that still pass it.
 */
export function simClusters(_simDir?: string): SimCluster[] {
  const berlin = simClusterDatabaseName('berlin');
  const munich = simClusterDatabaseName('munich');
  return [
    {
      definition: {
        cluster: 'berlin',
        mode: 'passive',
        heartbeat: { ...SIM_HEARTBEAT },
        members: [
          unixMember('js-berlin-1', 'berlin', berlin, '-exclusive'),
          unixMember('js-berlin-2', 'berlin', berlin, '-exclusive -backup -backup-precedence=1'),
          // A Windows member: its options live in the installed service, which is why the runbook removes and installs it.
          { ...unixMember('js-berlin-3', 'berlin', berlin, '-exclusive -backup -backup-precedence=2'), os: 'windows' as const, installDir: 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\js-berlin-3' },
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

/** A started simulated cluster: its definition and a simulated host per member. */
export interface RunningSimCluster extends SimCluster {
  hosts: SimulatedSchedulerHost[];
}

/** Options of {@link startSimClusters}. */
export interface StartSimClustersOptions {
  stepMs?: number;
  /**
   * Install and boot only the members never started in this sim dir; one started before is left as
   * it is, running or stopped, with its service and files. For a process that hosts the scheduler
   * hosts' agents and is started again (a chaos kill): that is not a boot of the hosts, and booting
   * them would start a member a procedure stopped on purpose (or install the service it removed).
   */
  onlyFirstBoot?: boolean;
}

/**
 * Creates the clusters' databases (the only place spoolflow creates cluster tables), lays out each member's install folder (start script, Windows
 * service) and starts every member that is not running, the way its host does at boot.
 */
export async function startSimClusters(fleet: SchedulerFleet, simDir: string, opts: StartSimClustersOptions = {}): Promise<RunningSimCluster[]> {
  const running: RunningSimCluster[] = [];
  for (const sim of simClusters(simDir)) {
    const cluster = jobSchedulerClusterSchema.parse(sim.definition);
    mkdirSync(simClusterDatabaseDir(simDir), { recursive: true });
    const db = SchedulerClusterDb.create(simClusterDatabase(simDir, cluster.cluster));
    try {
      db.configure(sim.configuration);
    } finally {
      db.close();
    }
    const heartbeatMs = Math.round(cluster.heartbeat.intervalSeconds * 1000);
    const timing = { heartbeatMs, jobIntervalMs: heartbeatMs, pollMs: heartbeatMs, stepMs: opts.stepMs ?? 2000 };
    const hosts = cluster.members.map((member) => new SimulatedSchedulerHost(simDir, fleet, simulatedHostConfigOf(member, timing)));
    for (const host of hosts) {
      if (opts.onlyFirstBoot && host.process() !== undefined) continue;
      await host.install();
      if (!host.process()?.running) await host.boot();
    }
    running.push({ ...sim, hosts });
  }
  return running;
}
