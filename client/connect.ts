/**
 * Connects a client the way the workers do: to the cluster that Temporal's environment
 * configuration names (TEMPORAL_ADDRESS or a temporal.toml profile, with its TLS or API key), else to
 * the embedded server of this data folder, else to 127.0.0.1:7233.
 */
import { Client, Connection } from '@temporalio/client';
import { connectionOptionsFor, connectWithin, readConnectionConfig } from '../engine/connection-config';
import { dataDir } from '../engine/data-dir';
import { readEndpoint } from '../engine/endpoint';

export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<{ client: Client; close(): Promise<void> }> {
  const config = readConnectionConfig(env);
  let options;
  let namespace;
  if (config.mode === 'cluster') {
    options = await connectionOptionsFor(config);
    namespace = config.namespace;
  } else {
    const endpoint = readEndpoint(dataDir(env));
    options = { address: endpoint?.address ?? '127.0.0.1:7233' };
    namespace = endpoint?.namespace ?? 'default';
  }
  const connection = await connectWithin(options.address, () => Connection.connect({ ...options, connectTimeout: '5s' }));
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}
