/**
 * The SPOC host agent under the conditions a real site server brings: a slow sc.exe call, a large
 * spool cache, a SPOC that is not stopped when its cache is to be deleted, services that take
 * most of their time to stop, and sc.exe failures no retry can fix. The agent keeps heartbeating,
 * refuses what it must, and fails for good where a retry cannot help.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHostAgentActivities, HostAgentDeps } from '../../../activities/spoc/spoc-host-activities';
import { NON_RETRYABLE_ERRORS } from '../../../activities/core/non-retryable-errors';
import type { ServiceControl, ServiceState } from '../../../activities/windows/service-control/service-control';
import { serviceControlErrors } from '../../helpers/service-control-cases';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { localPathOf } from '../../../simulator/windows/sim-host-files';

const INSTALL = 'C:\\Program Files\\Dispatcher Paragon';
const HOST = 'spoc-1';

/** A service control whose services are in the given states; `delayMs` makes every call slow. */
function fakeServices(states: Record<string, ServiceState | 'NOT_INSTALLED'>, delayMs = 0) {
  const calls: string[] = [];
  const wait = () => new Promise((resolve) => setTimeout(resolve, delayMs));
  const control: ServiceControl = {
    async query(service) {
      calls.push(`query ${service}`);
      await wait();
      return states[service] ?? 'NOT_INSTALLED';
    },
    async stop(service) {
      calls.push(`stop ${service}`);
      await wait();
      return 'already-stopped';
    },
    async start(service) {
      calls.push(`start ${service}`);
      await wait();
      return 'already-running';
    },
    async list() {
      calls.push('list');
      await wait();
      return Object.entries(states).flatMap(([name, state]) => (state === 'NOT_INSTALLED' ? [] : [{ key: name, display: name, state }]));
    },
  };
  return { control, calls };
}

function agent(services: ServiceControl, overrides: Partial<HostAgentDeps> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-host-'));
  const local = (win: string) => localPathOf(root, win);
  const audit: string[] = [];
  const deps: HostAgentDeps = {
    host: HOST,
    services,
    localPath: local,
    pollMs: 5,
    os: { lastBootTime: async () => 0, requestRestart: async () => 'scheduled' },
    stateDir: path.join(root, 'agent'),
    audit: (entry) => audit.push(`${entry.operation} ${entry.outcome}`),
    ...overrides,
  };
  return { activities: createHostAgentActivities(deps), local, audit };
}

/** An activity environment that records heartbeats, scheduled now (the agent's deadlines count from then). */
function environment() {
  const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), activityId: '1' });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { env, heartbeats };
}

function cacheOf(local: (win: string) => string, files: number): string {
  const cache = local(`${INSTALL}\\SPOC\\SpoolCache`);
  mkdirSync(path.join(cache, 'queue'), { recursive: true });
  mkdirSync(local(`${INSTALL}\\SPOC\\logs`), { recursive: true });
  for (let i = 0; i < files; i += 1) writeFileSync(path.join(cache, 'queue', `job-${i}.spl`), 'x');
  return cache;
}

const deleteEffect = { step: 'deleteCache', title: 'Delete the spool cache on spoc-1', action: 'delete-cache' as const, host: HOST, installDir: INSTALL };

describe('cache deletion on the agent', () => {
  test.each(['RUNNING', 'START_PENDING', 'STOP_PENDING', 'PAUSED', 'NOT_INSTALLED'] as const)(
    'is refused for good while the SPOC service is %s, before any file is touched',
    async (state) => {
      const { control } = fakeServices({ [SPOC_SERVICE]: state });
      const { activities, local, audit } = agent(control);
      const cache = cacheOf(local, 3);
      const failure = await environment().env.run(activities.deleteCache, deleteEffect).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'SpocNotStoppedError', nonRetryable: true });
      expect((failure as Error).message).toContain(HOST);
      expect((failure as Error).message).toContain(SPOC_SERVICE);
      expect((failure as Error).message).toMatch(/not STOPPED/);
      expect(readdirSync(path.join(cache, 'queue'))).toHaveLength(3);
      expect(audit).toEqual(['delete-cache refused']);
      expect(NON_RETRYABLE_ERRORS).toContain('SpocNotStoppedError');
    },
  );

  test('deletes a large cache once the SPOC is stopped, heartbeating while it runs and keeping the event loop free', async () => {
    const { control } = fakeServices({ [SPOC_SERVICE]: 'STOPPED' });
    const { activities, local, audit } = agent(control, { heartbeatEveryMs: 20 });
    const cache = cacheOf(local, 3000);
    const { env, heartbeats } = environment();
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 0);
    try {
      await expect(env.run(activities.deleteCache, deleteEffect)).resolves.toEqual({ deleted: true, path: `${INSTALL}\\SPOC\\SpoolCache` });
    } finally {
      clearInterval(timer);
    }
    expect(existsSync(cache)).toBe(false);
    expect(ticks).toBeGreaterThan(10);
    // Progress heartbeats after every batch, besides the timer's.
    const progress = heartbeats.filter((d): d is { removed: number } => typeof d === 'object' && d !== null && 'removed' in d);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toEqual({ removed: 3002 });
    expect(audit).toEqual(['delete-cache deleted']);
  });

  test("stops at the step's deadline, saying how far it got, as a failure no retry repeats", async () => {
    const { control } = fakeServices({ [SPOC_SERVICE]: 'STOPPED' });
    const { activities, local } = agent(control);
    cacheOf(local, 500);
    // Scheduled two seconds ago with one second to go: the time is up at the first batch.
    const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() - 2000, activityId: '1' });
    const failure = await env.run(activities.deleteCache, { ...deleteEffect, timeoutSeconds: 1 }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'StepTimedOutError', nonRetryable: true });
    expect((failure as Error).message).toMatch(/not deleted within 1 s \(\d+ entries removed so far/);
  });
});

/** A service that is START_PENDING until `runningAfterMs` from now, then RUNNING. */
function serviceStartingFor(runningAfterMs: number): ServiceControl {
  const runningAt = Date.now() + runningAfterMs;
  const state = (): ServiceState => (Date.now() >= runningAt ? 'RUNNING' : 'START_PENDING');
  return {
    query: async () => state(),
    stop: async () => 'already-stopped',
    start: async () => 'already-running',
    list: async () => [{ key: 'Spooler', display: 'Spooler', state: state() }],
  };
}

const awaitSpooler = { step: 'a', title: 'a', action: 'await-service-running' as const, host: HOST, service: 'Spooler', timeoutSeconds: 60 };

describe('heartbeats while a host activity waits', () => {
  test('a step that ends within its first heartbeat interval sends none, though it polled many times', async () => {
    const { activities } = agent(serviceStartingFor(100), { heartbeatEveryMs: 1000 });
    const { env, heartbeats } = environment();
    await env.run(activities.awaitServiceRunning, awaitSpooler);
    expect(heartbeats).toHaveLength(0);
  });

  test('a longer step sends its first heartbeat one interval after it began, then keeps heartbeating', async () => {
    const { activities } = agent(serviceStartingFor(700), { heartbeatEveryMs: 150 });
    const { env } = environment();
    const beganAt = Date.now();
    const sentAt: number[] = [];
    env.on('heartbeat', () => sentAt.push(Date.now() - beganAt));
    await env.run(activities.awaitServiceRunning, awaitSpooler);
    expect(sentAt[0]).toBeGreaterThanOrEqual(140);
    expect(sentAt.length).toBeGreaterThanOrEqual(3);
  });


  test('a service control call slower than the heartbeat interval still heartbeats', async () => {
    const { control } = fakeServices({ Spooler: 'STOPPED' }, 300);
    const { activities } = agent(control, { heartbeatEveryMs: 25 });
    const { env, heartbeats } = environment();
    await env.run(activities.queryServices, { step: 'q', title: 'q', action: 'query-services' as const, host: HOST, services: ['Spooler'] });
    // One call of 300 ms, no poll in between: only a timer can heartbeat that often.
    expect(heartbeats.length).toBeGreaterThanOrEqual(5);
  });
});

describe('several services stopped one after the other', () => {
  test('each has its own timeout: a slow first service does not eat the time of the next', async () => {
    // Each service takes 0.7 s to stop; the step gives each one second.
    const stoppedAt: Record<string, number> = {};
    const control: ServiceControl = {
      async query(service) {
        const at = stoppedAt[service];
        return at !== undefined && Date.now() >= at ? 'STOPPED' : 'STOP_PENDING';
      },
      async stop(service) {
        stoppedAt[service] = Date.now() + 700;
        return 'stop-requested';
      },
      async start() {
        return 'already-running';
      },
      async list() {
        return ['YSoftSQ-A', 'YSoftSQ-B'].map((key) => ({ key, display: key, state: stoppedAt[key] !== undefined && Date.now() >= (stoppedAt[key]) ? ('STOPPED' as const) : ('RUNNING' as const) }));
      },
    };
    const { activities } = agent(control, { pollMs: 20 });
    const effect = { step: 's', title: 's', action: 'stop-services' as const, host: HOST, services: ['YSoftSQ-A', 'YSoftSQ-B'], timeoutSeconds: 1 };
    await expect(environment().env.run(activities.stopServices, effect)).resolves.toMatchObject({ stopped: ['YSoftSQ-A', 'YSoftSQ-B'] });
  });
});

describe('sc.exe failures no retry can fix', () => {
  const details = { service: 'YSoftSQ-SPOC', operation: 'stop' as const, output: '[SC] ControlService FAILED 1051:' };
  const { nonRetryable, retryable } = serviceControlErrors(details, 'sc.exe failed with win32 error 1234');

  function failingStop(error: Error): ServiceControl {
    return {
      query: async () => 'RUNNING',
      stop: async () => {
        throw error;
      },
      start: async () => 'already-running',
      list: async () => [{ key: 'YSoftSQ-SPOC', display: SPOC_SERVICE, state: 'RUNNING' as const }],
    };
  }
  const stopEffect = { step: 'stopSpoc', title: 'Stop the SPOC', action: 'stop-service' as const, host: HOST, service: SPOC_SERVICE, timeoutSeconds: 30 };

  test.each(nonRetryable.map((e) => [e.name, e] as const))('%s halts the step at once: a non-retryable failure naming the host', async (_name, error) => {
    const { activities } = agent(failingStop(error));
    const failure = await environment().env.run(activities.stopService, stopEffect).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: error.name, nonRetryable: true, message: `${HOST}: ${error.message}`, details: [{ output: details.output }] });
  });

  test.each(retryable.map((e) => [e.name, e] as const))('%s is left to the retry policy', async (_name, error) => {
    const { activities } = agent(failingStop(error));
    const failure = await environment().env.run(activities.stopService, stopEffect).catch((err: unknown) => err);
    expect(failure).toBe(error);
  });
});
