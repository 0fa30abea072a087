/**
 * The production central worker, alone against any Temporal: the procedure and lease workflows,
 * the Management Server checks through the adapter of the fleet configuration (or, on an estate
 * without SPOCs, checks that refuse saying so), the leases, and the JobScheduler supervisors'
 * cluster database activities when the configuration names their folder, and the spool cleaning's
 * Job Service when it has a `spoolCleaning` section (job-service.ts). No simulated host: every
 * host's steps wait on its own agent.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { connectClient } from '../client/connect';
import { centralSchedulerActivities, createSchedulerActivities } from '../activities/jobscheduler/scheduler-activities';
import type { MemberProcessControl } from '../activities/jobscheduler/member-process-control';
import { SchedulerDbPool } from '../activities/jobscheduler/scheduler-db-pool';
import { ManagementServerAdapter, type ManagementServerAdapterOptions } from '../activities/spoc/management-server-adapter';
import { NoManagementServer } from '../activities/spoc/no-management-server';
import { connectWithin } from '../engine/connection-config';
import { temporalTargetOf } from '../engine/temporal-target';
import { dataDir } from '../engine/data-dir';
import { createCentralWorkers } from './central-worker';
import { fleetFileOf, fleetWarnings, loadFleetConfig, managementServerOptions, type LoadedFleet } from './fleet-config';
import { createJobService, keepSpoolCleaningInStep, type JobService } from './job-service';

// Kept where the CLI reads them without loading the Temporal worker (cli/exit-codes.ts).
export { FleetFileMissingError, fleetFileOf } from './fleet-config';

export interface TemporalTarget {
  connection: NativeConnection;
  namespace: string;
  address: string;
}

/**
 * The one place the central worker reads how to reach Temporal (engine/connection-config.ts): the
 * cluster the environment names, else the embedded server of this data folder, else
 * 127.0.0.1:7233, as the CLI's client does.
 */
export async function connectWorkerToTemporal(env: NodeJS.ProcessEnv = process.env): Promise<TemporalTarget> {
  const { options, namespace } = await temporalTargetOf(env);
  const connection = await connectWithin(options.address, () => NativeConnection.connect(options));
  return { connection, namespace, address: options.address };
}

/** The central worker never ends a member's process: that is `terminateMember` on the member host's agent. */
const processControlIsOnTheHost: MemberProcessControl = {
  terminate: () => Promise.reject(new Error("the central worker does not end a JobScheduler member's process: its host's agent does (terminateMember)")),
  kill: () => Promise.reject(new Error("the central worker does not end a JobScheduler member's process: its host's agent does")),
};

export interface RunCentralWorkerOptions {
  temporal: Pick<TemporalTarget, 'connection' | 'namespace'>;
  fleet: LoadedFleet;
  /** Resolves when the worker should stop (after running activities finish or are handed back). */
  stopSignal: Promise<void>;
  log: (line: string) => void;
  /** Where the central worker keeps its own state (the SPOC probes'); absent: in memory only. */
  stateFolder?: string;
  /** Sets the spool cleaning's schedule and loops in step at start; required with a `spoolCleaning` section. */
  client?: Client;
}

/** The file in the state folder that keeps what the SPOC probes saw across restarts. */
export const PROBE_STATE_FILE = 'spoc-probes.json';

/** The central worker's state folder when the fleet configuration names none. */
export function defaultStateFolder(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'central-worker');
}

/** The adapter's options with the worker's log, which hears problems with the probe state file. */
function withLog(options: ManagementServerAdapterOptions, log: (line: string) => void): ManagementServerAdapterOptions {
  return { ...options, liveness: { ...options.liveness, log } };
}

/** Runs the workers until `stopSignal` or until one of them stops; then the others drain too. */
async function runUntilStopped(workers: Worker[], stopSignal: Promise<void>): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.race([stopSignal, ...runs]);
  } finally {
    // The SDK may already be draining on the same signal.
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(runs);
  }
  await Promise.all(runs);
}

/** Runs the central worker until `stopSignal`; the Management Server probes run meanwhile. */
export async function runCentralWorker(opts: RunCentralWorkerOptions): Promise<void> {
  for (const warning of fleetWarnings(opts.fleet)) opts.log(warning);
  const { spoc } = opts.fleet;
  const probeStateFile = opts.stateFolder === undefined ? undefined : path.join(opts.stateFolder, PROBE_STATE_FILE);
  const adapter = spoc ? new ManagementServerAdapter(withLog(managementServerOptions(spoc, probeStateFile), opts.log)) : undefined;
  const databases = opts.fleet.clusterDatabaseDir ? new SchedulerDbPool({ folder: opts.fleet.clusterDatabaseDir }) : undefined;
  // The probes start before the workflow bundle is built (seconds), so the gap since the last
  // probe of the previous run stays short enough for its state to be trusted.
  adapter?.start();
  let jobService: JobService | undefined;
  try {
    const workers = await createCentralWorkers({
      ...opts.temporal,
      managementServer: adapter ?? new NoManagementServer(opts.fleet.file),
      ...(databases ? { extraActivities: centralSchedulerActivities(createSchedulerActivities({ processes: processControlIsOnTheHost, databases })) } : {}),
    });
    // Set up before "central worker running" is said, so that line means all of it runs.
    const cleaning = opts.fleet.spoolCleaning;
    if (cleaning) {
      if (!opts.client) throw new Error('the fleet configuration has a spoolCleaning section: the central worker needs a Temporal client to keep its schedule in step');
      jobService = await createJobService(opts.temporal, cleaning, opts.log);
      await keepSpoolCleaningInStep(opts.client, cleaning, opts.log);
    } else {
      opts.log('no spoolCleaning section in the fleet configuration: this worker runs no spool cleaning (Job Service)');
    }
    opts.log(
      spoc && adapter
        ? `central worker running: Management Server ${adapter.address}, ${spoc.siteServers.length} site servers probed every ${spoc.probe.intervalSeconds} s${probeStateFile ? `, their state kept in ${probeStateFile}` : ''}`
        : `central worker running: no Management Server in the fleet configuration (no SPOC part): SPOC procedures halt at their first check`,
    );
    opts.log(
      databases
        ? `JobScheduler cluster databases are taken from ${databases.folder}`
        : 'no jobScheduler.clusterDatabaseDir in the fleet configuration: cluster supervisors are not served by this worker (option changes run on the hosts\' agents)',
    );
    await runUntilStopped([...workers, ...(jobService ? [jobService.worker] : [])], opts.stopSignal);
  } finally {
    adapter?.stop();
    databases?.closeAll();
    jobService?.store.close();
  }
}

/**
 * The central worker as a process (`spoolflow worker`, worker/main.ts): reads and checks the fleet
 * configuration before connecting to anything, connects, and runs until SIGINT or SIGTERM.
 */
export async function startCentralWorker(fleetFlag: string | undefined, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (line) => console.error(`[spoolflow worker] ${line}`)): Promise<void> {
  const loaded = loadFleetConfig(fleetFileOf(fleetFlag, env));
  // SPOOLFLOW_CLUSTER_DB_DIR keeps its meaning where the configuration names no folder.
  const envFolder = env.SPOOLFLOW_CLUSTER_DB_DIR?.trim();
  const fleet = loaded.clusterDatabaseDir === undefined && envFolder ? { ...loaded, clusterDatabaseDir: path.resolve(envFolder) } : loaded;
  const temporal = await connectWorkerToTemporal(env);
  log(`connected to Temporal at ${temporal.address}, namespace ${temporal.namespace}; fleet configuration ${fleet.file}`);
  const client = fleet.spoolCleaning ? await connectClient(env) : undefined;
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  // `on`, not `once`: a second Ctrl-C must not cut the clean shutdown short.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await runCentralWorker({ temporal, fleet, stopSignal, log, stateFolder: fleet.stateFolder ?? defaultStateFolder(env), ...(client ? { client: client.client } : {}) });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await client?.close();
    await temporal.connection.close();
  }
}
