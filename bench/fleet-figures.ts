/**
 * The fleet bench's figures from what the server kept: each procedure's history (its length, and
 * the workflow task latency from each task's scheduled event to its completed one) and the
 * rollout's status (when each group started and ended, against its floor).
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';

export interface HistoryFigures {
  /** Events per procedure history: mean and the largest. */
  eventsMean: number;
  eventsMax: number;
  /** The rollout's own history. */
  rolloutEvents: number;
  /**
   * Workflow tasks that timed out waiting (e.g. on the worker's sticky queue, 10 s by default), each
   * named (the workflow, when, which timeout, how long it had waited): each makes the worker replay
   * that workflow's whole history.
   */
  timedOutTasks: TimedOutTask[];
  /** When each activity the procedures scheduled (their steps, attempts not counted) was scheduled, ms. */
  activityScheduledMs: number[];
  /** Workflow task scheduled → started (waiting for the worker) and scheduled → completed, ms. */
  scheduleToStartMs: number[];
  scheduleToCompleteMs: number[];
  /** Each activity attempt that completed: scheduled → started (on its way to the agent or worker) and started → completed (its run, reported back), ms. */
  activityScheduleToStartMs: number[];
  activityStartToCompleteMs: number[];
}

const SCHEDULED = 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED';
const STARTED = 'EVENT_TYPE_WORKFLOW_TASK_STARTED';
const COMPLETED = 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';
const ACTIVITY_SCHEDULED = 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED';
const TIMED_OUT = 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT';
const ACTIVITY_COMPLETED = 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED';

export interface TimedOutTask {
  workflowId: string;
  /** When the server timed it out, ms since the epoch. */
  atMs: number;
  /** START_TO_CLOSE (a worker took it and did not answer in time) or SCHEDULE_TO_START (no worker took it from the sticky queue). */
  timeout: string;
  /** From the task's scheduled event to its time-out, ms. */
  waitedMs: number;
}

interface HistoryEvent {
  eventId?: unknown;
  eventType?: unknown;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  workflowTaskTimedOutEventAttributes?: { scheduledEventId?: unknown; timeoutType?: unknown } | null;
  workflowTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  workflowTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown; startedEventId?: unknown } | null;
}

/** When the server recorded an event, ms since the epoch. */
export function eventMs(e: Pick<HistoryEvent, 'eventTime'>): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

/** The workflow tasks of one history that timed out, named, so that a run's figures say which they were. */
export function timedOutTasks(workflowId: string, events: readonly HistoryEvent[]): TimedOutTask[] {
  const at = new Map(events.map((e) => [String(e.eventId), eventMs(e)]));
  return events
    .filter((e) => eventTypeName(e.eventType) === TIMED_OUT)
    .map((e) => {
      const attributes = e.workflowTaskTimedOutEventAttributes;
      const scheduled = at.get(String(attributes?.scheduledEventId));
      const type = attributes?.timeoutType;
      const timeout = (typeof type === 'number' ? (temporal.api.enums.v1.TimeoutType[type] ?? String(type)) : String(type ?? 'unknown')).replace(/^TIMEOUT_TYPE_/, '');
      return { workflowId, atMs: eventMs(e), timeout, waitedMs: scheduled === undefined ? Number.NaN : eventMs(e) - scheduled };
    });
}

/** The histories' lengths and workflow task latencies of the procedures (by workflow id) and the rollout. */
export async function historyFigures(client: Client, procedureIds: readonly string[], rolloutId: string): Promise<HistoryFigures> {
  const scheduleToStartMs: number[] = [];
  const scheduleToCompleteMs: number[] = [];
  const lengths: number[] = [];
  const activityScheduledMs: number[] = [];
  const activityScheduleToStartMs: number[] = [];
  const activityStartToCompleteMs: number[] = [];
  const timedOut: TimedOutTask[] = [];
  const read = async (workflowId: string): Promise<number> => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = (history.events ?? []) as HistoryEvent[];
    timedOut.push(...timedOutTasks(workflowId, events));
    const scheduledAt = new Map<string, number>();
    // Any event's time by its id: an activity's started event is written with its completion, but timed when it started.
    const at = new Map(events.map((e) => [String(e.eventId), eventMs(e)]));
    for (const e of events) {
      const type = eventTypeName(e.eventType);
      if (type === SCHEDULED) scheduledAt.set(String(e.eventId), eventMs(e));
      if (type === ACTIVITY_SCHEDULED) activityScheduledMs.push(eventMs(e));
      if (type === ACTIVITY_COMPLETED) {
        const done = e.activityTaskCompletedEventAttributes;
        const scheduled = at.get(String(done?.scheduledEventId));
        const started = at.get(String(done?.startedEventId));
        if (scheduled !== undefined && started !== undefined) {
          activityScheduleToStartMs.push(started - scheduled);
          activityStartToCompleteMs.push(eventMs(e) - started);
        }
      }
      if (type === STARTED) {
        const at = scheduledAt.get(String(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (at !== undefined) scheduleToStartMs.push(eventMs(e) - at);
      }
      if (type === COMPLETED) {
        const at = scheduledAt.get(String(e.workflowTaskCompletedEventAttributes?.scheduledEventId));
        if (at !== undefined) scheduleToCompleteMs.push(eventMs(e) - at);
      }
    }
    return events.length;
  };
  // A few at a time: the server is the one being measured.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < procedureIds.length) {
        const id = procedureIds[next++];
        if (id !== undefined) lengths.push(await read(id));
      }
    }),
  );
  const rolloutEvents = await read(rolloutId);
  return {
    eventsMean: lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length),
    eventsMax: Math.max(0, ...lengths),
    rolloutEvents,
    activityScheduledMs,
    timedOutTasks: timedOut.sort((a, b) => a.atMs - b.atMs),
    scheduleToStartMs,
    scheduleToCompleteMs,
    activityScheduleToStartMs,
    activityStartToCompleteMs,
  };
}

/** An event's type by its name (`EVENT_TYPE_...`): it comes as the enum's number or its name, depending on how the history was decoded. */
export function eventTypeName(t: unknown): string {
  return typeof t === 'number' ? (temporal.api.enums.v1.EventType[t] ?? String(t)) : String(t);
}

/**
 * CPU seconds a process has used so far (user and system), from /proc; undefined where there is
 * none (not Linux) or the process is gone. For the dev server, whose CPU the bench's own figure
 * leaves out.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Steps scheduled per second: over the whole run, and in its busiest `windowSeconds`. */
export function stepRate(scheduledMs: readonly number[], windowSeconds: number): { meanPerSecond: number; busiestPerSecond: number } {
  const sorted = [...scheduledMs].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const span = Math.max(1, ((sorted[sorted.length - 1] ?? first) - first) / 1000);
  let busiest = 0;
  let from = 0;
  sorted.forEach((t, to) => {
    while ((sorted[from] ?? t) < t - windowSeconds * 1000) from += 1;
    busiest = Math.max(busiest, to - from + 1);
  });
  return { meanPerSecond: sorted.length / span, busiestPerSecond: busiest / windowSeconds };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface TimeBreakdown {
  /** Rollout start to its first group's start. */
  leadInSeconds: number;
  /** Each group's run beyond its own floor, summed and per group. */
  groupOverheadSeconds: number[];
  /** How long places stood free: from a group's end to the next group's start, while groups waited. */
  startLagSeconds: number[];
  /** Last group's end to the rollout's result. */
  tailSeconds: number;
  /** The rollout's start to its last group's start. */
  lastStartSeconds: number;
  /** The first start to the `atOnce`-th: how spread the first wave's starts were. */
  firstWaveSpreadSeconds: number;
}

/** Where the wall time went beyond the floor, from the rollout's per-group times. */
export function timeBreakdown(status: RolloutStatus, floorOf: (name: string) => number, startedAt: number, endedAt: number, atOnce = status.limits.maxGroupsAtOnce): TimeBreakdown {
  const groups = status.perGroup.filter((g) => g.startedAt && g.endedAt).map((g) => ({ name: g.name, start: Date.parse(g.startedAt ?? ''), end: Date.parse(g.endedAt ?? '') }));
  const starts = groups.map((g) => g.start).sort((a, b) => a - b);
  const ends = groups.map((g) => g.end).sort((a, b) => a - b);
  // The k-th start after the first wave waited for the k-th end: the lag between them.
  const firstWave = starts.filter((s) => s - (starts[0] ?? 0) < 1000).length;
  const startLagSeconds = starts.slice(firstWave).map((s, i) => Math.max(0, s - (ends[i] ?? s)) / 1000);
  return {
    leadInSeconds: ((starts[0] ?? startedAt) - startedAt) / 1000,
    groupOverheadSeconds: groups.map((g) => (g.end - g.start) / 1000 - floorOf(g.name)),
    startLagSeconds,
    tailSeconds: (endedAt - (ends[ends.length - 1] ?? endedAt)) / 1000,
    lastStartSeconds: ((starts[starts.length - 1] ?? startedAt) - startedAt) / 1000,
    firstWaveSpreadSeconds: ((starts[Math.min(atOnce, starts.length) - 1] ?? startedAt) - (starts[0] ?? startedAt)) / 1000,
  };
}

/** One step of a procedure's path, as `status` shows it. */
export interface PathStep {
  action: string;
  host?: string;
  startedAt: string;
  endedAt?: string;
}

export interface GroupTimeSplit {
  /** Steps on the hosts (service control, log checks): the simulated service times plus the agents' polling. */
  hostSeconds: number;
  /** Steps of the central worker (Management Server checks, preflight answers). */
  centralSeconds: number;
  /** The mandated waits (timers). */
  waitSeconds: number;
  /** Between the group's start and its first step: the procedure's start and its leases. */
  beforeFirstStepSeconds: number;
  /** Between one step's end and the next one's start: workflow tasks and activity dispatch. */
  betweenStepsSeconds: number;
  /** From the last step's end to the group's end: leases released, the result. */
  afterLastStepSeconds: number;
  /** Of that, until the server closed the procedure (the rest: until the rollout learned it); absent when not known. */
  untilClosedSeconds?: number;
  steps: number;
  /** Seconds per kind of step (action), summed over the group. */
  byAction: Record<string, { count: number; seconds: number }>;
}

/** How one group's time splits, from its procedure's path and its start and end in the rollout. */
export function groupTimeSplit(path: readonly PathStep[], startMs: number, endMs: number, closedMs?: number): GroupTimeSplit {
  const spans = path.filter((p) => p.endedAt).map((p) => ({ ...p, from: Date.parse(p.startedAt), to: Date.parse(p.endedAt ?? p.startedAt) }));
  const sum = (list: typeof spans) => list.reduce((a, s) => a + (s.to - s.from), 0) / 1000;
  const ordered = [...spans].sort((a, b) => a.from - b.from);
  let between = 0;
  let reached = ordered[0]?.from ?? startMs;
  for (const s of ordered) {
    if (s.from > reached) between += s.from - reached;
    reached = Math.max(reached, s.to);
  }
  return {
    hostSeconds: sum(spans.filter((s) => s.action !== 'wait' && s.host)),
    centralSeconds: sum(spans.filter((s) => s.action !== 'wait' && !s.host)),
    waitSeconds: sum(spans.filter((s) => s.action === 'wait')),
    beforeFirstStepSeconds: ((ordered[0]?.from ?? startMs) - startMs) / 1000,
    betweenStepsSeconds: between / 1000,
    afterLastStepSeconds: (endMs - reached) / 1000,
    ...(closedMs !== undefined ? { untilClosedSeconds: (closedMs - reached) / 1000 } : {}),
    steps: spans.length,
    byAction: spans.reduce<Record<string, { count: number; seconds: number }>>((acc, s) => {
      const entry = (acc[s.action] ??= { count: 0, seconds: 0 });
      entry.count += 1;
      entry.seconds += (s.to - s.from) / 1000;
      return acc;
    }, {}),
  };
}
