/**
 * Workers for a test's simulated FlexiSpooler network, in the test's own process: the central
 * worker with the release watch, and one agent per simulated client, while `fn` runs.
 */
import { createCentralWorkers } from '../../worker/central-worker';
import { createSimClientAgents, simReleaseActivities } from '../../simulator/flexispooler/sim-flexispooler-agents';
import type { SimFlexiSpoolerNetwork } from '../../simulator/flexispooler/sim-network';
import type { RunningAgent } from '../../simulator/spoc/sim-host-agents';
import type { TestTemporal } from './temporal-server';

export async function withFlexiSpoolerWorkers<T>(temporal: TestTemporal, network: SimFlexiSpoolerNetwork, fn: () => Promise<T>): Promise<T> {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const noManagementServer = { address: 'none', ping: async () => undefined, spocStatus: async () => ({}) };
  const workers: RunningAgent[] = [
    ...(await createCentralWorkers({ ...conn, managementServer: noManagementServer, flexiSpoolerActivities: simReleaseActivities(network, 50) })),
    ...(await createSimClientAgents(conn, network)),
  ];
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
  }
}
