/**
 * Where a process's CPU went, thread by thread: Linux's /proc/self/task/<tid>/stat counts each
 * thread's user and system time. The runtime bench splits its worker's CPU with it: the process
 * runs the main thread (activities, the SDK's bridge), the workflow thread (the workflows' code,
 * in a Node worker thread), V8's helper threads (concurrent compilation and garbage collection,
 * named like the JS threads) and Temporal's core (Rust: `tokio-runtime-w…`, `workflow-proces…`).
 *
 * The workflow thread cannot be told from V8's helpers by name: it is taken to be the busiest
 * thread besides the main one with a JS thread's name over the whole measurement.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export type ThreadRole = 'main' | 'workflowThread' | 'v8Helpers' | 'temporalCore' | 'other';

export interface ThreadSample {
  name: string;
  /** User plus system time, in clock ticks. */
  ticks: number;
}

/** Name and CPU ticks of one `/proc/<pid>/task/<tid>/stat` line (the name may hold spaces and parentheses). */
export function parseTaskStat(stat: string): ThreadSample {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  // After the name: state is field 3 of the line, utime 14 and stime 15 (proc(5)).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (open < 0 || close < open || !Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc task stat line: ${stat.slice(0, 80)}`);
  return { name: stat.slice(open + 1, close), ticks: utime + stime };
}

/** This process's threads now, by thread id; empty where there is no /proc (not Linux). */
export function sampleThreads(): Map<number, ThreadSample> {
  const threads = new Map<number, ThreadSample>();
  if (!existsSync('/proc/self/task')) return threads;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      threads.set(Number(tid), parseTaskStat(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** Milliseconds per clock tick (`getconf CLK_TCK`, 100 on Linux unless built otherwise). */
export function msPerTick(): number {
  try {
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return hz > 0 ? 1000 / hz : 10;
  } catch {
    return 10;
  }
}

const JS_THREAD_NAMES = new Set(['node', 'MainThread']);

/** What each thread used between two samples, in ticks. */
export function ticksBetween(before: Map<number, ThreadSample>, after: Map<number, ThreadSample>): Map<number, ThreadSample> {
  const used = new Map<number, ThreadSample>();
  for (const [tid, now] of after) used.set(tid, { name: now.name, ticks: now.ticks - (before.get(tid)?.ticks ?? 0) });
  return used;
}

/** Adds what each thread used into `total` (kept per thread id across measurements). */
export function addTicks(total: Map<number, ThreadSample>, used: Map<number, ThreadSample>): void {
  for (const [tid, t] of used) total.set(tid, { name: t.name, ticks: (total.get(tid)?.ticks ?? 0) + t.ticks });
}

/**
 * The role of each thread, given what each used over the whole measurement: the main thread is
 * the one whose id is the process id; the busiest other JS thread is the workflow thread.
 */
export function threadRoles(total: Map<number, ThreadSample>, pid: number): Map<number, ThreadRole> {
  const roles = new Map<number, ThreadRole>();
  let busiest: number | undefined;
  for (const [tid, t] of total) {
    if (tid === pid) roles.set(tid, 'main');
    else if (t.name.startsWith('tokio') || t.name.startsWith('workflow-proces')) roles.set(tid, 'temporalCore');
    else if (JS_THREAD_NAMES.has(t.name)) {
      roles.set(tid, 'v8Helpers');
      if (busiest === undefined || t.ticks > (total.get(busiest)?.ticks ?? 0)) busiest = tid;
    } else roles.set(tid, 'other');
  }
  if (busiest !== undefined) roles.set(busiest, 'workflowThread');
  return roles;
}

/** Ticks by role. */
export function ticksByRole(used: Map<number, ThreadSample>, roles: Map<number, ThreadRole>): Record<ThreadRole, number> {
  const byRole: Record<ThreadRole, number> = { main: 0, workflowThread: 0, v8Helpers: 0, temporalCore: 0, other: 0 };
  for (const [tid, t] of used) byRole[roles.get(tid) ?? 'other'] += t.ticks;
  return byRole;
}
