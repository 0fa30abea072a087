/**
 * Starts a real Temporal dev server (the resolved CLI binary) for a test file, on free ports and a
 * throw-away SQLite file, with spoolflow's search attributes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DevServer, startDevServer } from '../../engine/dev-server';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

export interface TestTemporal {
  server: DevServer;
  connection: Connection;
  nativeConnection: NativeConnection;
  client: Client;
  namespace: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTestTemporal(): Promise<TestTemporal> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-test-'));
  const server = await startDevServer({ dataDir: path.join(dir, 'temporal'), port: 0, ui: false, searchAttributes: { ...SEARCH_ATTRIBUTES }, log: () => undefined });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  return {
    server,
    connection,
    nativeConnection,
    client,
    namespace: server.namespace,
    dir,
    async close() {
      await nativeConnection.close();
      await connection.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
