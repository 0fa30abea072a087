/**
 * The runtime bench splits the worker's CPU by thread from /proc: the stat lines are read right
 * (a thread name may hold spaces and parentheses) and each thread gets its role.
 */
import { parseTaskStat, sampleThreads, threadRoles, ticksBetween, ticksByRole, type ThreadSample } from '../../../bench/thread-cpu';

const statLine = (tid: number, name: string, utime: number, stime: number) =>
  `${tid} (${name}) S 1 ${tid} ${tid} 0 -1 4194368 9183 0 0 0 ${utime} ${stime} 0 0 20 0 9 0 41 1234567 8910 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`;

test('a task stat line gives the thread name and its user plus system ticks, whatever the name holds', () => {
  expect(parseTaskStat(statLine(4242, 'node', 120, 30))).toEqual({ name: 'node', ticks: 150 });
  expect(parseTaskStat(statLine(4243, 'odd (name) here', 7, 3))).toEqual({ name: 'odd (name) here', ticks: 10 });
  expect(() => parseTaskStat('not a stat line')).toThrow(/not a \/proc task stat line/);
});

test('the main thread, the busiest other JS thread as the workflow thread, V8 helpers and the Rust core each get their role', () => {
  const total = new Map<number, ThreadSample>([
    [100, { name: 'node', ticks: 900 }],
    [101, { name: 'node', ticks: 40 }],
    [102, { name: 'node', ticks: 35 }],
    [110, { name: 'tokio-runtime-w', ticks: 500 }],
    [111, { name: 'workflow-proces', ticks: 60 }],
    [120, { name: 'node', ticks: 700 }],
    [130, { name: 'libuv-worker', ticks: 5 }],
  ]);
  const roles = threadRoles(total, 100);
  expect(Object.fromEntries(roles)).toEqual({ 100: 'main', 101: 'v8Helpers', 102: 'v8Helpers', 110: 'temporalCore', 111: 'temporalCore', 120: 'workflowThread', 130: 'other' });
  expect(ticksByRole(total, roles)).toEqual({ main: 900, workflowThread: 700, v8Helpers: 75, temporalCore: 560, other: 5 });
});

test('what each thread used between two samples is the difference; a thread that started in between counts from zero', () => {
  const before = new Map<number, ThreadSample>([[1, { name: 'node', ticks: 10 }]]);
  const after = new Map<number, ThreadSample>([
    [1, { name: 'node', ticks: 25 }],
    [2, { name: 'node', ticks: 4 }],
  ]);
  expect(Object.fromEntries(ticksBetween(before, after))).toEqual({ 1: { name: 'node', ticks: 15 }, 2: { name: 'node', ticks: 4 } });
});

test('this process on Linux has a main thread whose id is the process id', () => {
  const threads = sampleThreads();
  if (process.platform !== 'linux') return expect(threads.size).toBe(0);
  expect(threads.get(process.pid)?.ticks).toBeGreaterThanOrEqual(0);
});
