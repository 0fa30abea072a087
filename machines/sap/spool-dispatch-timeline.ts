/**
 * The dispatcher in simulated time: tasks arrive, work processes take them for as long as they
 * take, and every decision and finish is written down with its time. Pure (no clock, no timers):
 * the tests' properties and `npm run bench`'s throughput table run the same rules as the durable
 * dispatcher, thousands of requests in milliseconds.
 */
import { createSpoolServer, Dispatch, SpoolServerSettings } from './spool-dispatcher';
import { finishOn, ServerDispatch, SpoolSystemState, submitTo } from './spool-system';
import type { SpoolTask } from './spool-tasks';

export interface Arrival {
  /** Simulated seconds. */
  at: number;
  server: string;
  task: SpoolTask;
}

export interface TimelineInput {
  servers: SpoolServerSettings[];
  /** In any order; ties keep their order. */
  arrivals: Arrival[];
  /** Seconds the work process takes for the task; Infinity: it hangs (a host spool demand that never answers). */
  duration: (task: SpoolTask, server: string, workProcess: number) => number;
  /** Stop here even if work processes still run (needed when some hang). */
  until?: number;
}

/** A decision of a dispatcher, or a work process that finished its task. */
export interface TimelineEvent {
  time: number;
  server: string;
  dispatch: Dispatch | { kind: 'finish'; workProcess: number; taskId: string };
}

export interface Timeline {
  events: TimelineEvent[];
  /** When each task finished, by id. */
  finishedAt: Map<string, number>;
  system: SpoolSystemState;
  /** The time of the last event. */
  end: number;
}

interface Running {
  time: number;
  server: string;
  workProcess: number;
  taskId: string;
}

export function runTimeline(input: TimelineInput): Timeline {
  const arrivals = input.arrivals.map((a, order) => ({ ...a, order })).sort((a, b) => a.at - b.at || a.order - b.order);
  const until = input.until ?? Infinity;
  let system: SpoolSystemState = { servers: input.servers.map(createSpoolServer) };
  const events: TimelineEvent[] = [];
  const finishedAt = new Map<string, number>();
  let running: Running[] = [];
  let now = 0;

  const record = (time: number, dispatches: ServerDispatch[]) => {
    for (const d of dispatches) {
      events.push({ ...d, time });
      if (d.dispatch.kind !== 'start') continue;
      const took = input.duration(d.dispatch.task, d.server, d.dispatch.workProcess);
      if (Number.isFinite(took)) running.push({ time: time + took, server: d.server, workProcess: d.dispatch.workProcess, taskId: d.dispatch.task.id });
    }
  };

  let next = 0;
  for (;;) {
    const soonest = running.reduce<Running | undefined>((a, r) => (a === undefined || r.time < a.time ? r : a), undefined);
    const arrival = arrivals[next];
    // A finish at the same time as an arrival goes first: the freed work process is there for it.
    if (soonest && (!arrival || soonest.time <= arrival.at)) {
      if (soonest.time > until) break;
      now = soonest.time;
      running = running.filter((r) => r !== soonest);
      finishedAt.set(soonest.taskId, now);
      events.push({ time: now, server: soonest.server, dispatch: { kind: 'finish', workProcess: soonest.workProcess, taskId: soonest.taskId } });
      const result = finishOn(system, soonest.server, soonest.workProcess, soonest.taskId);
      system = result.system;
      record(now, result.dispatches);
    } else if (arrival) {
      if (arrival.at > until) break;
      now = arrival.at;
      next += 1;
      const result = submitTo(system, arrival.server, arrival.task);
      system = result.system;
      record(now, result.dispatches);
    } else break;
  }
  return { events, finishedAt, system, end: now };
}
