/**
 * One part of the chaos run's stack, as its own OS process so it can be killed with SIGKILL alone:
 *
 *   node --require tsx/cjs chaos/estate-process.ts central|agents
 *
 * `agents`: the simulated site servers (their state in SPOOLFLOW_DATA_DIR/sim, the time passing on
 * them) and one host agent per server; it takes fault changes from its parent over the IPC channel
 * (`{ host, faults }`) and the operator's start of a service by hand (`{ host, startByHand }`), so
 * only this process ever writes a host's state file. It also boots the simulated JobScheduler
 * clusters' members that do not run (as their hosts do at boot; the members are processes of their
 * own, detached, so a kill of this process leaves them running as it would leave a real scheduler)
 * and runs one agent per scheduler host; `{ killMember }` is a scheduler crash (kill -9 of a member),
 * `{ host, load }` active jobs on a SPOC. And the other systems' hosts: the FlexiSpooler clients'
 * agents, the spoolers' agents and the SAP spool servers' work processes.
 * `central`: the central worker (workflows, leases, the Management Server checks, the cluster
 * database activities of the supervisors, the FlexiSpooler release watch) and the spool
 * cleaning's Job Service, the one writer of its store. Its Management
 * Server reads the hosts' state files and never changes them: the simulated hosts belong to the
 * agents process, as real ones do not belong to the central worker.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { connectWithin } from '../engine/connection-config';
import { loadInventory, type Inventory } from '../simulator/spoc/inventory';
import { SimFleet } from '../simulator/spoc/sim-fleet';
import { createSimHostAgents, SimHostAgent, type RunningAgent } from '../simulator/spoc/sim-host-agents';
import { SimHostStateFile, type SimFaults } from '../simulator/spoc/sim-host-state';
import { SPOC_SERVICE } from '../machines/spoc/spoc-services';
import type { ManagementServerView } from '../activities/spoc/management-server';
import { createCentralWorkers } from '../worker/central-worker';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { simClusterDatabaseDir, startSimClusters } from '../simulator/jobscheduler/sim-clusters';
import { centralSchedulerActivities, createFullSchedulerHostAgent, schedulerHostAgentActivities, simSchedulerActivities } from '../simulator/jobscheduler/sim-scheduler-agents';
import { SchedulerDbPool } from '../activities/jobscheduler/scheduler-db-pool';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { Worker } from '@temporalio/worker';
import { createSimClientAgents, openSimNetwork, simReleaseActivities } from '../simulator/flexispooler/sim-flexispooler-agents';
import { simJobServiceFile, simSpoolerActivities } from '../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers } from '../simulator/spoolcleaning/sim-spoolers';
import { DeleteRequestStore } from '../activities/spoolcleaning/delete-request-store';
import { createCentralSpoolCleaningActivities } from '../activities/spoolcleaning/spool-cleaning-activities';
import { JOB_SERVICE_TASK_QUEUE } from '../workflows/spoolcleaning/spool-cleaning-names';
import { hostTaskQueue } from '../workflows/task-queues';
import { createSapWorkProcessWorkers, simSpoolServerSettings } from '../simulator/sap/sim-sap-estate';
import { SimSpoolServers } from '../simulator/sap/sim-spool-servers';
import { CHAOS_SAP_SYSTEMS } from './sap-chaos';
import { CHAOS_SPOOLERS } from './spool-cleaning-chaos';

const POLL_MS = 50;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (the chaos script sets it)`);
  return value;
}

/** The Management Server's view, read from the hosts' state files as the agents process keeps them. */
function readOnlyManagementServer(inventory: Inventory, simDir: string): ManagementServerView {
  const fleetDown = () => new SimFleet({ ...inventory, siteServers: [] }, simDir).managementServerDown;
  const ms = inventory.managementServer.host;
  return {
    address: ms,
    ping: async () => {
      if (fleetDown()) throw new Error(`Management Server ${ms} does not answer`);
    },
    spocStatus: async (hosts) => {
      if (fleetDown()) throw new Error(`Management Server ${ms} does not answer`);
      return Object.fromEntries(
        hosts.map((h) => {
          const server = inventory.siteServers.find((s) => s.host.toLowerCase() === h.toLowerCase());
          const state = server ? new SimHostStateFile(path.join(simDir, 'hosts', server.host)).load() : undefined;
          const spocKey = server?.services.find((s) => s.display === SPOC_SERVICE)?.key ?? '';
          const online = state !== undefined && (state.power ?? 'up') === 'up' && state.services[spocKey] === 'RUNNING' && state.lifecycle === 'ONLINE';
          const since = online ? (state.onlineSince ?? state.lastBootAt ?? null) : null;
          const group = inventory.groups.find((g) => g.members.some((m) => m.toLowerCase() === h.toLowerCase()))?.name ?? null;
          return [h, { online, onlineSince: since === null ? null : new Date(since).toISOString(), activeJobs: state?.activeJobs ?? 0, group }];
        }),
      );
    },
  };
}

async function main(): Promise<void> {
  const role = process.argv[2];
  if (role !== 'central' && role !== 'agents') throw new Error(`the part to run must be central or agents, not "${role}"`);
  const address = required('TEMPORAL_ADDRESS');
  const simDir = path.join(required('SPOOLFLOW_DATA_DIR'), 'sim');
  const inventory = loadInventory(required('SPOOLFLOW_INVENTORY'));
  const connection = await connectWithin(address, () => NativeConnection.connect({ address }));
  const conn = { connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' };
  let workers: RunningAgent[];
  // Detached: the members outlive a kill of this process, as schedulers on their own hosts would.
  const schedulers = new SchedulerFleet(simDir, { detached: true });
  const databases = new SchedulerDbPool({ folder: simClusterDatabaseDir(simDir) });
  const schedulerActivities = simSchedulerActivities(schedulers, databases);
  if (role === 'agents') {
    const fleet = new SimFleet(inventory, simDir);
    fleet.start(20);
    process.on('message', (message: { host?: string; faults?: SimFaults; startByHand?: string; killMember?: string; load?: number }) => {
      if (message.killMember) void schedulers.kill(message.killMember).catch(() => undefined);
      if (!message.host) return;
      const host = fleet.host(message.host);
      if (message.faults) host.setFaults(message.faults);
      // Active jobs on the SPOC (users printing): the procedures' load check halts on them.
      if (message.load !== undefined) host.setLoad(message.load);
      // The operator starting a service by hand (the runbook's answer to a service Windows did not start at the boot).
      const key = host.server.services.find((s) => s.display === message.startByHand)?.key;
      if (key) host.requestStart(key);
    });
    // Started again after a kill, this process is the hosts' agents again, not their boot: a member the option change stopped stays stopped.
    const clusters = await startSimClusters(schedulers, simDir, { onlyFirstBoot: true });
    const schedulerHosts = clusters.flatMap((c) => c.hosts);
    // The FlexiSpooler clients' computers, the spoolers and the SAP spool servers are hosts of this process too.
    const spoolers = new SimSpoolers(simDir);
    workers = [
      ...createSimHostAgents(conn, fleet, POLL_MS),
      ...(await Promise.all(schedulerHosts.map((h) => createFullSchedulerHostAgent(conn, h.host, schedulerHostAgentActivities(schedulerActivities, createSchedulerHostActivities(h.deps())))))),
      ...(await createSimClientAgents(conn, openSimNetwork(simDir))),
      ...(await Promise.all(CHAOS_SPOOLERS.map((spooler) => Worker.create({ ...conn, taskQueue: hostTaskQueue(spooler), activities: simSpoolerActivities(spoolers), maxConcurrentActivityTaskExecutions: 4 })))),
      ...(await createSapWorkProcessWorkers(conn, CHAOS_SAP_SYSTEMS, new SimSpoolServers(simDir, simSpoolServerSettings(CHAOS_SAP_SYSTEMS)))),
    ];
  } else {
    // The Job Service (the one writer of the delete requests' store) runs with the central worker.
    const spoolers = new SimSpoolers(simDir);
    const audit = (entry: { spooler: string; operation: string; target: string; outcome: string }) => spoolers.note(entry.spooler, entry.operation, entry.target, entry.outcome);
    const store = new DeleteRequestStore(simJobServiceFile(simDir));
    workers = [
      ...(await createCentralWorkers({ ...conn, managementServer: readOnlyManagementServer(inventory, simDir), pollMs: POLL_MS, extraActivities: centralSchedulerActivities(schedulerActivities), flexiSpoolerActivities: simReleaseActivities(openSimNetwork(simDir)) })),
      await Worker.create({ ...conn, taskQueue: JOB_SERVICE_TASK_QUEUE, activities: createCentralSpoolCleaningActivities({ store, audit }) }),
    ];
  }
  const still = new Set(workers.map((_, i) => i));
  process.on('SIGTERM', () => {
    // Every worker is told, even when the SDK's own signal handler already began to drain one (its shutdown() then throws).
    for (const w of workers) {
      try {
        w.shutdown();
      } catch {
        // already stopping
      }
    }
    // A part that does not end within a minute would hold the chaos run for ever: say which, and go.
    setTimeout(() => {
      console.error(`chaos ${role}: still running 60 s after SIGTERM: ${[...still].map((i) => describe(workers[i])).join(', ')}`);
      process.exit(1);
    }, 60_000).unref();
  });
  console.log(`chaos ${role} running`);
  await Promise.all(workers.map((w, i) => w.run().finally(() => still.delete(i))));
  databases.closeAll();
  await connection.close();
  // The IPC channel to the chaos script would keep this process alive.
  process.exit(0);
}

/** A part's name in a report: its task queue, or its host. */
function describe(part: RunningAgent | undefined): string {
  if (part instanceof Worker) return part.options.taskQueue;
  if (part instanceof SimHostAgent) return `agent of ${part.host.host}`;
  return part?.constructor.name ?? '?';
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
