/**
 * The scheduler fleet's processes as another process (a CLI) sees them: everything it needs is on
 * disk under `<sim dir>/scheduler/`, so a second fleet on the same folder lists, freezes and ends
 * members the first one started. A member with options the runbook does not describe never joins.
 * A member records its own start, so a starter killed while it waited leaves no member unrecorded.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMemberProcess, SchedulerFleet, type MemberProcessState } from '../../../simulator/jobscheduler/scheduler-fleet';
import { memberFiles } from '../../../simulator/jobscheduler/member-files';
import { aliveOf, createTestCluster, TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';

let c: TestCluster;
beforeAll(() => {
  c = createTestCluster();
});
afterAll(async () => {
  await c.cleanup();
});

test('another process lists, hangs, resumes and terminates the members this one started', async () => {
  const started = await c.start('primary', '-exclusive');
  expect(await c.start('primary', '-exclusive')).toMatchObject({ pid: started.pid, running: true });

  const cli = new SchedulerFleet(c.simDir);
  expect(cli.list()).toEqual([expect.objectContaining({ member: 'primary', pid: started.pid, options: '-exclusive', running: true, hung: false, cutOff: false })]);
  await cli.hang('primary');
  expect(cli.info('primary').hung).toBe(true);
  if (existsSync('/proc/self/stat')) expect(readFileSync(`/proc/${started.pid}/stat`, 'utf8')).toMatch(/\) T /);
  await waitUntil('the hung primary is no longer alive', () => !aliveOf(c.db, 'primary'));
  cli.resume('primary');
  await waitUntil('the primary heartbeats again', () => aliveOf(c.db, 'primary'));
  await cli.hang('primary');
  // A frozen process handles SIGTERM once it runs again: terminate lets it run, then waits.
  expect(await cli.terminate('primary')).toBe('terminated');
  expect(cli.info('primary')).toMatchObject({ running: false, hung: false });
  expect(c.db.member('primary')?.status).toBe('terminated');
  expect(c.record().map((e) => `${e.operation}:${e.outcome}`)).toEqual([
    'start-member:started',
    'hang-member:hung',
    'resume-member:resumed',
    'hang-member:hung',
    'stop-member:terminated',
  ]);
});

test('a member started with cluster options the runbook does not describe exits before joining the cluster', async () => {
  await expect(c.fleet.start({ member: 'odd', database: c.database, options: '-exclusive -primary', heartbeatMs: TIMING.heartbeatMs })).rejects.toThrow(
    /odd exited \(2\) before registering[\s\S]*options: not valid cluster options/,
  );
  expect(c.db.member('odd')).toBeUndefined();
});

test('the record has the start of a member whose starter was killed before the member registered (chaos seed 9010)', async () => {
  // Cut off from the database, the member cannot register until the test reconnects it: the starter is surely still waiting then.
  const files = memberFiles(c.simDir, 'orphan');
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.cutOffFile, 'cut off until the starter is gone\n');
  // The starter is another process, as the host agents process is in a chaos run; its members are detached like the agents'.
  const fleetModule = path.resolve(__dirname, '../../../simulator/jobscheduler/scheduler-fleet.ts');
  const spec = { member: 'orphan', database: c.database, options: '-exclusive', host: 'orphan-host', heartbeatMs: 50, jobIntervalMs: 50, stepMs: 300, pollMs: 30 };
  const starter = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', `void new (require(${JSON.stringify(fleetModule)}).SchedulerFleet)(${JSON.stringify(c.simDir)}, { detached: true }).start(${JSON.stringify(spec)})`], { stdio: 'ignore' });
  const exited = new Promise((resolve) => starter.once('exit', resolve));
  const member = await waitUntil('the starter has spawned the member', () => {
    if (!existsSync(files.processFile)) return undefined;
    const state = JSON.parse(readFileSync(files.processFile, 'utf8')) as MemberProcessState;
    return isMemberProcess(state.pid, 'orphan') && state;
  });
  starter.kill('SIGKILL');
  await exited;

  rmSync(files.cutOffFile);
  await waitUntil('the member registered', () => c.db.member('orphan')?.pid === member.pid);
  const started = await waitUntil('its start is in the record', () => c.record().find((e) => e.member === 'orphan' && e.operation === 'start-member'), 3000);
  expect(started).toMatchObject({ outcome: 'started', pid: member.pid, target: '-exclusive', host: 'orphan-host' });
});
