/**
 * Connects a client the way the workers do: to the cluster that Temporal's environment
 * configuration names (TEMPORAL_ADDRESS or a temporal.toml profile, with its TLS or API key), else to
 * the embedded server of this data folder, else to 127.0.0.1:7233.
 */
import { Client, Connection } from '@temporalio/client';
import { connectWithin } from '../engine/connection-config';
import { temporalTargetOf } from '../engine/temporal-target';

export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<{ client: Client; close(): Promise<void> }> {
  const { options, namespace } = await temporalTargetOf(env);
  const connection = await connectWithin(options.address, () => Connection.connect({ ...options, connectTimeout: '5s' }));
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}
