/**
 * The agent ends a JobScheduler member's process by the pid the cluster database gives, a row the
 * members write themselves, so the pid is held to what a member's process can be before any
 * signal (0 would reach the agent's own process group, -1 every process it may signal, 1 init);
 * a member that already marked itself terminated is not signalled again (its pid may be another
 * process's by now); and the step heartbeats while it waits for a member that takes its time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createSchedulerActivities } from '../../../activities/jobscheduler/scheduler-activities';
import { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerDbPool } from '../../../activities/jobscheduler/scheduler-db-pool';
import { parseAgentConfig } from '../../../agent/agent-config';
import { createAgentActivities } from '../../../agent/agent-activities';
import { localMemberProcesses } from '../../../agent/local-member-processes';
import { isProcessAlive } from '../../../engine/process-alive';
import { MemberClusterDb } from '../../../simulator/jobscheduler/member-cluster-db';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-member-processes-'))));
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A process that, on SIGTERM, takes `exitAfterMs` to end (or never, for the stand-in of an unrelated one). */
function processEndingAfter(exitAfterMs: number | null): ChildProcess {
  const script = exitAfterMs === null ? 'setInterval(() => {}, 1000)' : `process.on('SIGTERM', () => setTimeout(() => process.exit(0), ${exitAfterMs})); setInterval(() => {}, 1000)`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function refusalOf(attempt: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test.each([0, -1, 1, 1.5, Number.NaN, process.pid])('a member whose pid is %p is refused before any signal is sent', async (pid) => {
  // No signal really goes out while this runs: were the check gone, pid 0 or -1 would reach the test runner's group or every process.
  const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
  const failure = await refusalOf(localMemberProcesses('js-berlin-1').terminate({ member: 'js-berlin-1', host: 'js-berlin-1', pid }, 1000));
  expect(failure).toMatchObject({ type: 'InvalidEffectError', nonRetryable: true });
  expect(failure.message).toContain(`gives js-berlin-1 on js-berlin-1 the pid ${String(pid)}, which is no member's process`);
  expect(kill).not.toHaveBeenCalled();
});

test('a member that takes its time to end is waited for with heartbeats, and signalled once', async () => {
  const member = processEndingAfter(1500);
  await new Promise((r) => setTimeout(r, 300));
  const kill = jest.spyOn(process, 'kill');
  let beats = 0;
  const outcome = await localMemberProcesses('js-berlin-1').terminate({ member: 'js-berlin-1', host: 'js-berlin-1', pid: member.pid! }, 10_000, () => (beats += 1));
  expect(outcome).toBe('terminated');
  expect(kill.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined)).toEqual([[member.pid, 'SIGTERM']]);
  expect(beats).toBeGreaterThanOrEqual(10);
});

test('a member that marked itself terminated is not signalled again, whatever process has its pid now', async () => {
  const database = path.join(dir, 'berlin.sqlite');
  SchedulerClusterDb.create(database).close();
  const unrelated = processEndingAfter(null);
  const db = new MemberClusterDb(database);
  const { incarnation } = db.register({ member: 'js-berlin-1', host: 'js-berlin-1', pid: unrelated.pid!, options: '-exclusive' });
  db.markTerminated({ member: 'js-berlin-1', incarnation });
  db.close();
  const pool = new SchedulerDbPool({ folder: dir });
  try {
    const activities = createSchedulerActivities({ processes: localMemberProcesses('js-berlin-1'), databases: pool, heartbeat: () => undefined });
    expect(await activities.terminateMember({ database: 'berlin.sqlite', member: 'js-berlin-1', timeoutMs: 1000 })).toEqual({ outcome: 'already-gone' });
    expect(isProcessAlive(unrelated.pid!)).toBe(true);
  } finally {
    pool.closeAll();
  }
});

test('an end-member step without its host is refused naming the field, not retried', async () => {
  const agent = createAgentActivities(
    parseAgentConfig({ host: 'js-berlin-1', notesFolder: path.join(dir, 'notes'), jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/jobscheduler/berlin' }], clusterDatabaseFolder: dir } }, 'linux'),
    () => undefined,
  );
  const failure = await refusalOf(agent.terminateMember({ step: 's1', title: 'End the backup', action: 'terminate-member', database: 'berlin.sqlite', member: 'js-berlin-1', timeoutMs: 1000 } as never));
  expect(failure).toMatchObject({ type: 'InvalidEffectError', nonRetryable: true });
  expect(failure.message).toMatch(/^host: required/);
});

test('on Windows a living member is not ended by a signal (that would be an abort): refused, and once it is gone the retry goes on', async () => {
  const member = processEndingAfter(0);
  const kill = jest.spyOn(process, 'kill');
  const onWindows = localMemberProcesses('js-berlin-1', 'win32');
  const failure = await refusalOf(onWindows.terminate({ member: 'js-berlin-2', host: 'js-berlin-1', pid: member.pid! }, 1000));
  expect(failure).toMatchObject({ type: 'NormalTerminationImpossibleError', nonRetryable: true });
  expect(failure.message).toContain(`js-berlin-2 (pid ${member.pid}) on js-berlin-1 cannot be ended normally by a signal on Windows`);
  expect(failure.message).toContain('stop its JobScheduler service');
  expect(kill.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined)).toEqual([]);
  expect(isProcessAlive(member.pid!)).toBe(true);

  // The operator ends it normally; the step's retry finds it gone.
  kill.mockRestore();
  const exited = new Promise((resolve) => member.once('exit', resolve));
  member.kill('SIGTERM');
  await exited;
  expect(await onWindows.terminate({ member: 'js-berlin-2', host: 'js-berlin-1', pid: member.pid! }, 1000)).toBe('already-gone');
});
