/**
 * A work process's activity is idempotent by the task's id: run twice (at once, one after the
 * other, or after the process that ran the first was killed) the request is printed once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSapSpoolActivities } from '../../../activities/sap/spool-work-process-activities';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';
import { SapSpoolOperation, SimSpoolServers } from '../../../simulator/sap/sim-spool-servers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-sap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SERVER = { system: 'prd', server: 'spool1', outputSeconds: 0.05, managementSeconds: 0.05, speeds: [1, 2] };
const request: SpoolTask = { kind: 'output', id: 'r-1', device: 'lp01', sequence: true, frontend: false };
const activitiesOn = (servers: SimSpoolServers) => createSapSpoolActivities((system, server) => servers.host(system, server));
const lines = (servers: SimSpoolServers) => (servers.record.read() as SapSpoolOperation[]).map((e) => `${e.operation} ${e.target} ${e.outcome}`);

describe('the work process activity', () => {
  test('a request handed out twice at once is begun and printed once; the second attempt joins the first', async () => {
    const servers = new SimSpoolServers(dir, [SERVER]);
    const { processSpoolTask } = activitiesOn(servers);
    const input = { system: 'prd', server: 'spool1', workProcess: 0, task: request };
    const [first, second] = await Promise.all([processSpoolTask(input), processSpoolTask(input)]);
    expect([first, second]).toEqual([{ outcome: 'printed', again: false }, { outcome: 'printed', again: true }]);
    expect(lines(servers)).toEqual(['dispatch r-1 started', 'dispatch r-1 rejoined', 'finish r-1 printed']);
    expect(await processSpoolTask(input)).toEqual({ outcome: 'printed', again: true });
    expect(lines(servers)).toHaveLength(3);
  });

  test('after the process was killed mid-request, the next one finds it begun and waits for it: still printed once', async () => {
    const before = new SimSpoolServers(dir, [SERVER]);
    before.host('prd', 'spool1').begin(request, 1); // begun, then the process died
    const after = new SimSpoolServers(dir, [SERVER]);
    expect(after.host('prd', 'spool1').lookup('r-1')).toEqual({ state: 'begun' });
    expect(await activitiesOn(after).processSpoolTask({ system: 'prd', server: 'spool1', workProcess: 0, task: request })).toEqual({ outcome: 'printed', again: true });
    expect(lines(after)).toEqual(['dispatch r-1 started', 'dispatch r-1 rejoined', 'finish r-1 printed']);
  });

  test('every nth host spool demand hangs until its attempt is cancelled', async () => {
    const servers = new SimSpoolServers(dir, [{ ...SERVER, hangEveryNthDemand: 2 }]);
    const host = servers.host('prd', 'spool1');
    const demand = (id: string): SpoolTask => ({ kind: 'management', id, task: 'host-spool-demand' });
    host.begin(demand('d1'), 0);
    host.begin(demand('d2'), 1);
    await expect(host.whenDone('d1', new AbortController().signal)).resolves.toBe('done');
    const attempt = new AbortController();
    const hanging = host.whenDone('d2', attempt.signal);
    setTimeout(() => attempt.abort(new Error('attempt over')), 100);
    await expect(hanging).rejects.toThrow('attempt over');
    expect((servers.record.read() as SapSpoolOperation[]).find((e) => e.target === 'd2')).toMatchObject({ seconds: null });
  });
});

test('a work process heartbeats three times within a heartbeat timeout shorter than its usual second', async () => {
  const servers = new SimSpoolServers(dir, [{ ...SERVER, outputSeconds: 1.5 }]);
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 1000 });
  let beats = 0;
  env.on('heartbeat', () => (beats += 1));
  await env.run(activitiesOn(servers).processSpoolTask, { system: 'prd', server: 'spool1', workProcess: 0, task: request });
  // Every third of the timeout over the request's 1.5 s: some four beats (at a beat a second, one).
  expect(beats).toBeGreaterThanOrEqual(3);
});
