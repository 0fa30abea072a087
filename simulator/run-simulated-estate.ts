/**
 * Runs spoolflow's workers against a Temporal server: the central worker (workflows and central
 * checks) and, with the simulated fleet, one agent per simulated host. Stops cleanly on request:
 * running activities finish or are handed back to the server, so nothing is lost.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadInventory } from './spoc/inventory';
import { SimFleet } from './spoc/sim-fleet';
import { createCentralWorkers } from '../worker/central-worker';
import { createSimHostAgents, RunningAgent } from './spoc/sim-host-agents';
import { centralSchedulerActivities, createFullSchedulerHostAgent, schedulerHostAgentActivities, simSchedulerActivities } from './jobscheduler/sim-scheduler-agents';
import { SchedulerDbPool } from '../activities/jobscheduler/scheduler-db-pool';
import { SchedulerFleet } from './jobscheduler/scheduler-fleet';
import { simClusterDatabaseDir, startSimClusters } from './jobscheduler/sim-clusters';
import { startSimSupervisors } from './jobscheduler/sim-supervisors';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { connectWithin, type ClusterConnectionOptions } from '../engine/connection-config';
import { createSimSpoolCleaningWorkers, simSpoolCleaningConfig, spoolCleaningWanted, startSimSpoolCleaning } from './spoolcleaning/sim-spool-cleaning';
import { createSapSpoolSimulation } from './sap/sim-sap-estate';
import { createSimClientAgents, openSimNetwork, simReleaseActivities } from './flexispooler/sim-flexispooler-agents';

export interface RunWorkersOptions {
  connection: ClusterConnectionOptions;
  namespace: string;
  dataDir: string;
  inventoryFile: string;
  /**
   * The folder of the JobScheduler cluster databases the supervisors may open (a cluster names its
   * database by file name in it). Default: SPOOLFLOW_CLUSTER_DB_DIR, else the simulated clusters'
   * folder `<data dir>/sim/scheduler`.
   */
  clusterDatabaseDir?: string;
  /** Start the simulated JobScheduler clusters too (default true; SPOOLFLOW_SCHEDULER_CLUSTERS=off). */
  schedulerClusters?: boolean;
  /**
   * Start the simulated clusters' supervisors (`jobscheduler-cluster-<cluster>`) unless one runs
   * already (default true; SPOOLFLOW_SUPERVISORS=off). Without simulated clusters there are none.
   */
  supervisors?: boolean;
  /** Run the simulated spool cleaning: its schedule, spoolers and Job Service (default: SPOOLFLOW_SPOOL_CLEANING unless off). */
  spoolCleaning?: boolean;
  /** Start the simulated SAP spool servers, their dispatchers and load (default false; npm start: SPOOLFLOW_SAP_SPOOL=off leaves them out). */
  sapSpool?: boolean;
  /** Resolves when the workers should stop. */
  stopSignal: Promise<void>;
  log: (message: string) => void;
}

export async function runWorkers(opts: RunWorkersOptions): Promise<void> {
  const connection = await connectWithin(opts.connection.address, () => NativeConnection.connect(opts.connection));
  const simDir = path.join(opts.dataDir, 'sim');
  const fleet = new SimFleet(loadInventory(opts.inventoryFile), simDir);
  fleet.start();
  // The simulated JobScheduler clusters: their members are processes of this machine.
  // Members run in their own process groups, as schedulers on their own hosts would: Ctrl-C stops
  // spoolflow, which then ends them normally; a killed spoolflow leaves them running and the next
  // start takes them over.
  const schedulers = new SchedulerFleet(simDir, { detached: true });
  const clusters = opts.schedulerClusters === false ? [] : await startSimClusters(schedulers, simDir);
  const clusterDatabaseDir = opts.clusterDatabaseDir ?? (process.env.SPOOLFLOW_CLUSTER_DB_DIR?.trim() || simClusterDatabaseDir(simDir));
  const databases = new SchedulerDbPool({ folder: clusterDatabaseDir });
  const schedulerActivities = simSchedulerActivities(schedulers, databases);
  const schedulerHosts = clusters.flatMap((c) => c.hosts);
  const conn = { connection, namespace: opts.namespace };
  const sap = opts.sapSpool === true ? await createSapSpoolSimulation({ conn, connectionOptions: opts.connection, simDir, log: opts.log }) : undefined;
  // The simulated FlexiSpooler network: its clients' agents and the servers' release watch.
  const flexiNetwork = openSimNetwork(simDir);
  const workers: RunningAgent[] = [
    ...(await createCentralWorkers({ ...conn, managementServer: fleet.managementServer(), extraActivities: centralSchedulerActivities(schedulerActivities), flexiSpoolerActivities: simReleaseActivities(flexiNetwork) })),
    ...(await createSimClientAgents(conn, flexiNetwork)),
    ...createSimHostAgents(conn, fleet),
    ...(await Promise.all(schedulerHosts.map((host) => createFullSchedulerHostAgent(conn, host.host, schedulerHostAgentActivities(schedulerActivities, createSchedulerHostActivities(host.deps())))))),
    ...(sap?.workers ?? []),
  ];
  const cleaningConfig = (opts.spoolCleaning ?? spoolCleaningWanted()) ? simSpoolCleaningConfig() : undefined;
  const spoolCleaning = cleaningConfig ? await createSimSpoolCleaningWorkers(conn, simDir, cleaningConfig.spoolers) : undefined;
  workers.push(...(spoolCleaning?.workers ?? []));
  opts.log(`workers running: central + ${fleet.hosts.size} simulated site server agents + ${schedulerHosts.length} scheduler host agents; operation records ${fleet.record.file}, ${schedulers.record.file}`);
  opts.log(`simulated FlexiSpooler network: ${flexiNetwork.estate.locations.map((l) => `${l.name} (${l.servers.map((x) => x.host).join(', ')})`).join('; ')}; public ${flexiNetwork.estate.publicServer?.host ?? 'none'}; clients ${flexiNetwork.store.clients().map((c) => c.client).join(', ')}; record ${flexiNetwork.record.file}`);
  opts.log(`JobScheduler cluster databases are taken from ${databases.folder} (SPOOLFLOW_CLUSTER_DB_DIR)`);
  if (clusters.length > 0 && databases.folder !== simClusterDatabaseDir(simDir)) {
    opts.log(`note: the simulated clusters' databases are in ${simClusterDatabaseDir(simDir)}, outside that folder: their supervisors will not find them`);
  }
  if (clusters.length > 0) {
    opts.log(`simulated JobScheduler clusters: ${clusters.map((c) => `${c.definition.cluster} (${c.definition.mode}: ${c.definition.members.map((m) => m.host).join(', ')})`).join('; ')}`);
  }
  const running = Promise.all(workers.map((w) => w.run()));
  try {
    if (cleaningConfig) {
      const clientConnection = await Connection.connect(opts.connection);
      try {
        await startSimSpoolCleaning(new Client({ connection: clientConnection, namespace: opts.namespace }), cleaningConfig, opts.log);
      } finally {
        await clientConnection.close();
      }
    }
    if (clusters.length > 0 && opts.supervisors !== false) {
      const clientConnection = await Connection.connect(opts.connection);
      try {
        await startSimSupervisors(new Client({ connection: clientConnection, namespace: opts.namespace }), clusters, simDir, opts.log);
      } finally {
        await clientConnection.close();
      }
    } else if (clusters.length > 0) {
      opts.log('supervisors of the simulated clusters not started (SPOOLFLOW_SUPERVISORS=off): npx spoolflow start supervise-passive-cluster|supervise-active-cluster --input <file>');
    }
    await sap?.begin();
    await Promise.race([opts.stopSignal, running]);
    await sap?.stop();
    for (const w of workers) {
      try {
        w.shutdown();
      } catch {
        // already stopped or draining (the SDK drains every worker on SIGINT by itself)
      }
    }
    await running;
  } finally {
    fleet.stop();
    // Members end normally, as an operator's shutdown of the site would end them.
    await Promise.all(schedulers.list().filter((m) => m.running).map((m) => schedulers.terminate(m.member).catch(() => 'already-gone')));
    databases.closeAll();
    spoolCleaning?.store.close();
    flexiNetwork.store.close();
    await connection.close();
  }
}
