/**
 * Without a Temporal CLI and without Go, startDevServer falls back to @temporalio/testing's own
 * download of the dev server. Both modules are mocked: nothing is downloaded or started here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../engine/dev-server';
import { resolveTemporalCli, temporalCliCacheDir } from '../../engine/temporal-cli';

jest.mock('@temporalio/testing', () => ({ TestWorkflowEnvironment: { createLocal: jest.fn() } }));
jest.mock('../../engine/temporal-cli', () => ({
  ...jest.requireActual('../../engine/temporal-cli'),
  resolveTemporalCli: jest.fn(async () => ({ path: '', source: 'sdk-download' })),
}));

const createLocal = TestWorkflowEnvironment.createLocal as jest.Mock;

/** The parts of a TestWorkflowEnvironment that startDevServer uses; search attributes appear once added. */
function fakeEnv(address: string) {
  let registered: Record<string, number> = {};
  return {
    address,
    teardown: jest.fn(async () => undefined),
    connection: {
      workflowService: { describeNamespace: jest.fn(async () => ({})) },
      operatorService: {
        listSearchAttributes: jest.fn(async () => ({ customAttributes: { ...registered } })),
        addSearchAttributes: jest.fn(async ({ searchAttributes }: { searchAttributes: Record<string, number> }) => {
          registered = { ...registered, ...searchAttributes };
          return {};
        }),
      },
    },
  };
}

let dataDir: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spoolflow-sdk-fallback-'));
  // startDevServer creates the download folder; keep it out of the real cache.
  process.env.XDG_CACHE_HOME = path.join(dataDir, 'cache');
  createLocal.mockReset();
});
afterEach(() => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('falls back to @temporalio/testing, says so, registers search attributes, and stop() tears down', async () => {
  const env = fakeEnv('127.0.0.1:45678');
  createLocal.mockResolvedValue(env);
  const logs: string[] = [];

  const server = await startDevServer({
    dataDir,
    port: 0,
    ui: false,
    namespace: 'spool',
    searchAttributes: { SpoolSite: 'Keyword', SpoolStep: 'Int' },
    log: (m) => logs.push(m),
  });

  expect(resolveTemporalCli).toHaveBeenCalled();
  expect(logs.some((m) => m.includes("falling back to @temporalio/testing's download") && m.includes('internet'))).toBe(true);

  expect(createLocal).toHaveBeenCalledTimes(1);
  const { server: config } = createLocal.mock.calls[0][0];
  const downloadDir = path.join(temporalCliCacheDir(), 'sdk-download');
  expect(downloadDir.startsWith(dataDir)).toBe(true);
  expect(config.executable).toEqual({ type: 'cached-download', downloadDir });
  expect(config.dbFilename).toBe(path.join(dataDir, 'temporal.sqlite'));
  expect(config.extraArgs).toEqual([
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=full',
    '--dynamic-config-value',
    'history.transferProcessorMaxPollRPS=1000',
    '--dynamic-config-value',
    'history.timerProcessorMaxPollRPS=1000',
    '--dynamic-config-value',
    'history.visibilityProcessorMaxPollRPS=1000',
  ]);
  expect(config.namespace).toBe('spool');
  expect(config.ip).toBe('127.0.0.1');
  expect(config.port).toEqual(expect.any(Number));
  expect(config.port).toBeGreaterThan(0);
  expect(config.ui).toBe(false);
  expect(config.searchAttributes).toEqual([
    { name: 'SpoolSite', type: 'KEYWORD' },
    { name: 'SpoolStep', type: 'INT' },
  ]);

  // The attributes were missing (this fake starts empty), so they go through the operator service too.
  expect(env.connection.operatorService.addSearchAttributes).toHaveBeenCalledWith({
    namespace: 'spool',
    searchAttributes: { SpoolSite: 2, SpoolStep: 3 },
  });

  expect(server.address).toBe('127.0.0.1:45678');
  expect(server.namespace).toBe('spool');
  expect(server.uiUrl).toBeUndefined();
  expect(server.process).toBeUndefined();
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(true);

  await server.stop();
  await server.stop();
  expect(env.teardown).toHaveBeenCalledTimes(1);
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(false);
});

test('a failed download says what it needs and frees the data dir', async () => {
  createLocal.mockRejectedValue(new Error('failed to download ephemeral server executable: dns error'));

  await expect(startDevServer({ dataDir, port: 0, ui: false, log: () => undefined })).rejects.toThrow(
    /could not download or start the Temporal dev server: failed to download.*internet access/s,
  );
  expect(fs.existsSync(path.join(dataDir, 'temporal-server.pid'))).toBe(false);
});
