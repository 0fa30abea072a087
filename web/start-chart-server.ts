/**
 * Starts the state-chart page beside the workers: on SPOOLFLOW_WEB_PORT (default 8234, next to the
 * Temporal Web UI's 8233; a free port when that one is taken), on the loopback interface only.
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { connectWithin } from '../engine/connection-config';
import { createChartServer } from './chart-server';

export interface RunningChartServer {
  url: string;
  close(): Promise<void>;
}

export async function startChartServer(opts: { connection: ConnectionOptions; namespace: string; webUi?: string; port?: number }): Promise<RunningChartServer> {
  const connection = await connectWithin(opts.connection.address ?? 'localhost:7233', () => Connection.connect(opts.connection));
  const server = createChartServer({ client: new Client({ connection, namespace: opts.namespace }), webUi: opts.webUi });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const wanted = opts.port ?? 8234;
  try {
    await listen(wanted);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port !== undefined) throw err;
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
