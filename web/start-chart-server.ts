/**
 * Starts the state-chart page beside the workers: on SPOOLFLOW_WEB_PORT (default 8234, next to the
 * Temporal Web UI's 8233; a free port when that one is taken), on the loopback interface unless
 * SPOOLFLOW_WEB_HOST names another address to listen on. The page sends operator commands, so it
 * stays on the loopback address unless someone decides otherwise; then it answers to that name too.
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { connectWithin } from '../engine/connection-config';
import { createChartServer } from './chart-server';

export interface RunningChartServer {
  url: string;
  close(): Promise<void>;
}

/** The interface the page listens on unless configured: loopback only. */
export const DEFAULT_WEB_HOST = '127.0.0.1';

export async function startChartServer(opts: { connection: ConnectionOptions; namespace: string; webUi?: string; port?: number; host?: string }): Promise<RunningChartServer> {
  const host = opts.host ?? DEFAULT_WEB_HOST;
  const connection = await connectWithin(opts.connection.address ?? 'localhost:7233', () => Connection.connect(opts.connection));
  const server = createChartServer({ client: new Client({ connection, namespace: opts.namespace }), webUi: opts.webUi, ...(host === DEFAULT_WEB_HOST ? {} : { hostNames: [host] }) });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
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
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
