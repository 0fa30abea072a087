/**
 * A host step cancelled while it runs (an operator's abort): a stop or start it sent is finished
 * (the service leaves its pending state) before the step ends as cancelled, and nothing more is
 * begun, so the abort's restore, which the workflow starts on the host only once this step has
 * ended, finds every service stopped or running, never halfway. A wait that only watches ends at
 * once.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHostAgentActivities } from '../../../activities/spoc/spoc-host-activities';
import type { ServiceControl, ServiceState } from '../../../activities/windows/service-control/service-control';
import { localPathOf } from '../../../simulator/windows/sim-host-files';

const HOST = 'spoc-1';
const SETTLE_MS = 300;

/** Services that take SETTLE_MS to stop or start; `log` keeps the controls and when each service settled. */
function slowServices(initial: Record<string, ServiceState>) {
  const states = { ...initial };
  const log: string[] = [];
  const settleLater = (service: string, to: ServiceState) =>
    setTimeout(() => {
      states[service] = to;
      log.push(`${service} ${to}`);
    }, SETTLE_MS);
  const control: ServiceControl = {
    async query(service) {
      return states[service] ?? 'NOT_INSTALLED';
    },
    async stop(service) {
      log.push(`stop ${service}`);
      states[service] = 'STOP_PENDING';
      settleLater(service, 'STOPPED');
      return 'stop-requested';
    },
    async start(service) {
      log.push(`start ${service}`);
      states[service] = 'START_PENDING';
      settleLater(service, 'RUNNING');
      return 'start-requested';
    },
    async list() {
      return Object.entries(states).map(([key, state]) => ({ key, display: key, state }));
    },
  };
  return { control, log, states };
}

function agent(services: ServiceControl) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-cancel-'));
  return createHostAgentActivities({
    host: HOST,
    services,
    localPath: (win) => localPathOf(root, win),
    pollMs: 10,
    os: { lastBootTime: async () => 0, requestRestart: async () => 'scheduled' },
    stateDir: path.join(root, 'agent'),
  });
}

/** Runs the activity and cancels it `afterMs` later; its settled outcome, and when it settled. */
async function runCancelled<T>(run: (env: MockActivityEnvironment) => Promise<T>, afterMs: number) {
  const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), activityId: '1' });
  const began = Date.now();
  const running = run(env).then(
    (value): { value?: T; error?: unknown } => ({ value }),
    (error: unknown) => ({ error }),
  );
  setTimeout(() => env.cancel(), afterMs);
  const outcome = await running;
  return { ...outcome, tookMs: Date.now() - began };
}

test('a stop of several services cancelled while the first is stopping finishes that stop, stops no other, and ends as cancelled', async () => {
  const { control, log, states } = slowServices({ 'YSoftSQ-A': 'RUNNING', 'YSoftSQ-B': 'RUNNING' });
  const activities = agent(control);
  const effect = { step: 's', title: 's', action: 'stop-services' as const, host: HOST, services: ['YSoftSQ-A', 'YSoftSQ-B'], timeoutSeconds: 5 };
  const outcome = await runCancelled((env) => env.run(activities.stopServices, effect), 50);
  expect(outcome.error).toBeInstanceOf(CancelledFailure);
  expect(log).toEqual(['stop YSoftSQ-A', 'YSoftSQ-A STOPPED']);
  expect(states).toEqual({ 'YSoftSQ-A': 'STOPPED', 'YSoftSQ-B': 'RUNNING' });
  expect(outcome.tookMs).toBeGreaterThanOrEqual(SETTLE_MS - 20);
});

test("an abort's restore cancelled while it starts a service finishes that start, starts no other, and ends as cancelled rather than listing it as not started", async () => {
  const { control, log, states } = slowServices({ 'YSoftSQ-A': 'STOPPED', 'YSoftSQ-B': 'STOPPED' });
  const activities = agent(control);
  const effect = { step: 'r', title: 'r', action: 'start-services' as const, host: HOST, services: ['YSoftSQ-A', 'YSoftSQ-B'], timeoutSeconds: 5, bestEffort: true };
  const outcome = await runCancelled((env) => env.run(activities.startServices, effect), 50);
  expect(outcome.error).toBeInstanceOf(CancelledFailure);
  expect(log).toEqual(['start YSoftSQ-A', 'YSoftSQ-A RUNNING']);
  expect(states).toEqual({ 'YSoftSQ-A': 'RUNNING', 'YSoftSQ-B': 'STOPPED' });
});

test('a cancelled stop of one service whose stop hangs ends at the step\'s time, not before, as that stop may still act', async () => {
  const { control } = slowServices({ 'YSoftSQ-A': 'RUNNING' });
  // The stop is accepted but never completes.
  const hanging: ServiceControl = { ...control, stop: async () => 'stop-requested', query: async () => 'STOP_PENDING' };
  const activities = agent(hanging);
  const effect = { step: 's', title: 's', action: 'stop-service' as const, host: HOST, service: 'YSoftSQ-A', timeoutSeconds: 0.5 };
  const outcome = await runCancelled((env) => env.run(activities.stopService, effect), 50);
  expect(outcome.error).toMatchObject({ type: 'StepTimedOutError' });
  expect(outcome.tookMs).toBeGreaterThanOrEqual(450);
});

test('a wait that only watches a service ends at once when cancelled', async () => {
  const { control } = slowServices({ 'YSoftSQ-A': 'STOPPED' });
  const activities = agent(control);
  const effect = { step: 'w', title: 'w', action: 'await-service-running' as const, host: HOST, service: 'YSoftSQ-A', timeoutSeconds: 5 };
  const outcome = await runCancelled((env) => env.run(activities.awaitServiceRunning, effect), 50);
  expect(outcome.error).toBeInstanceOf(CancelledFailure);
  expect(outcome.tookMs).toBeLessThan(1000);
});
