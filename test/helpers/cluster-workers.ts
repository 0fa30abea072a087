/**
 * Workers for a test's simulated JobScheduler cluster: the central worker with the cluster
 * database activities, and one scheduler agent per member host, connected to the test's Temporal
 * server while `fn` runs.
 */
import { SchedulerDbPool } from '../../activities/jobscheduler/scheduler-db-pool';
import { createCentralWorkers } from '../../worker/central-worker';
import { centralSchedulerActivities, createSchedulerHostAgent, simSchedulerActivities } from '../../simulator/jobscheduler/sim-scheduler-agents';
import type { RunningAgent } from '../../simulator/spoc/sim-host-agents';
import type { SchedulerFleet } from '../../simulator/jobscheduler/scheduler-fleet';
import type { TestTemporal } from './temporal-server';

/**
 * `cluster`: the fleet of member processes and the folder the supervisor takes cluster databases
 * from. `hostActivities`: a host's own activities besides process control (the simulated scheduler hosts').
 * `centralOverrides`: the central cluster database activities as a test wants them (one failing for a while).
 */
export async function withClusterWorkers<T>(
  temporal: TestTemporal,
  { fleet, databaseDir }: { fleet: SchedulerFleet; databaseDir: string },
  hosts: string[],
  fn: () => Promise<T>,
  hostActivities: Record<string, object> = {},
  centralOverrides: (activities: ReturnType<typeof centralSchedulerActivities>) => object = (a) => a,
): Promise<T> {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const databases = new SchedulerDbPool({ folder: databaseDir });
  const activities = simSchedulerActivities(fleet, databases);
  const noManagementServer = { address: 'none', ping: async () => undefined, spocStatus: async () => ({}) };
  const workers: RunningAgent[] = [
    ...(await createCentralWorkers({ ...conn, managementServer: noManagementServer, extraActivities: centralOverrides(centralSchedulerActivities(activities)) as ReturnType<typeof centralSchedulerActivities> })),
    ...(await Promise.all(hosts.map((h) => createSchedulerHostAgent(conn, h, activities, (hostActivities[h] ?? {}) as Record<string, unknown>)))),
  ];
  return runningWhile(workers, fn, () => databases.closeAll());
}

/** Scheduler agents alone, for hosts whose agent comes up later than the cluster's workers (withClusterWorkers). */
export async function withSchedulerAgents<T>(temporal: TestTemporal, { fleet, databaseDir }: { fleet: SchedulerFleet; databaseDir: string }, hosts: string[], fn: () => Promise<T>): Promise<T> {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const databases = new SchedulerDbPool({ folder: databaseDir });
  const activities = simSchedulerActivities(fleet, databases);
  const agents = await Promise.all(hosts.map((h) => createSchedulerHostAgent(conn, h, activities, {})));
  return runningWhile(agents, fn, () => databases.closeAll());
}

/** Runs the workers while `fn` runs; then shuts them down, waits for them, and cleans up. */
async function runningWhile<T>(workers: RunningAgent[], fn: () => Promise<T>, cleanUp: () => void): Promise<T> {
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    cleanUp();
  }
}
