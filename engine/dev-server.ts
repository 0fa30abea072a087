/**
 * Runs the Temporal CLI's dev server (`temporal server start-dev`) on a persistent SQLite file,
 * as spoolflow's embedded engine. Without a CLI binary and without Go to build one, the dev server
 * is started through `@temporalio/testing` instead, which downloads it (needs internet access).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { resolveTemporalCli, temporalCliCacheDir } from './temporal-cli';
import { isProcessAlive } from './process-alive';

/** Search attribute types accepted by `start-dev --search-attribute` and the operator service. */
export type DevServerSearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** Folder for `temporal.sqlite`, `temporal-server.log` and `temporal-server.pid`; created if missing. */
  dataDir: string;
  /** Address to bind the frontend and UI to; default `127.0.0.1` so nothing is exposed on the network. */
  ip?: string;
  /**
   * Frontend gRPC port. Unset: 7233, or a free port if 7233 is busy (logged). `0`: any free port.
   * Any other value must be free, else this throws.
   */
  port?: number;
  /** Web UI port; same rules as `port`, default `port + 1000` (the CLI's own default). */
  uiPort?: number;
  /** Serve the Web UI; default `true`. When `false`, `uiUrl` is `undefined`. */
  ui?: boolean;
  /** Namespace to create and wait for; default `'default'`. */
  namespace?: string;
  /** Custom search attributes that must exist in `namespace` (registered if missing). */
  searchAttributes?: Record<string, DevServerSearchAttributeType>;
  /** Progress messages; defaults to lines on stderr. */
  log?: (m: string) => void;
  /**
   * Binary to run; default: {@link resolveTemporalCli} (which may build it). When that finds
   * nothing, `@temporalio/testing` downloads the dev server into
   * `<temporalCliCacheDir()>/sdk-download` and runs it (see {@link startDevServer}).
   */
  cliPath?: string;
  /** How long to wait for the server to answer; default 60 s (a cold SQLite file can be slow). */
  startTimeoutMs?: number;
}

/** A running dev server, returned by {@link startDevServer}. */
export interface DevServer {
  /** `host:port` of the frontend, for `Connection.connect` / `NativeConnection.connect`. */
  address: string;
  /** Web UI, or `undefined` when started with `ui: false`. */
  uiUrl: string | undefined;
  namespace: string;
  /**
   * SIGTERM, wait for exit (SIGKILL after 10 s); a server started through `@temporalio/testing`
   * is stopped with its `teardown()` (which kills it). Safe to call more than once.
   */
  stop(): Promise<void>;
  /** The server process; `undefined` when `@temporalio/testing` started it (the SDK does not expose it). */
  process?: ChildProcess;
}

/** Values of `temporal.api.enums.v1.IndexedValueType`; inlined to avoid depending on @temporalio/proto directly. */
const INDEXED_VALUE_TYPE: Record<DevServerSearchAttributeType, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** The same types as named by `@temporalio/common`, for `TestWorkflowEnvironment.createLocal`. */
const SDK_SEARCH_ATTRIBUTE_TYPE: Record<DevServerSearchAttributeType, SearchAttributeType> = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
};

const DEFAULT_PORT = 7233;
const UI_PORT_OFFSET = 1000;
const STOP_GRACE_MS = 10_000;

const defaultLog = (m: string): void => {
  process.stderr.write(`${m}\n`);
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function hostPort(ip: string, port: number): string {
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
      srv.close(() => { if (avoid.has(port)) freePort(ip, avoid).then(resolve, reject); else resolve(port); });
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
function tcpAccepts(ip: string, port: number, timeoutMs: number): Promise<boolean> {
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

/** Reads the server log written since `offset`, trimmed to its end, for error messages. */
function logSince(logPath: string, offset: number): string {
  try {
    const text = fs.readFileSync(logPath).subarray(offset).toString('utf8');
    return text.length > 4000 ? `...${text.slice(-4000)}` : text;
  } catch {
    return '';
  }
}


/**
 * Claims `<dataDir>/temporal-server.pid` for this start, refusing to run a second server on the
 * same SQLite file: SQLite would let both open it, and two Temporal servers sharing one database
 * corrupt each other's state.
 *
 * The file holds `launcher <pid>` while starting, then `server <pid>`; or `sdk <pid>` (this
 * process's pid) for a server started through `@temporalio/testing` whose pid could not be found.
 * One left by a process that no longer exists (kill -9, crash, reboot) is stale and replaced.
 * Creating it with O_EXCL makes two simultaneous starts race safely: exactly one wins.
 */
function claimPidFile(pidPath: string, dbPath: string): void {
  for (;;) {
    try {
      fs.writeFileSync(pidPath, `launcher ${process.pid}`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content: string;
    try {
      content = fs.readFileSync(pidPath, 'utf8').trim();
    } catch {
      continue; // removed meanwhile
    }
    const m = /^(?:(launcher|server|sdk) )?(\d+)$/.exec(content);
    const pid = m ? Number(m[2]) : NaN;
    if (m && isProcessAlive(pid) && (m[1] === 'launcher' || m[1] === 'sdk' || serverUsesDb(pid, dbPath))) {
      throw new Error(
        m[1] === 'launcher'
          ? `another process (pid ${pid}) is starting a Temporal dev server on ${dbPath}; wait for it, or use another data dir (SPOOLFLOW_DATA_DIR)`
          : m[1] === 'sdk'
            ? `process ${pid} runs a Temporal dev server (started through @temporalio/testing) on ${dbPath}; stop that process first, ` +
              'or use another data dir (SPOOLFLOW_DATA_DIR)'
            : `a Temporal dev server (pid ${pid}) is already running on ${dbPath}; stop it first (kill ${pid}), ` +
              'or use another data dir (SPOOLFLOW_DATA_DIR)',
      );
    }
    fs.rmSync(pidPath, { force: true });
  }
}

/** Guards against pid reuse: where /proc exists, the live pid must really be a server on this file. */
function serverUsesDb(pid: number, dbPath: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dbPath);
  } catch {
    return true; // no /proc (macOS) or no access: trust the pid file
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
      const kind = /SQLITE_BUSY|database is locked/i.test(output)
        ? 'db-busy'
        : /address already in use/i.test(output)
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

function typeName(value: unknown): string {
  const entry = Object.entries(INDEXED_VALUE_TYPE).find(([, n]) => n === value);
  return entry ? entry[0] : String(value);
}

/**
 * Makes sure every requested search attribute exists with the requested type.
 *
 * Needed because `start-dev --search-attribute` only registers attributes for namespaces it
 * creates in that run: on an existing SQLite file, newly added attributes are silently ignored.
 */
async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Record<string, DevServerSearchAttributeType>,
  dbPath: string,
  log: (m: string) => void,
): Promise<void> {
  const names = Object.keys(wanted);
  if (names.length === 0) return;
  const list = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};

  const existing = await list();
  const missing: Record<string, number> = {};
  for (const name of names) {
    const want = INDEXED_VALUE_TYPE[wanted[name]!];
    const have = existing[name];
    if (have === undefined || have === null) {
      missing[name] = want;
    } else if (have !== want) {
      throw new Error(
        `search attribute ${name} is registered as ${typeName(have)} in namespace "${namespace}" of ${dbPath}, ` +
          `but ${wanted[name]} was requested; types cannot be changed in place, so use a new attribute name, ` +
          `or delete ${dbPath} to start over (this loses all workflow history)`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;

  log(`registering search attributes ${Object.keys(missing).join(', ')} in namespace "${namespace}" (new since this data dir was created)`);
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  // Registration goes through a system workflow; poll until it is visible rather than assume.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await list();
    const still = Object.keys(missing).filter((n) => now[n] === undefined);
    if (still.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`search attributes ${still.join(', ')} did not appear in namespace "${namespace}" within 30 s after registering them; check ${path.dirname(dbPath)}/temporal-server.log`);
    }
    await sleep(200);
  }
}

/** Everything {@link launch} needs, resolved and validated by {@link startDevServer}. */
interface LaunchPlan {
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
  log: (m: string) => void;
}

/** Spawns the server and waits for it, retrying while the old server still holds the file or a port race is lost. */
async function launch(plan: LaunchPlan): Promise<DevServer> {
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
    args.push('--namespace', namespace, '--log-level', 'warn', '--color', 'never');
    for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);

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

/**
 * Linux only: the pid of this process's child whose command line names `dbPath`, i.e. the server
 * `@temporalio/testing` spawned (the SDK does not expose it). `undefined` elsewhere or if not found.
 */
function findSdkServerPid(dbPath: string): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ..."; comm may contain spaces and parentheses, so split after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dbPath)) return Number(entry);
    } catch {
      // exited meanwhile, or not readable
    }
  }
  return undefined;
}

/** Polls until `namespace` exists: the SDK only waits for the frontend to answer. */
async function waitForNamespace(connection: Connection, namespace: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`namespace "${namespace}" did not become available in time: ${(err as Error).message}`, { cause: err });
      }
      await sleep(200);
    }
  }
}

/** What {@link launchWithSdk} needs: the {@link LaunchPlan} without a CLI, plus the download folder. */
type SdkLaunchPlan = Omit<LaunchPlan, 'cli' | 'logPath'> & { downloadDir: string };

/**
 * Starts the dev server through `@temporalio/testing`'s `TestWorkflowEnvironment.createLocal`,
 * which downloads the Temporal CLI into `downloadDir` (once; reused for a day) and runs
 * `server start-dev` with the same database, address, ports, namespace and search attributes as
 * {@link launch}. The SDK gives the server 5 s to answer and inherits this process's stdout/stderr
 * for its output; a start that times out is retried (new free ports where they are automatic)
 * until `startTimeoutMs`.
 */
async function launchWithSdk(plan: SdkLaunchPlan): Promise<DevServer> {
  const { ip, ui, namespace, searchAttributes, dbPath, pidPath, downloadDir, log } = plan;
  // Loaded only here: it pulls in the worker's native runtime, which the CLI path does not need.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  fs.mkdirSync(downloadDir, { recursive: true }); // the SDK writes into it but does not create it
  const started = Date.now();
  const deadline = started + plan.startTimeoutMs;
  const avoid = new Set<number>();

  for (let attempt = 1; ; attempt++) {
    const { port, uiPort } = await choosePorts(ip, plan, ui, avoid, log);

    let env: Awaited<ReturnType<typeof TestWorkflowEnvironment.createLocal>>;
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'cached-download', downloadDir },
          dbFilename: dbPath,
          ip,
          port,
          ui,
          uiPort,
          namespace,
          searchAttributes: Object.entries(searchAttributes).map(([name, type]) => ({ name, type: SDK_SEARCH_ATTRIBUTE_TYPE[type] })),
        },
      });
    } catch (err) {
      const message = (err as Error).message;
      // A previous server still holding the database, or a lost port race, shows up only as this timeout.
      if (/did not start within/.test(message) && Date.now() < deadline) {
        log(`the dev server from @temporalio/testing did not answer in time; retrying (attempt ${attempt + 1})`);
        await sleep(1000);
        continue;
      }
      throw new Error(
        `@temporalio/testing could not download or start the Temporal dev server: ${message}\n` +
          'It downloads from temporal.download into ' + downloadDir + ', which needs internet access. Without it: ' +
          'install Go and run "npx tsx scripts/install-temporal-cli.ts", set TEMPORAL_CLI to a Temporal CLI binary, ' +
          'or set TEMPORAL_ADDRESS to use an existing cluster',
        { cause: err },
      );
    }

    try {
      await waitForNamespace(env.connection, namespace, deadline);
      await ensureSearchAttributes(env.connection, namespace, searchAttributes, dbPath, log);
    } catch (err) {
      await env.teardown();
      throw err;
    }

    // Record the server in the pid file so that no second server opens this database while it runs.
    const serverPid = findSdkServerPid(dbPath);
    fs.writeFileSync(pidPath, serverPid !== undefined ? `server ${serverPid}` : `sdk ${process.pid}`);
    // teardown() cannot run in an 'exit' handler; where the pid is known, do what launch() does.
    const killOnExit = () => {
      if (serverPid === undefined) return;
      try {
        process.kill(serverPid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    process.on('exit', killOnExit);

    const address = env.address;
    const uiUrl = uiPort !== undefined ? `http://${hostPort(ip, uiPort)}` : undefined;
    log(
      `Temporal dev server (downloaded by @temporalio/testing) ready at ${address} (namespace "${namespace}"${uiUrl ? `, UI ${uiUrl}` : ''}) ` +
        `in ${Date.now() - started} ms; data in ${dbPath}`,
    );

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= env.teardown().then(() => {
        process.off('exit', killOnExit);
        fs.rmSync(pidPath, { force: true });
      });
      return stopping;
    };
    return { address, uiUrl, namespace, stop };
  }
}

/**
 * Starts `temporal server start-dev` persisting to `<dataDir>/temporal.sqlite` and resolves once
 * the frontend answers, the namespace exists and the requested search attributes are registered.
 *
 * Flags used: `--db-filename --ip --port --ui-port` (or `--headless`) `--namespace
 * --log-level warn --color never --search-attribute Name=Type...`. Server output is appended to
 * `<dataDir>/temporal-server.log`.
 *
 * Restarting on the same data dir keeps all workflows. A server killed with `kill -9` leaves no
 * lock behind (SQLite's locks die with the process; our pid file is checked for liveness); if
 * the previous server is still shutting down, startup is retried until `startTimeoutMs`.
 * Search attributes added since the data dir was created are registered through the operator
 * service, because start-dev ignores `--search-attribute` for namespaces that already exist.
 *
 * Where no CLI binary is found and Go is missing too ({@link resolveTemporalCli} returns
 * `source: 'sdk-download'`), this says so and falls back to `@temporalio/testing`, which downloads
 * the dev server into `<temporalCliCacheDir()>/sdk-download` (needs internet access to
 * temporal.download) and runs it with the same database, ports, namespace and search attributes.
 * That server's output goes to this process's stdout/stderr, `process` is `undefined`, and the
 * CLI version is the SDK's default rather than the pinned one.
 *
 * @throws if the download or start fails, a requested port is busy, another
 *   live server uses this data dir, a search attribute exists with another type, or the server
 *   does not become ready in time (with its output).
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const log = opts.log ?? defaultLog;
  const searchAttributes = opts.searchAttributes ?? {};

  for (const [name, type] of Object.entries(searchAttributes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`search attribute name "${name}" is not an identifier; use letters, digits and "_" only, not starting with a digit`);
    }
    if (!(type in INDEXED_VALUE_TYPE)) {
      throw new Error(`search attribute ${name} has unknown type "${type}"; use one of ${Object.keys(INDEXED_VALUE_TYPE).join(', ')}`);
    }
  }

  // Stays unset when resolveTemporalCli answers 'sdk-download': then @temporalio/testing runs the server.
  let cli = opts.cliPath;
  if (!cli) {
    const resolved = await resolveTemporalCli({ log });
    if (resolved.source === 'sdk-download') {
      log(
        "no Temporal CLI and no Go: falling back to @temporalio/testing's download of the dev server " +
          '(needs internet access to temporal.download)',
      );
    } else {
      cli = resolved.path;
    }
  }

  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const dbPath = path.join(dataDir, 'temporal.sqlite');
  const pidPath = path.join(dataDir, 'temporal-server.pid');
  claimPidFile(pidPath, dbPath);
  const common = {
    ip: opts.ip ?? '127.0.0.1',
    port: opts.port,
    uiPort: opts.uiPort,
    ui: opts.ui ?? true,
    namespace: opts.namespace ?? 'default',
    searchAttributes,
    dbPath,
    pidPath,
    startTimeoutMs: opts.startTimeoutMs ?? 60_000,
    log,
  };
  try {
    if (!cli) {
      return await launchWithSdk({ ...common, downloadDir: path.join(temporalCliCacheDir(), 'sdk-download') });
    }
    return await launch({ ...common, cli, logPath: path.join(dataDir, 'temporal-server.log') });
  } catch (err) {
    fs.rmSync(pidPath, { force: true });
    throw err;
  }
}

/** The frontend port and, with the UI on, the UI port of one start attempt; both join `avoid`. */
async function choosePorts(
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
