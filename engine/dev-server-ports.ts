/**
 * The ports of a dev server start: the frontend's and the Web UI's, chosen by the rules of
 * {@link DevServerOptions.port}, and the plain TCP probe that tells when something listens.
 */
import * as net from 'node:net';

export const DEFAULT_PORT = 7233;
export const UI_PORT_OFFSET = 1000;

export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** True if nothing listens on ip:port (checked by binding it briefly). */
function isPortFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now; the server may still lose a race for it (handled by retrying). */
function freePort(ip: string, avoid: Set<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: ip, port: 0, exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => {
        if (avoid.has(port)) freePort(ip, avoid).then(resolve, reject);
        else resolve(port);
      });
    });
  });
}

/** Applies the port rules documented on {@link DevServerOptions.port}. */
async function choosePort(
  ip: string,
  requested: number | undefined,
  fallbackDefault: number,
  what: string,
  flag: string,
  avoid: Set<number>,
  log: (m: string) => void,
): Promise<number> {
  if (requested === 0) return freePort(ip, avoid);
  if (requested !== undefined) {
    if (!(await isPortFree(ip, requested))) {
      throw new Error(
        `${what} port ${requested} on ${ip} is already in use; stop whatever listens there, ` +
          `choose another ${flag}, or pass 0 to pick a free port`,
      );
    }
    return requested;
  }
  if (!avoid.has(fallbackDefault) && (await isPortFree(ip, fallbackDefault))) return fallbackDefault;
  const port = await freePort(ip, avoid);
  log(`${what} port ${fallbackDefault} on ${ip} is busy; using ${port} instead`);
  return port;
}

/** True if something accepts TCP connections on ip:port. */
export function tcpAccepts(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The frontend port and, with the UI on, the UI port of one start attempt; both join `avoid`. */
export async function choosePorts(
  ip: string,
  plan: { port?: number; uiPort?: number },
  ui: boolean,
  avoid: Set<number>,
  log: (m: string) => void,
): Promise<{ port: number; uiPort: number | undefined }> {
  const port = await choosePort(ip, plan.port, DEFAULT_PORT, 'Temporal frontend', 'port', avoid, log);
  avoid.add(port);
  if (!ui) return { port, uiPort: undefined };
  const uiPort = await choosePort(ip, plan.uiPort, port + UI_PORT_OFFSET, 'Temporal Web UI', 'uiPort', avoid, log);
  avoid.add(uiPort);
  return { port, uiPort };
}
