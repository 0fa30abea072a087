/**
 * `npm start`: the main job on the embedded default. Starts the Temporal dev server (SQLite file
 * and Web UI under the data folder), the workers and the simulated fleet, and prints where to look.
 * Ctrl-C stops everything; `npm start` again resumes the procedures that were running. When
 * Temporal's environment configuration names a cluster (TEMPORAL_ADDRESS, or a profile's address:
 * see engine/connection-config.ts) it starts no server and connects to that cluster instead.
 */
import path from 'node:path';
import { ConnectionConfigError, connectionOptionsFor, readConnectionConfig } from '../engine/connection-config';
import { dataDir } from '../engine/data-dir';
import { writeEndpoint } from '../engine/endpoint';
import { stopOrphanedServer } from '../engine/orphaned-server';
import { startDevServer } from '../engine/dev-server';
import { DEFAULT_INVENTORY_FILE } from '../simulator/spoc/inventory';
import { supervisorsWanted, SupervisorsSettingError } from '../simulator/jobscheduler/sim-supervisors';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { runWorkers } from '../simulator/run-simulated-estate';
import { installOperatorLogger } from '../worker/runtime-logger';
import { startChartServer } from '../web/start-chart-server';

const log = (m: string) => console.log(`[spoolflow] ${m}`);
installOperatorLogger();

async function main(): Promise<void> {
  const dir = dataDir();
  const supervisors = supervisorsWanted(); // a bad value is refused before anything starts
  const config = readConnectionConfig(process.env, undefined, { implicitProfile: false });
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  // `on`, not `once`: Ctrl-C reaches npm, tsx and this process alike, and a second SIGINT must not
  // cut the clean shutdown short (which would leave the dev server running).
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let address: string;
  let namespace: string;
  let connection;
  let stopServer = async () => undefined as void;
  let webUi: string | undefined;
  if (config.mode === 'embedded') {
    await stopOrphanedServer(dir, path.join(dir, 'temporal'), log);
    const server = await startDevServer({
      dataDir: path.join(dir, 'temporal'),
      port: process.env.SPOOLFLOW_TEMPORAL_PORT ? Number(process.env.SPOOLFLOW_TEMPORAL_PORT) : undefined,
      searchAttributes: { ...SEARCH_ATTRIBUTES },
      log,
    });
    address = server.address;
    namespace = server.namespace;
    connection = { address };
    stopServer = () => server.stop();
    writeEndpoint(dir, { address, namespace, uiUrl: server.uiUrl, launcherPid: process.pid });
    log(`Temporal dev server: ${address} (namespace ${namespace}), data in ${path.join(dir, 'temporal')}`);
    if (server.uiUrl) log(`Web UI: ${server.uiUrl}/namespaces/${namespace}/workflows`);
    if (server.uiUrl) webUi = `${server.uiUrl}/namespaces/${namespace}`;
  } else {
    address = config.address;
    namespace = config.namespace;
    connection = await connectionOptionsFor(config);
    log(`connecting to the Temporal cluster at ${address} (namespace ${namespace}, from ${config.from ?? 'TEMPORAL_ADDRESS'}${config.tls ? ', TLS' : ''}${config.apiKey !== undefined ? ', API key' : ''})`);
  }
  log(`data folder: ${dir}`);
  log(`try: ${config.mode === 'embedded' ? `TEMPORAL_ADDRESS=${address} ` : ''}npx spoolflow catalog   (then: npx spoolflow start <id> --input <file>)`);
  log('Ctrl-C stops everything; npm start again resumes running procedures where they were.');

  const charts = await startChartServer({
    connection,
    namespace,
    webUi,
    ...(process.env.SPOOLFLOW_WEB_PORT ? { port: Number(process.env.SPOOLFLOW_WEB_PORT) } : {}),
    ...(process.env.SPOOLFLOW_WEB_HOST ? { host: process.env.SPOOLFLOW_WEB_HOST } : {}),
  });
  log(`state charts of every procedure and of each running one: ${charts.url}`);
  try {
    await runWorkers({
      connection,
      namespace,
      dataDir: dir,
      inventoryFile: process.env.SPOOLFLOW_INVENTORY ?? DEFAULT_INVENTORY_FILE,
      schedulerClusters: process.env.SPOOLFLOW_SCHEDULER_CLUSTERS !== 'off',
      supervisors,
      sapSpool: process.env.SPOOLFLOW_SAP_SPOOL !== 'off',
      stopSignal,
      log,
    });
  } finally {
    await charts.close();
    await stopServer();
    log('stopped.');
  }
}

main().catch((err: unknown) => {
  // A setting refused before anything started is the operator's to fix: its message says how (exit 2).
  if (err instanceof SupervisorsSettingError || err instanceof ConnectionConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
