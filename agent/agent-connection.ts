/**
 * Where the agent finds Temporal: the cluster the rest of spoolflow is configured for, read the
 * one way spoolflow reads it (engine/connection-config.ts: Temporal's environment configuration, the
 * TEMPORAL_* variables or a temporal.toml profile). An
 * agent never starts a server of its own: without an address it refuses to start.
 */
import { connectionOptionsFor, readConnectionConfig, type ClusterConnectionOptions } from '../engine/connection-config';

export interface AgentTemporal {
  options: ClusterConnectionOptions;
  namespace: string;
}

/** The agent's Temporal connection settings (the one place to change how they are read). */
export async function agentTemporal(env: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): Promise<AgentTemporal> {
  const config = readConnectionConfig(env, warn);
  if (config.mode !== 'cluster') {
    throw new Error('spoolflow agent: no Temporal address: set TEMPORAL_ADDRESS (or a temporal.toml profile with an address, chosen by TEMPORAL_PROFILE) to the host:port of the Temporal server the central worker uses (the agent starts no server of its own)');
  }
  return { options: await connectionOptionsFor(config), namespace: config.namespace };
}
