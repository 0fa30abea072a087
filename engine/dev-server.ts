/**
 * Runs the Temporal CLI's dev server (`temporal server start-dev`) on a persistent SQLite file,
 * as spoolflow's embedded engine. Without a CLI binary and without Go to build one, the dev server
 * is started through `@temporalio/testing` instead, which downloads it (needs internet access).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { resolveTemporalCli, temporalCliCacheDir } from './temporal-cli';
import { launch } from './dev-server-cli-launch';
import { claimPidFile } from './dev-server-pid-file';
import { launchWithSdk } from './dev-server-sdk-launch';
import { QUEUE_READER_SETTINGS } from './dev-server-queue-readers';
import { INDEXED_VALUE_TYPE, type DevServerSearchAttributeType } from './dev-server-search-attributes';

export type { DevServerSearchAttributeType } from './dev-server-search-attributes';

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
  /**
   * Server settings (`--dynamic-config-value key=value`), e.g. `frontend.namespaceCount`: the
   * long polls one namespace may hold at once (1,200 by default), which an estate of a thousand
   * host agents, each polling its own task queue, exceeds.
   */
  dynamicConfig?: Record<string, string | number | boolean>;
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

const defaultLog = (m: string): void => {
  process.stderr.write(`${m}\n`);
};

/**
 * Starts `temporal server start-dev` persisting to `<dataDir>/temporal.sqlite` and resolves once
 * the frontend answers, the namespace exists and the requested search attributes are registered.
 *
 * Flags used: `--db-filename --ip --port --ui-port` (or `--headless`) `--namespace
 * --log-level warn --color never --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=full` (dev-server-sqlite.ts)
 * `--search-attribute Name=Type...`. Server output is appended to
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
    // The queue readers' settings first: a caller's own value for one of them wins.
    dynamicConfig: { ...QUEUE_READER_SETTINGS, ...(opts.dynamicConfig ?? {}) },
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
