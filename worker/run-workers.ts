/**
 * Runs spoolflow's workers against a Temporal server: the central worker (workflows and central
 * checks) and, with the simulated fleet, one agent per simulated host. Stops cleanly on request:
 * running activities finish or are handed back to the server, so nothing is lost.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadInventory } from '../simulator/inventory';
import { SimFleet } from '../simulator/sim-fleet';
import { createCentralWorker } from './central-worker';
import { createSimHostAgents, RunningAgent } from './host-agents';
import type { ClusterConnectionOptions } from '../engine/connection-config';

export interface RunWorkersOptions {
  connection: ClusterConnectionOptions;
  namespace: string;
  dataDir: string;
  inventoryFile: string;
  /** Resolves when the workers should stop. */
  stopSignal: Promise<void>;
  log: (message: string) => void;
}

export async function runWorkers(opts: RunWorkersOptions): Promise<void> {
  const connection = await NativeConnection.connect(opts.connection);
  const fleet = new SimFleet(loadInventory(opts.inventoryFile), path.join(opts.dataDir, 'sim'));
  fleet.start();
  const conn = { connection, namespace: opts.namespace };
  const workers: RunningAgent[] = [await createCentralWorker({ ...conn, managementServer: fleet.managementServer() }), ...createSimHostAgents(conn, fleet)];
  opts.log(`workers running: central + ${workers.length - 1} simulated host agents; operation record ${fleet.record.file}`);
  const running = Promise.all(workers.map((w) => w.run()));
  await Promise.race([opts.stopSignal, running]);
  for (const w of workers) {
    try {
      w.shutdown();
    } catch {
      // already stopped (a worker that failed ends the race above)
    }
  }
  await running;
  fleet.stop();
  await connection.close();
}
