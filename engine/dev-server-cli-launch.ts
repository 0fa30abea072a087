/**
 * Starts the dev server by running the Temporal CLI binary (`temporal server start-dev`), its
 * output appended to `<dataDir>/temporal-server.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { DevServer } from './dev-server';
import { choosePorts, hostPort, tcpAccepts } from './dev-server-ports';
import { ensureSearchAttributes, type DevServerSearchAttributeType } from './dev-server-search-attributes';
import { sqlitePragmaFlags } from './dev-server-sqlite';
import { dynamicConfigFlags } from './dev-server-queue-readers';

const STOP_GRACE_MS = 10_000;

/** Reads the server log written since `offset`, trimmed to its end, for error messages. */
function logSince(logPath: string, offset: number): string {
  const text = wholeLogSince(logPath, offset);
  return text.length > 4000 ? `...${text.slice(-4000)}` : text;
}

/**
 * All the server wrote since `offset`: what a failed start is told by. A lost port race is said
 * once, at the top, and the server's panic after it (a Go stack trace) runs far past the 4,000
 * characters a message shows.
 */
function wholeLogSince(logPath: string, offset: number): string {
  try {
    return fs.readFileSync(logPath).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

/** Waits for exit, escalating to SIGKILL; resolves immediately if the process is already gone. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

type StartFailure = { kind: 'db-busy' | 'port-in-use' | 'other'; message: string };

/** Polls until the frontend answers and `namespace` exists, or the process dies, or time runs out. */
async function waitUntilReady(
  child: ChildProcess,
  ip: string,
  port: number,
  namespace: string,
  deadline: number,
  logPath: string,
  logOffset: number,
): Promise<{ ok: true; connection: Connection } | ({ ok: false } & StartFailure)> {
  const address = hostPort(ip, port);
  let lastError = '';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = logSince(logPath, logOffset);
      const whole = wholeLogSince(logPath, logOffset);
      const kind = /SQLITE_BUSY|database is locked/i.test(whole)
        ? 'db-busy'
        : /address already in use/i.test(whole)
          ? 'port-in-use'
          : 'other';
      return {
        ok: false,
        kind,
        message: `the dev server exited (${child.exitCode ?? child.signalCode}) during startup; its output:\n${output.trim()}`,
      };
    }
    if (Date.now() > deadline) {
      return {
        ok: false,
        kind: 'other',
        message: `the dev server did not answer on ${address} in time (last error: ${lastError}); its output:\n${logSince(logPath, logOffset).trim()}`,
      };
    }
    // gRPC's connect waits out its whole timeout on a refused port, so probe with plain TCP
    // first: that notices the listener (or a crashed process) within one poll interval.
    if (!(await tcpAccepts(ip, port, 1000))) {
      lastError = `nothing accepts connections on ${address} yet`;
      await sleep(100);
      continue;
    }
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2000 });
      // The frontend answers before namespace creation finishes; callers need the namespace.
      await connection.workflowService.describeNamespace({ namespace });
      return { ok: true, connection };
    } catch (err) {
      lastError = (err as Error).message;
      await connection?.close().catch(() => undefined);
      await sleep(200);
    }
  }
}

/** Everything {@link launch} needs, resolved and validated by {@link startDevServer}. */
export interface LaunchPlan {
  cli: string;
  ip: string;
  port: number | undefined;
  uiPort: number | undefined;
  ui: boolean;
  namespace: string;
  searchAttributes: Record<string, DevServerSearchAttributeType>;
  dbPath: string;
  logPath: string;
  pidPath: string;
  startTimeoutMs: number;
  dynamicConfig?: Record<string, string | number | boolean>;
  log: (m: string) => void;
}

/** Spawns the server and waits for it, retrying while the old server still holds the file or a port race is lost. */
export async function launch(plan: LaunchPlan): Promise<DevServer> {
  const { cli, ip, ui, namespace, searchAttributes, dbPath, logPath, pidPath, log } = plan;
  const started = Date.now();
  const deadline = started + plan.startTimeoutMs;
  const autoPorts = plan.port === undefined || plan.port === 0 || plan.uiPort === undefined || plan.uiPort === 0;
  // Ports that lost a race in an earlier attempt are not tried again.
  const avoid = new Set<number>();

  // The CLI loads TEMPORAL_* variables as client settings (its env-config feature); spoolflow uses
  // the same names for cluster mode, so keep them away from the embedded server.
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));

  for (let attempt = 1; ; attempt++) {
    const { port, uiPort } = await choosePorts(ip, plan, ui, avoid, log);
    const args = ['server', 'start-dev', '--db-filename', dbPath, '--ip', ip, '--port', String(port)];
    args.push(...(uiPort !== undefined ? ['--ui-port', String(uiPort)] : ['--headless']));
    args.push('--namespace', namespace, '--log-level', 'warn', '--color', 'never', ...sqlitePragmaFlags());
    for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
    args.push(...dynamicConfigFlags(plan.dynamicConfig ?? {}));

    fs.appendFileSync(logPath, `\n--- ${new Date().toISOString()} spoolflow: ${cli} ${args.join(' ')}\n`);
    const logOffset = fs.statSync(logPath).size;
    // A file descriptor rather than a pipe: the server never blocks on a full pipe if this
    // process is busy, and its output survives for post-mortems.
    const logFd = fs.openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      // Its own process group: Ctrl-C in the terminal reaches spoolflow, which stops the server
      // only after the workers have drained (they report their last results to it). A server
      // left behind by a killed spoolflow is found and stopped at the next start (orphaned-server.ts).
      child = spawn(cli, args, { stdio: ['ignore', logFd, logFd], env: childEnv, detached: true });
    } finally {
      fs.closeSync(logFd);
    }
    // spawn reports ENOENT/EACCES asynchronously; record it instead of crashing on an unhandled 'error'.
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    if (child.pid !== undefined) fs.writeFileSync(pidPath, `server ${child.pid}`);

    // Without this, a test or CLI that exits without stop() would orphan the server.
    const killOnExit = () => child.kill('SIGTERM');
    process.on('exit', killOnExit);
    // A server that ended by itself (or was killed) needs no killing at exit: a process that starts
    // servers again and again (the chaos script) would otherwise pile up one listener each.
    child.once('exit', () => process.off('exit', killOnExit));
    const abandon = async () => {
      process.off('exit', killOnExit);
      await terminate(child, STOP_GRACE_MS);
      fs.writeFileSync(pidPath, `launcher ${process.pid}`); // still ours until startDevServer gives up
    };

    const address = hostPort(ip, port);
    const ready = await waitUntilReady(child, ip, port, namespace, deadline, logPath, logOffset);
    if (spawnError) {
      await abandon();
      throw new Error(`could not run the Temporal CLI at ${cli}: ${spawnError.message}; check the path, or set TEMPORAL_CLI to a working binary`);
    }
    if (!ready.ok) {
      await abandon();
      const retryable = Date.now() < deadline && (ready.kind === 'db-busy' || (ready.kind === 'port-in-use' && autoPorts));
      if (retryable) {
        log(
          ready.kind === 'db-busy'
            ? `${dbPath} is still locked (a previous server is probably still shutting down); retrying (attempt ${attempt + 1})`
            : `lost a race for a free port; retrying with other ports (attempt ${attempt + 1})`,
        );
        await sleep(1000);
        continue;
      }
      const hint =
        ready.kind === 'db-busy'
          ? `\nAnother process holds ${dbPath}; stop it, or use another data dir.`
          : ready.kind === 'port-in-use'
            ? '\nA requested port is taken; choose other ports or pass 0 to pick free ones.'
            : `\nFull log: ${logPath}`;
      throw new Error(ready.message + hint);
    }

    const { connection } = ready;
    try {
      await ensureSearchAttributes(connection, namespace, searchAttributes, dbPath, log);
    } catch (err) {
      await connection.close().catch(() => undefined);
      await abandon();
      throw err;
    }
    await connection.close();

    const uiUrl = uiPort !== undefined ? `http://${hostPort(ip, uiPort)}` : undefined;
    log(`Temporal dev server ready at ${address} (namespace "${namespace}"${uiUrl ? `, UI ${uiUrl}` : ''}) in ${Date.now() - started} ms; data in ${dbPath}`);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= terminate(child, STOP_GRACE_MS).then(() => {
        process.off('exit', killOnExit);
        fs.rmSync(pidPath, { force: true });
      });
      return stopping;
    };
    return { address, uiUrl, namespace, stop, process: child };
  }
}
