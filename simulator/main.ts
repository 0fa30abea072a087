/**
 * Entry point of the workers of the simulated estate alone (the central worker and the simulated
 * hosts' agents), for a Temporal server that is already running: the embedded one (`npm start`
 * runs the same in-process) or a cluster named by Temporal's environment configuration
 * (TEMPORAL_ADDRESS and friends, or TEMPORAL_PROFILE). It starts the simulators, so it lives on the
 * simulator side; a production worker has no simulated hosts.
 *
 *   TEMPORAL_ADDRESS=host:7233 [TEMPORAL_NAMESPACE=...] [TEMPORAL_TLS_*=...] npx tsx simulator/main.ts
 *   TEMPORAL_PROFILE=staging npx tsx simulator/main.ts
 */
import { readConnectionConfig, connectionOptionsFor } from '../engine/connection-config';
import { dataDir } from '../engine/data-dir';
import { installOperatorLogger } from '../worker/runtime-logger';
import { runWorkers } from './run-simulated-estate';
import { DEFAULT_INVENTORY_FILE } from './spoc/inventory';
import { supervisorsWanted } from './jobscheduler/sim-supervisors';

installOperatorLogger();

async function main(): Promise<void> {
  const config = readConnectionConfig(process.env, undefined, { implicitProfile: false });
  const supervisors = supervisorsWanted();
  if (config.mode !== 'cluster') {
    throw new Error('simulator/main.ts needs a running Temporal server: TEMPORAL_ADDRESS (its host:port) or TEMPORAL_PROFILE (a temporal.toml profile with its address); `npm start` runs the embedded one for you');
  }
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  // `on`, not `once`: Ctrl-C reaches npm, tsx and this process alike, and a second SIGINT must not
  // cut the clean shutdown short (which would leave the dev server running).
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await runWorkers({
    connection: await connectionOptionsFor(config),
    namespace: config.namespace,
    dataDir: dataDir(),
    inventoryFile: process.env.SPOOLFLOW_INVENTORY ?? DEFAULT_INVENTORY_FILE,
    schedulerClusters: process.env.SPOOLFLOW_SCHEDULER_CLUSTERS !== 'off',
    supervisors,
    sapSpool: process.env.SPOOLFLOW_SAP_SPOOL !== 'off',
    stopSignal,
    log: (m) => console.log(`[spoolflow] ${m}`),
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
