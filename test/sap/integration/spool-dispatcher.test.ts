/**
 * The durable dispatcher on a real Temporal server, with simulated spool servers whose work
 * processes differ in speed: requests to a device with a set sequence are printed in their order
 * under load, also while the dispatchers continue as new; requests to a device without one
 * overtake each other; global management runs on one work process of the whole system at a time;
 * a kill -9 of the workers in the middle of requests loses and duplicates none; a request given
 * twice while the workers were down (two Updates in one workflow task) is taken once and its
 * history replays; a backlog stops at `maxTasksHeld`, the next new request refused before it is
 * accepted; a dispatcher begun before that fix and stuck so is got going again by the
 * operator's reset, each request printed once. One dev server and one workflow bundle for the file
 * (the reset test also bundles the workflows as they were before the fix).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal as protos } from '@temporalio/proto';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';
import { createSpoolServer } from '../../../machines/sap/spool-dispatcher';
import { spoolDispatcherWorkflowId } from '../../../machines/sap/spool-dispatcher-input';
import { dispatcherInputs, SimSapSystem, startSapDispatchers } from '../../../simulator/sap/sim-sap-estate';
import { sapSpoolRecordFile, SapSpoolOperation } from '../../../simulator/sap/sim-spool-servers';
import { readOperationRecord } from '../../../simulator/core/operation-record';
import { releaseGlobalManagementSignal, spoolDispatcherStatusQuery, submitSpoolTaskUpdate, submitSpoolTaskUpdateId } from '../../../workflows/sap/spool-dispatcher-messages';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { giveWithoutNameCheck, submitSpoolTask } from '../../../client/sap-spool-submit';
import { workflowBundle } from '../../../worker/central-worker';
import { resolveTemporalCli } from '../../../engine/temporal-cli';
import { bundleWorkflowsBeforeAnswersUpdatesFirst, bundleWorkflowsBeforeSystemIsASid } from '../../fixtures/sap-dispatcher-nondeterminism/old-path-bundle';
import { createSapSpoolWorkers } from '../../helpers/sap-spool-workers';
import { saveRecordedHistory } from '../../helpers/recorded-histories';
import { startTestTemporal, TestTemporal } from '../../helpers/temporal-server';

const ROOT = path.join(__dirname, '..', '..', '..');
const EventType = protos.api.enums.v1.EventType;
let temporal: TestTemporal;
let bundlePath: string;
let bundleCode: string;
let dir: string;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-sap-it-'));
  let bundle: { code: string };
  [temporal, bundle] = await Promise.all([startTestTemporal(), workflowBundle()]);
  bundlePath = path.join(dir, 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  bundleCode = bundle.code;
});
afterAll(async () => {
  await temporal?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TIMINGS = { heartbeatTimeoutSeconds: 2, globalRetrySeconds: 0.2, globalSlotCheckSeconds: 1, managementTimeoutSeconds: 30 };
const out = (id: string, device: string, sequence: boolean): SpoolTask => ({ kind: 'output', id, device, sequence, frontend: false });

async function submitAll(system: string, server: string, tasks: SpoolTask[]): Promise<void> {
  const handle = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId(system, server));
  for (const task of tasks) await handle.executeUpdate(submitSpoolTaskUpdate, { args: [task], updateId: submitSpoolTaskUpdateId(task) });
}

function record(simDir: string): SapSpoolOperation[] {
  return readOperationRecord(sapSpoolRecordFile(simDir)) as SapSpoolOperation[];
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
async function untilAsync<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const finished = (simDir: string, ids: string[]) => () => {
  const done = new Set(record(simDir).filter((e) => e.operation === 'finish').map((e) => e.target));
  return ids.every((id) => done.has(id)) ? true : undefined;
};

let workflowsBeforeFix: Promise<string> | undefined;
/** The workflows as the workers before the fixes ran them (old-path-bundle.ts), bundled once for the file. */
function workflowsBeforeFixFile(): Promise<string> {
  workflowsBeforeFix ??= bundleWorkflowsBeforeAnswersUpdatesFirst(quiet).then(({ code }) => {
    const file = path.join(dir, 'workflows-before-fix.js');
    writeFileSync(file, code);
    return file;
  });
  return workflowsBeforeFix;
}

/** The workflows as the workers before the SID rule ran them, for the file. */
async function workflowsBeforeSidFile(): Promise<string> {
  const file = path.join(dir, 'workflows-before-sid.js');
  writeFileSync(file, (await bundleWorkflowsBeforeSystemIsASid(quiet)).code);
  return file;
}

async function withWorkers<T>(systems: SimSapSystem[], simDir: string, fn: () => Promise<T>, codePath = bundlePath): Promise<T> {
  const { workers } = await createSapSpoolWorkers({ connection: temporal.nativeConnection, namespace: temporal.namespace }, { codePath }, systems, simDir);
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    workers.forEach((w: Worker) => w.shutdown());
    await Promise.all(running);
  }
}

test('in sequence for a device with a set sequence, overtaking for one without, one global task at a time across servers, each once across continue-as-new', async () => {
  const simDir = path.join(dir, 'order');
  const systems: SimSapSystem[] = [
    {
      system: 'qas',
      release: '4.6C',
      servers: [
        // The slow work process takes 3 s a request: later ones overtake it even when a loaded machine hands them out slowly.
        { server: 'spool1', workProcesses: 4, outputSeconds: 0.15, managementSeconds: 0.3, speeds: [0.05, 1, 1, 1] },
        { server: 'spool2', workProcesses: 2, outputSeconds: 0.15, managementSeconds: 0.3 },
      ],
      devices: [],
      // Short runs, so the dispatchers continue as new while requests are in hand.
      timings: { ...TIMINGS, continueAsNewAfterEvents: 100 },
    },
  ];
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    const sequence = Array.from({ length: 6 }, (_, i) => out(`seq-${i}`, 'lp01', true));
    const parallel = Array.from({ length: 6 }, (_, i) => out(`par-${i}`, 'lp10', false));
    const globals: [string, SpoolTask][] = [
      ['spool1', { kind: 'management', id: 'scan-1', task: 'scan-lost-requests' }],
      ['spool2', { kind: 'management', id: 'obsolete-1', task: 'delete-obsolete-requests' }],
      ['spool2', { kind: 'management', id: 'scan-2', task: 'scan-lost-requests' }],
    ];
    // All at once: one of them lands on the slow work process and is overtaken by later ones.
    await Promise.all(parallel.map((task) => submitAll('qas', 'spool1', [task])));
    await Promise.all([submitAll('qas', 'spool1', sequence), ...globals.map(([server, task]) => submitAll('qas', server, [task]))]);
    await until('every request and global task done', finished(simDir, [...sequence, ...parallel, ...globals.map(([, t]) => t)].map((t) => t.id)));

    const entries = record(simDir);
    const startOrder = (prefix: string) => entries.filter((e) => e.operation === 'dispatch' && e.outcome === 'started' && e.target.startsWith(prefix)).map((e) => e.target);
    const finishOrder = (prefix: string) => entries.filter((e) => e.operation === 'finish' && e.target.startsWith(prefix)).map((e) => e.target);
    expect(startOrder('seq-')).toEqual(sequence.map((t) => t.id));
    expect(finishOrder('seq-')).toEqual(sequence.map((t) => t.id));
    expect(finishOrder('par-')).not.toEqual(startOrder('par-')); // the slow work process's request is overtaken by later ones

    // Global tasks never overlap, whichever server ran them.
    const spans = globals.map(([, t]) => [Date.parse(entries.find((e) => e.target === t.id && e.operation === 'dispatch')!.time), Date.parse(entries.find((e) => e.target === t.id && e.operation === 'finish')!.time)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);

    for (const t of [...sequence, ...parallel]) expect(entries.filter((e) => e.target === t.id && (e.outcome === 'started' || e.operation === 'finish'))).toHaveLength(2);
    const dispatcher = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('qas', 'spool1'));
    const description = await dispatcher.describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId); // it continued as new on the way
    const status = await dispatcher.query(spoolDispatcherStatusQuery);
    expect(status.state.workProcesses.every((wp) => wp.reservedFor === null && wp.running === null)).toBe(true);
    expect(status.finished).toBe(13);
  });
});

test('a kill -9 of the workers in the middle of requests loses and duplicates none', async () => {
  const simDir = path.join(dir, 'kill');
  const systems: SimSapSystem[] = [
    { system: 'prd', release: '4.0B', servers: [{ server: 'spool1', workProcesses: 3, outputSeconds: 0.25, managementSeconds: 0.25, speeds: [1, 2, 0.5] }], devices: [], timings: TIMINGS },
  ];
  const spawnWorkers = () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'test', 'helpers', 'sap-spool-workers-main.ts')], {
      cwd: ROOT,
      env: { ...process.env, SAP_TEST_ADDRESS: temporal.server.address, SAP_TEST_NAMESPACE: temporal.namespace, SAP_TEST_BUNDLE: bundlePath, SAP_TEST_SIM_DIR: simDir, SAP_TEST_SYSTEMS: JSON.stringify(systems) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  };
  const workers = spawnWorkers();
  try {
    await startSapDispatchers(temporal.client, systems);
    const requests = Array.from({ length: 10 }, (_, i) => out(`r-${i}`, i % 2 === 0 ? 'lp01' : 'lp10', i % 2 === 0));
    await submitAll('prd', 'spool1', requests);
    await until('a few requests printed', () => (record(simDir).filter((e) => e.operation === 'finish').length >= 2 ? true : undefined));
    await new Promise<void>((resolve) => {
      workers.child.once('exit', () => resolve());
      workers.child.kill('SIGKILL');
    });
    expect(record(simDir).filter((e) => e.operation === 'finish').length).toBeLessThan(requests.length);
    // New workers (here, in the test's process) take over what the killed ones were doing.
    await withWorkers(systems, simDir, () => until('every request printed after the restart', finished(simDir, requests.map((r) => r.id)), 40_000));

    const entries = record(simDir);
    for (const r of requests) {
      expect(entries.filter((e) => e.target === r.id && e.operation === 'dispatch' && e.outcome === 'started')).toHaveLength(1);
      expect(entries.filter((e) => e.target === r.id && e.operation === 'finish')).toHaveLength(1);
    }
    const inSequence = requests.filter((r) => r.kind === 'output' && r.sequence).map((r) => r.id);
    expect(entries.filter((e) => e.operation === 'finish' && inSequence.includes(e.target)).map((e) => e.target)).toEqual(inSequence);
  } finally {
    workers.child.kill('SIGKILL');
    if (workers.child.exitCode === null && workers.child.signalCode === null) await new Promise((r) => workers.child.once('exit', r));
  }
});

test('a backlog stops at maxTasksHeld: a new request is refused before it is accepted, naming the limit; one given again is answered; one more is taken once one is printed', async () => {
  const simDir = path.join(dir, 'backlog');
  // One work process, 4 s a request to a sequence device: the first runs, the next waits in its input queue.
  const systems: SimSapSystem[] = [{ system: 'bkl', release: '4.6C', servers: [{ server: 'spool1', workProcesses: 1, outputSeconds: 4, managementSeconds: 0.1, maxTasksHeld: 2 }], devices: [], timings: TIMINGS }];
  const handle = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('bkl', 'spool1'));
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    await submitAll('bkl', 'spool1', [out('b1', 'lp-seq', true), out('b2', 'lp-seq', true)]);
    const refused = await submitAll('bkl', 'spool1', [out('b3', 'lp02', false)]).then(() => undefined, (err: Error) => err);
    expect((refused?.cause as Error | undefined)?.message).toBe('output b3 to lp02: spool server spool1 holds 2 tasks not yet done, the most it keeps (maxTasksHeld 2); submit it again once some are done');
    expect((await handle.executeUpdate(submitSpoolTaskUpdate, { args: [out('b2', 'lp-seq', true)], updateId: 'b2-again' })).accepted).toBe('already-held');
    // Another request under a held one's id is refused naming the id, not taken for the first.
    const other = await handle.executeUpdate(submitSpoolTaskUpdate, { args: [out('b2', 'lp02', false)], updateId: 'b2-other' }).then(() => undefined, (err: Error) => err);
    expect((other?.cause as Error | undefined)?.message).toBe('id: b2 was given as output b2 to lp-seq (in sequence), now as output b2 to lp02; one id is one task (give the new one its own id)');
    // A request for the sequence device without the set sequence would overtake b1 and b2: refused, naming the field.
    const overtaking = await handle.executeUpdate(submitSpoolTaskUpdate, { args: [out('b4', 'lp-seq', false)], updateId: 'b4-no-sequence' }).then(() => undefined, (err: Error) => err);
    expect((overtaking?.cause as Error | undefined)?.message).toBe('sequence: device lp-seq has requests held in a set sequence (b1, b2); a request for it without one would overtake them: give it sequence true, or change the device\'s setting once those are done');
    const status = await handle.query(spoolDispatcherStatusQuery);
    expect([status.submitted, status.state.waiting.length + status.state.workProcesses.reduce((n, wp) => n + wp.inputQueue.length + (wp.running ? 1 : 0), 0)]).toEqual([2, 2]);
    await until('the first request printed', finished(simDir, ['b1']));
    // The spool server writes its record before the dispatcher hears of the end: wait for the dispatcher.
    await untilAsync('the dispatcher told b1 is done', async () => ((await handle.query(spoolDispatcherStatusQuery)).finished >= 1 ? true : undefined));
    await submitAll('bkl', 'spool1', [out('b3', 'lp02', false)]);
    await until('every request printed', finished(simDir, ['b2', 'b3']), 60_000);
  });
  // The refused request was never accepted: no Update of it is in the history but the one that came after.
  const history = await handle.fetchHistory();
  const acceptedIds = (history.events ?? []).flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ? [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.meta.updateId] : []));
  expect(acceptedIds).toEqual([submitSpoolTaskUpdateId(out('b1', 'lp-seq', true)), submitSpoolTaskUpdateId(out('b2', 'lp-seq', true)), 'b2-again', submitSpoolTaskUpdateId(out('b3', 'lp02', false))]);
});

test('a request given twice while the workers were down is taken once, answered before it is dispatched, and its history replays', async () => {
  const simDir = path.join(dir, 'given-twice');
  const systems: SimSapSystem[] = [{ system: 'dev', release: '4.6C', servers: [{ server: 'spool1', workProcesses: 2, outputSeconds: 0.1, managementSeconds: 0.1 }], devices: [], timings: TIMINGS }];
  const handle = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('dev', 'spool1'));
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    await handle.query(spoolDispatcherStatusQuery); // its first workflow task has run
  });

  // The workers are down: a client that got no answer gives the request again, as a second Update.
  const request = out('given-twice', 'lp11', false);
  const answers = Promise.all(['first-give', 'second-give'].map((updateId) => handle.executeUpdate(submitSpoolTaskUpdate, { args: [request], updateId })));
  for (let waited = 0; !(await handle.describe()).raw.pendingWorkflowTask; waited += 100) {
    if (waited > 10_000) throw new Error('the Updates never reached the server');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // the second give joins the first's workflow task
  await withWorkers(systems, simDir, async () => {
    expect((await answers).map((a) => a.accepted).sort()).toEqual(['already-held', 'new']);
    await until('the request printed', finished(simDir, [request.id]));
  });

  const history = await handle.fetchHistory();
  const kinds = (history.events ?? []).map((e) => e.eventType);
  const accepted = kinds.flatMap((k, i) => (k === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ? [i] : []));
  expect(accepted).toHaveLength(2);
  expect(accepted[1]).toBe(accepted[0]! + 1); // both in one workflow task
  // Both answers come before the dispatch the first one caused.
  const scheduled = kinds.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  expect(kinds.slice(accepted[0], scheduled).filter((k) => k === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).toHaveLength(2);
  await Worker.runReplayHistory({ workflowBundle: { code: bundleCode } }, history, 'given-twice');
  // The replay test keeps it: `SPOOLFLOW_RECORD_HISTORIES=1 npx jest -t 'given twice' <this file>` records it again.
  if (process.env.SPOOLFLOW_RECORD_HISTORIES) saveRecordedHistory('sapSpoolDispatcher--given-twice-in-one-task', history);
  expect(record(simDir).filter((e) => e.target === request.id && e.operation === 'finish')).toHaveLength(1);
});

test('a dispatcher begun before the fix and stuck with TMPRL1100 goes on after a reset to its first workflow task, each request it took printed once', async () => {
  const simDir = path.join(dir, 'stuck-reset');
  const systems: SimSapSystem[] = [{ system: 'old', release: '4.6C', servers: [{ server: 'spool1', workProcesses: 2, outputSeconds: 1, managementSeconds: 0.1 }], devices: [], timings: TIMINGS }];
  const workflowId = spoolDispatcherWorkflowId('old', 'spool1');
  const handle = temporal.client.workflow.getHandle(workflowId);
  const oldBundlePath = await workflowsBeforeFixFile();
  const printed = () => record(simDir).filter((e) => e.operation === 'finish').map((e) => e.target);
  const give = (task: SpoolTask, updateId = submitSpoolTaskUpdateId(task)) => handle.executeUpdate(submitSpoolTaskUpdate, { args: [task], updateId });
  const taskFailures = async () => ((await handle.fetchHistory()).events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? '');

  // The workers before the fix start the dispatcher; while they are down a request is given twice, with others.
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    await handle.query(spoolDispatcherStatusQuery);
  }, oldBundlePath);
  const requests = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'].map((id) => out(id, 'lp11', false));
  const answers = Promise.all([give(requests[0]!, 'first-give'), give(requests[0]!, 'second-give'), ...requests.slice(1, 3).map((r) => give(r))]);
  for (let waited = 0; !(await handle.describe()).raw.pendingWorkflowTask; waited += 100) {
    if (waited > 10_000) throw new Error('the Updates never reached the server');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // all of them in one workflow task
  // They are taken, and more; the workers stop with two in hand on the work processes, the others waiting for one.
  await withWorkers(systems, simDir, async () => {
    expect((await answers).map((a) => a.accepted).sort()).toEqual(['already-held', 'new', 'new', 'new']);
    expect((await Promise.all(requests.slice(3).map((r) => give(r)))).map((a) => a.accepted)).toEqual(['new', 'new', 'new']);
  }, oldBundlePath);
  // Restarted, the workers replay the history from its start and fail on it, for good.
  await withWorkers(systems, simDir, async () => {
    await untilAsync('the workflow task failing', async () => ((await taskFailures()).length > 0 ? true : undefined));
  }, oldBundlePath);
  expect((await taskFailures())[0]).toMatch(/TMPRL1100.*WorkflowExecutionUpdateCompleted/);
  // The requests in hand are printed all the same (a work process's retry), the waiting ones are not.
  expect(printed().length).toBeLessThan(requests.length);

  // The operator's remedy, with the new code running (docs/sap-spool-work-processes.md#a-dispatcher-stuck-with-tmprl1100).
  await withWorkers(systems, simDir, async () => {
    const cli = await resolveTemporalCli({ allowBuild: false, log: () => undefined });
    await promisify(execFile)(cli.path, ['workflow', 'reset', '--address', temporal.server.address, '--namespace', temporal.namespace, '--workflow-id', workflowId, '--type', 'FirstWorkflowTask', '--reason', 'stuck with TMPRL1100']);
    await until('every request taken printed', finished(simDir, requests.map((r) => r.id)));
    const after = out('r-after', 'lp11', false);
    expect((await give(after)).accepted).toBe('new');
    await until('a request given after the reset printed', finished(simDir, [after.id]));
    const status = await untilAsync('the dispatcher told of every print', async () => {
      const s = await handle.query(spoolDispatcherStatusQuery);
      return s.finished === requests.length + 1 ? s : undefined;
    });
    expect(status.state.workProcesses.every((wp) => wp.running === null && wp.reservedFor === null)).toBe(true);
    expect(status.state.waiting).toEqual([]);
  });

  const entries = record(simDir);
  for (const id of [...requests.map((r) => r.id), 'r-after']) {
    expect(entries.filter((e) => e.target === id && e.operation === 'dispatch' && e.outcome === 'started')).toHaveLength(1);
    expect(entries.filter((e) => e.target === id && e.operation === 'finish')).toHaveLength(1);
  }
  // The reset run took the patched path, and its history replays with the new code.
  const history = await handle.fetchHistory();
  const patches = (history.events ?? []).flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString());
  expect(patches.some((p) => p.includes('sap-dispatcher-answers-updates-first'))).toBe(true);
  await Worker.runReplayHistory({ workflowBundle: { code: bundleCode } }, history, 'reset');
});

test('a hanging host spool demand ends after managementTimeoutSeconds, though the busy dispatcher continues as new many times meanwhile, and given again it runs again', async () => {
  const simDir = path.join(dir, 'hanging');
  const systems: SimSapSystem[] = [
    {
      system: 'hng',
      release: '4.6C',
      // Every host spool demand hangs; outputs are quick, so the dispatcher continues as new every few of them.
      servers: [{ server: 'spool1', workProcesses: 4, outputSeconds: 0.05, managementSeconds: 0.1, hangEveryNthDemand: 1 }],
      devices: [],
      timings: { ...TIMINGS, managementTimeoutSeconds: 6, continueAsNewAfterEvents: 100 },
    },
  ];
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    const dispatcher = temporal.client.workflow.getHandle(spoolDispatcherWorkflowId('hng', 'spool1'));
    await submitAll('hng', 'spool1', [{ kind: 'management', id: 'demand-1', task: 'host-spool-demand' }]);
    const firstRun = (await dispatcher.describe()).runId;
    const dispatched = await until('the demand dispatched', () => record(simDir).find((e) => e.target === 'demand-1' && e.operation === 'dispatch'));
    // Output keeps coming for well past the timeout: before, each new run gave the demand its whole timeout again.
    let n = 0;
    let outcome: string | undefined;
    let ended = false;
    const trafficEnds = Date.parse(dispatched.time) + 20_000;
    while (Date.now() < trafficEnds && !ended) {
      // Given as a caller gives it: an Update that meets the dispatcher's hand-over to a new run is given again.
      for (const task of Array.from({ length: 4 }, () => out(`o-${(n += 1)}`, 'lp10', false))) await submitSpoolTask(temporal.client, 'hng', 'spool1', task);
      // The state travels from run to run; the outcomes shown (`recent`) are the run's own, and a
      // hand-over right after the demand ended may take its outcome out of sight.
      const status = await dispatcher.query(spoolDispatcherStatusQuery);
      outcome = status.recent.find((r) => r.id === 'demand-1')?.outcome ?? outcome;
      ended = !status.state.workProcesses.some((wp) => wp.running?.id === 'demand-1');
    }
    expect(ended).toBe(true);
    if (outcome !== undefined) expect(outcome).toMatch(/^failed: /);
    expect((await dispatcher.describe()).runId).not.toBe(firstRun);
    // A task that failed is not done (nor held): given again (a new Update of the same task) it runs again.
    const again = await dispatcher.executeUpdate(submitSpoolTaskUpdate, { args: [{ kind: 'management', id: 'demand-1', task: 'host-spool-demand' }], updateId: 'demand-1-again' });
    expect(again).toEqual({ accepted: 'new', id: 'demand-1' });
  });
}, 90_000);

test('a release of the global management slot that comes while it looks at its holder, in its last look before a hand-over, ends the slot', async () => {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  let looks = 0;
  let letLookEnd: () => void = () => undefined;
  const lookEnds = new Promise<void>((resolve) => (letLookEnd = resolve));
  // The holder's look: still running, once the test lets the look end.
  const looker = await Worker.create({
    ...conn,
    taskQueue: CENTRAL_TASK_QUEUE,
    activities: {
      awaitLeaseHolderClosed: async () => {
        looks += 1;
        await lookEnds;
        return { closed: false };
      },
    },
  });
  const slotWorker = await Worker.create({ ...conn, taskQueue: 'sap-slot-test', workflowBundle: { codePath: bundlePath } });
  const running = [looker.run(), slotWorker.run()];
  try {
    const holder = { workflowId: 'sap-spool-dispatcher-slt-spool1', firstRunId: 'run-1', procedure: 'sap-spool-dispatcher', since: new Date().toISOString() };
    // Past its first look the slot's history is long enough to hand over.
    const slot = await temporal.client.workflow.start('sapGlobalManagementSlot', {
      workflowId: 'sap-spool-global-management-slt',
      taskQueue: 'sap-slot-test',
      args: [{ system: 'slt', holder, checkEverySeconds: 0.2, handOverAfterEvents: 5 }],
    });
    await until('the first look', () => (looks > 0 ? true : undefined));
    await slot.signal(releaseGlobalManagementSignal, holder.workflowId);
    // The release is taken in (a workflow task after the signal completes) while the look still runs.
    await untilAsync('the release taken in', async () => {
      const events = (await slot.fetchHistory()).events ?? [];
      const signalled = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
      return signalled >= 0 && events.slice(signalled).some((e) => e.workflowTaskCompletedEventAttributes) ? true : undefined;
    });
    letLookEnd();
    const stillRunning = new Promise((resolve) => setTimeout(() => resolve('still running (handed over) 20 s later'), 20_000).unref());
    expect(await Promise.race([slot.result(), stillRunning])).toEqual({ ended: 'released' });
    expect((await slot.describe()).runId).toBe(slot.firstExecutionRunId);
  } finally {
    letLookEnd();
    looker.shutdown();
    slotWorker.shutdown();
    await Promise.all(running);
  }
});

test('a global task given behind a few requests takes its turn while a backlog of output keeps every work process busy', async () => {
  const simDir = path.join(dir, 'backlog-global');
  const systems: SimSapSystem[] = [
    { system: 'bkg', release: '4.6C', servers: [{ server: 'spool1', workProcesses: 2, outputSeconds: 0.2, managementSeconds: 0.2 }], devices: [], timings: TIMINGS },
  ];
  await withWorkers(systems, simDir, async () => {
    await startSapDispatchers(temporal.client, systems);
    const before = Array.from({ length: 4 }, (_, i) => out(`before-${i}`, 'lp10', false));
    const after = Array.from({ length: 30 }, (_, i) => out(`after-${i}`, 'lp10', false));
    const scan: SpoolTask = { kind: 'management', id: 'scan-1', task: 'scan-lost-requests' };
    // In one go: no work process is free from the first request to the last.
    await submitAll('bkg', 'spool1', [...before, scan, ...after]);
    await until('everything done', finished(simDir, [...before, scan, ...after].map((t) => t.id)), 60_000);
    const started = record(simDir).filter((e) => e.operation === 'dispatch' && e.outcome === 'started').map((e) => e.target);
    // Its turn comes as a work process frees after the requests given before it, not once the backlog is gone.
    expect(started.indexOf('scan-1')).toBeLessThan(started.indexOf('after-5'));
  });
}, 90_000);

test('a dispatcher started (as from the Web UI) for a system that is not a SID fails at once naming the field, also with a second argument; one begun under such a name before the rule goes on, and continues as new keeping it', async () => {
  const simDir = path.join(dir, 'sid');
  const systems: SimSapSystem[] = [{ system: 'prd-eu', release: '4.6C', servers: [{ server: 'spool1', workProcesses: 2, outputSeconds: 0.05, managementSeconds: 0.1 }], devices: [], timings: { ...TIMINGS, continueAsNewAfterEvents: 100 } }];
  const [{ workflowId, input }] = dispatcherInputs(systems) as [{ workflowId: string; input: Record<string, unknown> }];
  await withWorkers(systems, simDir, async () => {
    const refused = temporal.client.workflow.execute('sapSpoolDispatcher', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: `${workflowId}-new`, args: [input] });
    await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringMatching(/system: must be the SAP system id \(SID\) in lower case/) } });
    // A second argument (what a continued run carries) makes no continued run of a new one.
    const carried = { state: createSpoolServer({ server: 'spool1', step: '4.6A-and-later', workProcesses: 2 }), holdsGlobalManagement: false, done: [], submitted: 0, finished: 0 };
    const posing = temporal.client.workflow.execute('sapSpoolDispatcher', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: `${workflowId}-posing`, args: [input, carried] });
    await expect(posing).rejects.toMatchObject({ cause: { message: expect.stringMatching(/system: must be the SAP system id/) } });
  });

  // Begun by the workers before the rule; then the new workers replay its first run and continue it as new.
  await withWorkers(systems, simDir, async () => {
    expect(await startSapDispatchers(temporal.client, systems)).toEqual([workflowId]);
    await temporal.client.workflow.getHandle(workflowId).query(spoolDispatcherStatusQuery);
  }, await workflowsBeforeSidFile());
  await withWorkers(systems, simDir, async () => {
    const requests = Array.from({ length: 20 }, (_, i) => out(`e-${i}`, 'lp10', false));
    // The clients refuse the longer name; the move's own giving (no name check) reaches it, given again across a hand-over.
    for (const request of requests) await giveWithoutNameCheck(temporal.client, 'prd-eu', 'spool1', request);
    await until('every request printed', finished(simDir, requests.map((r) => r.id)));
    const handle = temporal.client.workflow.getHandle(workflowId);
    const status = await untilAsync('the dispatcher told of every print', async () => {
      const s = await handle.query(spoolDispatcherStatusQuery);
      return s.finished === requests.length ? s : undefined;
    });
    expect(status).toMatchObject({ system: 'prd-eu', server: 'spool1' });
    const description = await handle.describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    expect(description.status.name).toBe('RUNNING');
  });
});
