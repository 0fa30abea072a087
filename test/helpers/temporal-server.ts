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

/**
 * `dir` and `port`: a server started again where one that was killed ran, finding what it kept
 * (the folder then stays for whoever made it to remove). `ui`: also serve the Temporal Web UI (on
 * a free port, `server.uiUrl`), for the tests that drive it in a browser; off otherwise, as it
 * costs start-up time and a port.
 */
export async function startTestTemporal(at: { dir?: string; port?: number; ui?: boolean; dynamicConfig?: Record<string, string | number | boolean> } = {}): Promise<TestTemporal> {
  const dir = at.dir ?? mkdtempSync(path.join(os.tmpdir(), 'spoolflow-test-'));
  const ui = at.ui ?? false;
  const server = await startDevServer({ dataDir: path.join(dir, 'temporal'), port: at.port ?? 0, ui, ...(ui ? { uiPort: 0 } : {}), searchAttributes: { ...SEARCH_ATTRIBUTES }, ...(at.dynamicConfig ? { dynamicConfig: at.dynamicConfig } : {}), log: () => undefined });
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
      // The connections of a server that was killed may fail to close; the server and folder still go.
      await nativeConnection.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await server.stop();
      if (at.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
