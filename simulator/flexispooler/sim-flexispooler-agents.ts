/**
 * The FlexiSpooler side of the simulated estate's workers: one agent per simulated client (its
 * computer's agent, polling the client's host queue), running the production client activities
 * over the simulated network, and the release watch for the central worker.
 */
import { Worker } from '@temporalio/worker';
import { createFlexiSpoolerClientActivities, createJobReleaseActivities } from '../../activities/flexispooler/flexispooler-activities';
import type { ActivitiesOf, FlexiSpoolerActionWord } from '../../machines/actions';
import { hostTaskQueue } from '../../workflows/task-queues';
import type { AgentConnection } from '../spoc/sim-host-agents';
import { FlexiSpoolerOperationRecord, flexiSpoolerOperationsFile } from './flexispooler-operation-record';
import { SIM_CLIENTS } from './sim-network-definition';
import { SimFlexiSpoolerNetwork } from './sim-network';
import { SimNetworkStore, simNetworkFile } from './sim-network-store';

/** The simulated network of this data folder's `sim/` (created on first use); close its store when done. */
export function openSimNetwork(simDir: string): SimFlexiSpoolerNetwork {
  return new SimFlexiSpoolerNetwork(new SimNetworkStore(simNetworkFile(simDir)), new FlexiSpoolerOperationRecord(flexiSpoolerOperationsFile(simDir)));
}

/** One agent per simulated client. */
export function createSimClientAgents(conn: AgentConnection, network: SimFlexiSpoolerNetwork, clients = SIM_CLIENTS.map((c) => c.client)): Promise<Worker[]> {
  return Promise.all(
    clients.map((client) =>
      Worker.create({
        connection: conn.connection,
        namespace: conn.namespace,
        taskQueue: hostTaskQueue(client),
        activities: createFlexiSpoolerClientActivities(client, network),
        maxConcurrentActivityTaskExecutions: 4,
      }),
    ),
  );
}

/** The central worker's release watch over the simulated servers. */
export function simReleaseActivities(network: SimFlexiSpoolerNetwork, pollMs = 200): ActivitiesOf<'central', FlexiSpoolerActionWord> {
  return createJobReleaseActivities(network, { pollMs });
}

