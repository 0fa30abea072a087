/**
 * Integration test: runs the real dev server from the resolved Temporal CLI (never builds it;
 * run `npx tsx scripts/install-temporal-cli.ts` first) on free ports in a temp data dir.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../engine/dev-server';
import { resolveTemporalCli } from '../../engine/temporal-cli';

const NAMESPACE = 'spoolflow-test';
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType
const INT = 3;
const BOOL = 5;

let cli: string;
let dataDir: string;
let logs: string[];
const log = (m: string) => logs.push(m);
const running: DevServer[] = [];

/** Starts a server on free ports and remembers it so a failing test cannot leak it. */
async function start(extra: Partial<Parameters<typeof startDevServer>[0]> = {}): Promise<DevServer> {
  const server = await startDevServer({
    dataDir,
    port: 0,
    uiPort: 0,
    namespace: NAMESPACE,
    searchAttributes: { SpoolSite: 'Keyword', Attempt: 'Int' },
    cliPath: cli,
    log,
    ...extra,
  });
  running.push(server);
  return server;
}

async function withClient<T>(server: DevServer, fn: (client: Client, connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await fn(new Client({ connection, namespace: server.namespace }), connection);
  } finally {
    await connection.close();
  }
}

async function customAttributes(server: DevServer): Promise<Record<string, unknown>> {
  return withClient(server, async (_client, connection) => {
    const res = await connection.operatorService.listSearchAttributes({ namespace: server.namespace });
    return { ...res.customAttributes };
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const open = await new Promise<boolean>((r) => {
      const sock = net.connect({ host: '127.0.0.1', port }, () => {
        sock.destroy();
        r(true);
      });
      sock.once('error', () => r(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within 30 s`);
}

beforeAll(async () => {
  const resolved = await resolveTemporalCli({ allowBuild: false, log: () => undefined });
  if (!resolved.path) {
    throw new Error('no Temporal CLI for the dev-server test; run "npx tsx scripts/install-temporal-cli.ts" first or set TEMPORAL_CLI');
  }
  cli = resolved.path;
});

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spoolflow-devserver-'));
  logs = [];
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('starts, persists workflows and search attributes across a restart, and stops', async () => {
  let t = Date.now();
  const first = await start();
  const coldMs = Date.now() - t;

  expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(first.namespace).toBe(NAMESPACE);
  expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
  expect(fs.readFileSync(path.join(dataDir, 'temporal-server.pid'), 'utf8')).toBe(`server ${first.process!.pid}`);
  expect(first.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await fetch(first.uiUrl!)).status).toBe(200);

  await withClient(first, async (client, connection) => {
    const ns = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    expect(ns.namespaceInfo?.name).toBe(NAMESPACE);
    // No worker is needed: an execution that nobody works on stays Running, which is all
    // the restart check below needs.
    await client.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'persisted-1' });
  });
  expect(await customAttributes(first)).toMatchObject({ SpoolSite: KEYWORD, Attempt: INT });

  await first.stop();
  expect(first.process!.exitCode !== null || first.process!.signalCode !== null).toBe(true);
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(false);
  await first.stop(); // idempotent

  // Same file again, plus an attribute that start-dev alone would ignore on an existing database.
  t = Date.now();
  const second = await start({ searchAttributes: { SpoolSite: 'Keyword', Attempt: 'Int', Drained: 'Bool' } });
  const warmMs = Date.now() - t;
  expect(await customAttributes(second)).toMatchObject({ SpoolSite: KEYWORD, Attempt: INT, Drained: BOOL });
  expect(logs.some((m) => m.includes('registering search attributes Drained'))).toBe(true);
  await withClient(second, async (client) => {
    const description = await client.workflow.getHandle('persisted-1').describe();
    expect(description.status.name).toBe('RUNNING');
  });
  await second.stop();

  console.log(`dev server: cold start ${coldMs} ms, warm start ${warmMs} ms`);
});

it('starts again after the previous server was killed with SIGKILL, and keeps no exit hook for the dead one', async () => {
  const exitHooks = process.listenerCount('exit');
  const first = await start();
  await withClient(first, (client) => client.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'survives-kill' }));
  expect(process.listenerCount('exit')).toBe(exitHooks + 1);
  first.process!.kill('SIGKILL');
  await new Promise((r) => first.process!.once('exit', r));
  // Its hook to kill it at exit went with it: restarting servers again and again piles up none.
  expect(process.listenerCount('exit')).toBe(exitHooks);
  // The pid file is still there, naming a dead process: it must not block the restart.
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(true);

  const second = await start();
  await withClient(second, async (client) => {
    expect((await client.workflow.getHandle('survives-kill').describe()).status.name).toBe('RUNNING');
  });
});

it('keeps its database with write-ahead logging and a full sync of every commit', async () => {
  const server = await start();
  await withClient(server, (client) => client.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'in-the-log' }));
  // The log beside the database holds the commits not yet copied into it: part of the data.
  expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite-wal'))).toBe(true);
  const db = new Database(path.join(dataDir, 'temporal.sqlite'), { readonly: true });
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal'); // kept in the file
  } finally {
    db.close();
  }
  // How each commit is synced belongs to the server's own connection: asked for on its command line.
  const cmdline = fs.readFileSync(`/proc/${server.process!.pid}/cmdline`, 'utf8').split('\0').join(' ');
  expect(cmdline).toContain('--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=full');
});

it("hands out the tasks it writes at once: its queue readers are not held to 20 loads a second, and a caller's own setting wins", async () => {
  const server = await start({ dynamicConfig: { 'history.timerProcessorMaxPollRPS': 50, 'frontend.namespaceCount': 2000 } });
  const flags = fs.readFileSync(`/proc/${server.process!.pid}/cmdline`, 'utf8').split('\0');
  const settings = flags.flatMap((flag, i) => (flags[i - 1] === '--dynamic-config-value' ? [flag] : []));
  expect(settings).toEqual(
    expect.arrayContaining(['history.transferProcessorMaxPollRPS=1000', 'history.visibilityProcessorMaxPollRPS=1000', 'history.timerProcessorMaxPollRPS=50', 'frontend.namespaceCount=2000']),
  );
  expect(settings.filter((s) => s.startsWith('history.timerProcessorMaxPollRPS='))).toHaveLength(1);
  // And the server takes them: it answers as usual.
  await withClient(server, async (client) => {
    await client.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'with-settings' });
    expect((await client.workflow.getHandle('with-settings').describe()).status.name).toBe('RUNNING');
  });
});

it('starts while a previous server on the same file is still shutting down', async () => {
  await (await start()).stop(); // create the database
  // A server we did not start (so no pid file guards it), told to stop just before we start on
  // its file: it holds the database for about a second while shutting down.
  const port = await freePort();
  const other = spawn(cli, ['server', 'start-dev', '--db-filename', path.join(dataDir, 'temporal.sqlite'), '--ip', '127.0.0.1', '--port', String(port), '--headless'], {
    stdio: 'ignore',
  });
  const otherExited = new Promise((r) => other.once('exit', r));
  try {
    await waitForPort(port);
    other.kill('SIGTERM');
    const server = await start();
    await withClient(server, (_client, connection) => connection.workflowService.describeNamespace({ namespace: NAMESPACE }));
  } finally {
    other.kill('SIGKILL');
    await otherExited;
  }
});

/** A stand-in for the CLI that fails once with `failure` (shell lines), then runs the real CLI. */
function cliFailingOnce(name: string, failure: string[]): string {
  const marker = path.join(dataDir, `${name}.failed-once`);
  const wrapper = path.join(dataDir, name);
  const script = ['#!/bin/sh', `if [ ! -e "${marker}" ]; then`, `  : > "${marker}"`, ...failure.map((l) => `  ${l}`), 'fi', `exec "${cli}" "$@"`, ''].join('\n');
  fs.writeFileSync(wrapper, script, { mode: 0o755 });
  return wrapper;
}

it('retries when the database is still locked by a server that is exiting', async () => {
  // Deterministic stand-in for the race above: the first launch fails the way start-dev does
  // when the old process still holds the SQLite file; later launches run the real CLI.
  const wrapper = cliFailingOnce('temporal-wrapper.sh', [
    `echo 'level=ERROR msg="failed starting server: failed creating namespaces: error creating namespace \\"default\\": database is locked (5) (SQLITE_BUSY)"' >&2`,
    'exit 1',
  ]);
  const server = await start({ cliPath: wrapper });
  expect(logs.some((m) => /still locked .* retrying \(attempt 2\)/.test(m))).toBe(true);
  await withClient(server, (_client, connection) => connection.workflowService.describeNamespace({ namespace: NAMESPACE }));
});

it('retries with other ports when the server lost its port and then panicked at length', async () => {
  // As start-dev 1.5.1 does: the bind error once at the top, then a Go stack trace far longer than
  // the 4,000 characters an error message shows (a CI run under load lost a port race so).
  const wrapper = cliFailingOnce('temporal-port-race.sh', [
    `echo 'level=ERROR msg="Failed to start gRPC listener" error="listen tcp 127.0.0.1:1: bind: address already in use"' >&2`,
    `echo 'panic: runtime error: invalid memory address or nil pointer dereference' >&2`,
    `i=0; while [ $i -lt 200 ]; do echo "go.uber.org/dig.paramList.BuildList(...) /root/go/pkg/mod/go.uber.org/dig@v1.18.1/param.go:151 +0xad frame $i" >&2; i=$((i+1)); done`,
    'exit 2',
  ]);
  const server = await start({ cliPath: wrapper });
  expect(logs.some((m) => /lost a race for a free port; retrying with other ports \(attempt 2\)/.test(m))).toBe(true);
  await withClient(server, (_client, connection) => connection.workflowService.describeNamespace({ namespace: NAMESPACE }));
});

it('reports a server that dies on startup with its output and log path', async () => {
  const broken = path.join(dataDir, 'temporal-broken.sh');
  fs.writeFileSync(broken, '#!/bin/sh\necho "unknown flag: --frobnicate" >&2\nexit 3\n', { mode: 0o755 });
  await expect(start({ cliPath: broken })).rejects.toThrow(
    /exited \(3\) during startup; its output:\nunknown flag: --frobnicate\nFull log: .*temporal-server\.log/,
  );
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(false);
});

it('names the binary when it cannot be run', async () => {
  await expect(start({ cliPath: path.join(dataDir, 'no-such-temporal') })).rejects.toThrow(
    /could not run the Temporal CLI at .*no-such-temporal: .*ENOENT; .*set TEMPORAL_CLI/,
  );
});

it('refuses a second server on the same data dir while the first runs', async () => {
  const first = await start();
  await expect(start()).rejects.toThrow(`a Temporal dev server (pid ${first.process!.pid}) is already running`);
  // The refusal must not have disturbed the running server's pid file.
  expect(fs.readFileSync(path.join(dataDir, 'temporal-server.pid'), 'utf8')).toBe(`server ${first.process!.pid}`);
});

it('rejects a search attribute whose type changed, naming it and how to fix it', async () => {
  await (await start()).stop();
  await expect(start({ searchAttributes: { Attempt: 'Keyword' } })).rejects.toThrow(
    /search attribute Attempt is registered as Int .* but Keyword was requested; .*use a new attribute name/,
  );
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(false);
});

it('can run headless', async () => {
  const server = await start({ ui: false });
  expect(server.uiUrl).toBeUndefined();
});

it('refuses an explicitly requested port that is busy', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const busy = (blocker.address() as net.AddressInfo).port;
  try {
    await expect(start({ port: busy })).rejects.toThrow(`Temporal frontend port ${busy} on 127.0.0.1 is already in use`);
  } finally {
    blocker.close();
  }
});
