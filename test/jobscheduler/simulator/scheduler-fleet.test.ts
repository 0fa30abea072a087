/**
 * The scheduler fleet's processes as another process (a CLI) sees them: everything it needs is on
 * disk under `<sim dir>/scheduler/`, so a second fleet on the same folder lists, freezes and ends
 * members the first one started. A member with options the runbook does not describe never joins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SchedulerFleet } from '../../../simulator/jobscheduler/scheduler-fleet';
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
