/**
 * The production central worker as an operator runs it: `spoolflow worker --fleet <file>` against
 * a Temporal server, with no simulator. `spoolflow fleet status` tells the agent that polls from
 * the one that does not; `spoolflow start` warns about the missing one and still starts; the
 * procedure runs on the central worker with the real Management Server adapter (a local web
 * interface and SPOC ports) and, with no load source configured, halts at the load check asking
 * for the operator's attestation; what its probes saw is in its state folder for the next start.
 * On an estate of JobScheduler hosts only, a SPOC procedure started by mistake halts at its first
 * check, saying the fleet configuration has no Management Server. With a spoolCleaning section it
 * runs the Job Service, and a spooler's agent serving its spool folder has its jobs cleaned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { hostTaskQueue } from '../../../workflows/task-queues';
import { parseAgentConfig } from '../../../agent/agent-config';
import { createAgentActivities } from '../../../agent/agent-activities';
import { SpoolFolder } from '../../../activities/spoolcleaning/spool-folder';
import { reportingStatusQuery, SPOOL_CLEANING_SCHEDULE_ID, spoolerReportingWorkflowId } from '../../../workflows/spoolcleaning/spool-cleaning-names';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import type { FleetStatus } from '../../../cli/fleet-command';

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'spoolflow.js');
const estate = useSimulatedEstate();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spoolflow(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dir: string | undefined;
let centralWorker: ChildProcess | undefined;
const servers: net.Server[] = [];
afterAll(async () => {
  if (centralWorker && centralWorker.exitCode === null) {
    const exited = new Promise((resolve) => centralWorker?.once('exit', resolve));
    centralWorker.kill('SIGKILL');
    await exited;
  }
  for (const s of servers) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('spoolflow worker runs the procedures with the real adapter; fleet status and start name the agent that does not poll', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-central-'));
  const webPort = await listen(http.createServer((_req, res) => res.writeHead(302, { location: '/login' }).end()));
  const spocPort = await listen(net.createServer((s) => s.destroy()));
  const tsPort = await listen(net.createServer((s) => s.destroy()));
  const fleetFile = path.join(dir, 'fleet.json');
  const site = (host: string) => ({ host, address: '127.0.0.1', spocPort, terminalServerPort: tsPort });
  writeFileSync(
    fleetFile,
    JSON.stringify({ managementServer: { url: `http://127.0.0.1:${webPort}/` }, siteServers: [site('spoc-a'), site('spoc-b')], spocGroups: { london: ['spoc-a', 'spoc-b'] } }),
  );
  const env = { ...process.env, TEMPORAL_ADDRESS: estate.address, SPOOLFLOW_DATA_DIR: dir };

  const workerOutput = startCentralWorker(fleetFile, env);
  await until('the central worker to run', () => workerOutput().includes('central worker running') || centralWorker?.exitCode !== null, 60_000);
  expect(workerOutput()).toContain('central worker running: Management Server http://127.0.0.1');
  expect(workerOutput()).toContain('no load source is configured');

  // Only spoc-a has an agent: any worker polling its host queue.
  const agent = await Worker.create({ connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace, taskQueue: hostTaskQueue('spoc-a'), activities: { noop: async () => undefined } });
  const agentRunning = agent.run();
  try {
    let status: FleetStatus | undefined;
    // The agent's first poll reaches the server within a moment: ask until it shows.
    for (let i = 0; i < 20 && !status?.agents.find((a) => a.host === 'spoc-a')?.polling; i += 1) {
      const run = await spoolflow(['fleet', 'status', '--fleet', fleetFile], env);
      expect(run).toMatchObject({ code: 0 });
      status = JSON.parse(run.stdout) as FleetStatus;
    }
    expect(status?.agents.find((a) => a.host === 'spoc-a')).toMatchObject({ polling: true, lastSeen: expect.any(String), taskQueue: 'spoolflow-host-spoc-a' });
    expect(status?.agents.find((a) => a.host === 'spoc-b')).toMatchObject({ polling: false, lastSeen: null });
    expect(status?.notPolling).toEqual(['spoc-b']);

    const input = { group: 'london', members: [{ host: 'spoc-a', installDir: 'C:\\Program Files\\DP' }, { host: 'spoc-b', installDir: 'C:\\Program Files\\DP' }] };
    const started = await spoolflow(['start', 'restart-group-without-cache-deletion', '--input', '-'], env, JSON.stringify(input));
    expect(started.code).toBe(0);
    expect(started.stderr).toContain('warning: the agent of spoc-b, needed by restart-group-without-cache-deletion, does not poll spoolflow-host-spoc-b (never seen');
    expect(started.stderr).not.toContain('agent of spoc-a');
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };

    const halted = await estate.halted(workflowId, 60_000);
    expect(halted.halt).toMatchObject({ step: 'checkNoLoad', errorType: 'NoLoadSourceError' });
    expect(halted.halt?.reason).toContain('no load source is configured in the fleet configuration (loadSource)');
    expect(halted.halt?.reason).toContain(`spoolflow operator ${workflowId} overrideLoad --operator`);
    await estate.client.workflow.getHandle(workflowId).terminate('test over');
  } finally {
    agent.shutdown();
    await agentRunning;
  }
  await stopCentralWorker();
  const probes = JSON.parse(readFileSync(path.join(dir, 'central-worker', 'spoc-probes.json'), 'utf8')) as { hosts: Record<string, { online: boolean }> };
  expect(probes.hosts).toMatchObject({ 'spoc-a': { online: true }, 'spoc-b': { online: true } });
}, 180_000);

test('on a JobScheduler-only estate a SPOC procedure halts at its first check: the fleet configuration has no Management Server', async () => {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'spoolflow-central-'));
  const fleetFile = path.join(dir, 'fleet-jobscheduler.json');
  writeFileSync(fleetFile, JSON.stringify({ jobScheduler: { hosts: ['js-berlin-1'] } }));
  const env = { ...process.env, TEMPORAL_ADDRESS: estate.address, SPOOLFLOW_DATA_DIR: dir };
  const workerOutput = startCentralWorker(fleetFile, env);
  await until('the central worker to run', () => workerOutput().includes('central worker running') || centralWorker?.exitCode !== null, 60_000);
  expect(workerOutput()).toContain('central worker running: no Management Server in the fleet configuration');

  // Another group than the first test's, so no lease of it is in the way.
  const input = { group: 'prague', members: [{ host: 'spoc-c', installDir: 'C:\\Program Files\\DP' }, { host: 'spoc-d', installDir: 'C:\\Program Files\\DP' }] };
  const started = await spoolflow(['start', 'restart-group-without-cache-deletion', '--input', '-'], env, JSON.stringify(input));
  expect(started.code).toBe(0);
  const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
  const halted = await estate.halted(workflowId, 60_000);
  expect(halted.halt).toMatchObject({ step: 'checkManagementServer', errorType: 'NoManagementServerError' });
  expect(halted.halt?.reason).toContain(`the fleet configuration ${fleetFile} has no Management Server`);
  await estate.client.workflow.getHandle(workflowId).terminate('test over');
  await stopCentralWorker();
}, 120_000);

test("with a spoolCleaning section spoolflow worker runs the Job Service: a spooler's agent has the job the rule lets go deleted, the others kept", async () => {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'spoolflow-central-'));
  const fleetFile = path.join(dir, 'fleet-spool-cleaning.json');
  const spoolCleaning = {
    spoolers: ['spl-x'],
    StatusReportingOptions: { ReportingInterval: '00:00:00.300', MaxJitter: '00:00:00.100' },
    // Never due while the test runs: the test triggers the run itself.
    cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
    orphans: { healing: 'keep' },
    jobServiceStore: 'cleaning/job-service.sqlite',
  };
  writeFileSync(fleetFile, JSON.stringify({ spoolCleaning }));
  const spool = new SpoolFolder(path.join(dir, 'spool-x'));
  spool.write({ jobId: 'old', state: 'printed', submittedAt: Date.now() - 2 * 86_400_000 });
  spool.write({ jobId: 'new', state: 'printed', submittedAt: Date.now() });
  spool.write({ jobId: 'held', state: 'waiting', submittedAt: Date.now() - 2 * 86_400_000 });
  const agentConfig = parseAgentConfig({ host: 'spl-x', notesFolder: path.join(dir, 'notes-x'), spoolFolder: spool.root }, 'linux');
  const agent = await Worker.create({ connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace, taskQueue: hostTaskQueue('spl-x'), activities: createAgentActivities(agentConfig, () => undefined) });
  const agentRunning = agent.run();
  const env = { ...process.env, TEMPORAL_ADDRESS: estate.address, SPOOLFLOW_DATA_DIR: dir };
  const workerOutput = startCentralWorker(fleetFile, env);
  try {
    await until('the central worker to run', () => workerOutput().includes('central worker running') || centralWorker?.exitCode !== null, 60_000);
    expect(workerOutput()).toContain('spool cleaning: schedule spool-cleaning created; 1 spoolers reporting (started now: spl-x)');
    const loop = estate.client.workflow.getHandle(spoolerReportingWorkflowId('spl-x'));
    expect(existsSync(path.join(dir, 'cleaning', 'job-service.sqlite'))).toBe(true);
    // The cleaning asks only for jobs the Spooler Controller knows: those of a report.
    for (let i = 0; i < 100 && (await loop.query(reportingStatusQuery)).reports === 0; i += 1) await new Promise((r) => setTimeout(r, 200));
    expect((await loop.query(reportingStatusQuery)).reports).toBeGreaterThan(0);
    await estate.client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID).trigger();
    await until('the old printed job deleted', () => !spool.has('old'), 30_000);
    expect(spool.has('new') && spool.has('held')).toBe(true);
    await loop.terminate('test over');
  } finally {
    agent.shutdown();
    await agentRunning;
  }
  await stopCentralWorker();
}, 120_000);

/** Starts `spoolflow worker --fleet <file>` as the test's central worker; what it printed so far. */
function startCentralWorker(fleetFile: string, env: NodeJS.ProcessEnv): () => string {
  let output = '';
  centralWorker = spawn(process.execPath, [CLI, 'worker', '--fleet', fleetFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  centralWorker.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  centralWorker.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return () => output;
}

/** Stops the central worker as a service stop does; it must end cleanly. */
async function stopCentralWorker(): Promise<void> {
  const worker = centralWorker;
  if (!worker) return;
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
}
