/**
 * Entry point of the production central worker, alone against a running Temporal (the same as
 * `spoolflow worker`): the workflows, the Management Server checks, the leases and the
 * JobScheduler supervisors' database activities, with the estate described by the fleet
 * configuration. No simulated host: each server runs its own agent.
 *
 *   TEMPORAL_ADDRESS=host:7233 [TEMPORAL_NAMESPACE=...] [TLS settings] npx tsx worker/main.ts --fleet fleet.json
 */
import { FleetConfigError } from './fleet-config';
import { ConnectionConfigError } from '../engine/connection-config';
import { FleetFileMissingError, startCentralWorker } from './run-central-worker';
import { installOperatorLogger } from './runtime-logger';

installOperatorLogger();

const args = process.argv.slice(2);
const at = args.indexOf('--fleet');
startCentralWorker(at >= 0 ? args[at + 1] : undefined).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof FleetConfigError || err instanceof FleetFileMissingError || err instanceof ConnectionConfigError ? 2 : 1);
});
