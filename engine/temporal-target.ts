/**
 * Where a client or a worker that starts no server of its own finds Temporal: the cluster that
 * Temporal's environment configuration names (TEMPORAL_ADDRESS or a temporal.toml profile, with
 * its TLS or API key), else the embedded server `npm start` runs for this data folder, else
 * 127.0.0.1:7233. One reading, so the CLI and the central worker cannot disagree about it.
 */
import { connectionOptionsFor, readConnectionConfig, type ClusterConnectionOptions } from './connection-config';
import { dataDir } from './data-dir';
import { readEndpoint } from './endpoint';

export interface TemporalTargetSettings {
  /** For `Connection.connect` and `NativeConnection.connect` alike. */
  options: ClusterConnectionOptions | { address: string };
  namespace: string;
}

export async function temporalTargetOf(env: NodeJS.ProcessEnv = process.env): Promise<TemporalTargetSettings> {
  const config = readConnectionConfig(env);
  if (config.mode === 'cluster') return { options: await connectionOptionsFor(config), namespace: config.namespace };
  const endpoint = readEndpoint(dataDir(env));
  return { options: { address: endpoint?.address ?? '127.0.0.1:7233' }, namespace: endpoint?.namespace ?? 'default' };
}
