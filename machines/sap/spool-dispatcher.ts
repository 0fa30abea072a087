/**
 * A spool server's dispatcher, as a pure state (docs/sap-spool-work-processes.md#the-dispatcher):
 * tasks in, which work process takes which task out. The durable dispatcher (workflows/) and the
 * simulated time line (spool-dispatch-timeline.ts) both run it, so they keep the same rules:
 *
 * - local management tasks (host spool demand, link check): each by at most one work process of
 *   the instance at a time; a further one waits until it ends;
 * - global management tasks: at most one work process in the whole system at a time (the caller
 *   says whether one runs elsewhere: `globalManagementElsewhere`);
 * - frontend output: at most rdisp/wp_no_spo_Fro_max work processes at a time;
 * - a device with a set sequence: the first free work process is reserved for it and gets its own
 *   input queue; later requests for the device go into that queue; it takes nothing else until
 *   the queue is empty, then gives the reservation up; while every work process is reserved,
 *   nothing more goes into the input queues;
 * - devices without a set sequence: any free work process, in parallel, so their requests may
 *   overtake each other.
 *
 * Tasks wait in the server's dispatch queue, oldest first; a task that cannot be taken now does not
 * hold up those behind it, except a sequence device's later requests, which wait behind its earlier one.
 */
import { ReleaseStep, tasksOf } from './spool-releases';
import { describeTask, isGlobalManagement, OutputRequest, SpoolTask } from './spool-tasks';

export interface WorkProcess {
  /** Its number on the instance, from 0. */
  number: number;
  running: SpoolTask | null;
  /** The device it is reserved for, or null. */
  reservedFor: string | null;
  /** Its own input queue while reserved, oldest first. */
  inputQueue: OutputRequest[];
}

export interface SpoolServerState {
  server: string;
  step: ReleaseStep;
  /** rdisp/wp_no_spo_Fro_max. */
  froMax: number;
  workProcesses: WorkProcess[];
  /** The dispatch queue: tasks no work process has taken yet, oldest first. */
  waiting: SpoolTask[];
}

export interface SpoolServerSettings {
  server: string;
  step: ReleaseStep;
  workProcesses: number;
  froMax?: number;
}

/** One decision of the dispatcher, in the order taken. */
export type Dispatch =
  | { kind: 'start'; workProcess: number; task: SpoolTask; from: 'dispatch-queue' | 'input-queue' }
  | { kind: 'reserve'; workProcess: number; device: string }
  | { kind: 'queue'; workProcess: number; request: OutputRequest }
  | { kind: 'release'; workProcess: number; device: string };

export interface DispatchResult {
  state: SpoolServerState;
  dispatches: Dispatch[];
}

export interface SystemView {
  /** A global management task runs on another spool server now. */
  globalManagementElsewhere: boolean;
  /** The server is shutting down (spool-shutdown.ts): it starts nothing new, what runs finishes. */
  shuttingDown?: boolean;
}

/** A task the server's release does not have, or a state that is not one. */
export class SpoolTaskRefusedError extends Error {
  override readonly name = 'SpoolTaskRefusedError';
}

export function createSpoolServer(settings: SpoolServerSettings): SpoolServerState {
  if (!Number.isInteger(settings.workProcesses) || settings.workProcesses < 1) throw new SpoolTaskRefusedError(`workProcesses must be a whole number of at least 1, not ${settings.workProcesses}`);
  const froMax = settings.froMax ?? 1;
  if (!Number.isInteger(froMax) || froMax < 1) throw new SpoolTaskRefusedError(`froMax (rdisp/wp_no_spo_Fro_max) must be a whole number of at least 1, not ${froMax}`);
  return {
    server: settings.server,
    step: settings.step,
    froMax,
    workProcesses: Array.from({ length: settings.workProcesses }, (_, number) => ({ number, running: null, reservedFor: null, inputQueue: [] })),
    waiting: [],
  };
}

/** Why this server's release cannot take the task, or null when it can. */
export function refusalOf(state: SpoolServerState, task: SpoolTask): string | null {
  const tasks = tasksOf(state.step);
  if (task.kind === 'output') {
    if (task.frontend && !tasks.frontendOutputBySpool) return `${describeTask(task)}: before 4.6A frontend printing goes through dialog work processes, not the spool service of ${state.server}`;
    return null;
  }
  const known: readonly string[] = [...tasks.local, ...tasks.global];
  return known.includes(task.task) ? null : `${task.task}: not a spool task of release step ${state.step} (server ${state.server})`;
}

/** True when the server holds the task anywhere: waiting, running or in an input queue. */
export function holds(state: SpoolServerState, id: string): boolean {
  return heldTask(state, id) !== undefined;
}

/** The task of this id the server holds (waiting, running or in an input queue), if any. */
export function heldTask(state: SpoolServerState, id: string): SpoolTask | undefined {
  const waiting = state.waiting.find((t) => t.id === id);
  if (waiting) return waiting;
  // No list built per call: `holds` runs at every submit, also in the simulated time line's thousands.
  for (const wp of state.workProcesses) {
    if (wp.running?.id === id) return wp.running;
    const queued = wp.inputQueue.find((r) => r.id === id);
    if (queued) return queued;
  }
  return undefined;
}

/**
 * Why a task given again under an id the server holds is refused: it is another task (another
 * device, kind or setting) than the one given first, and one id is one task. Null when it is the same.
 */
export function otherTaskUnderIdOf(held: SpoolTask | undefined, task: SpoolTask): string | null {
  if (held === undefined || JSON.stringify(held) === JSON.stringify(task)) return null;
  return `id: ${task.id} was given as ${describeTask(held)}, now as ${describeTask(task)}; one id is one task (give the new one its own id)`;
}

/**
 * Why an output request is refused for its device's sequence setting: the server holds requests
 * for the same device given with the other setting (`also`: requests accepted and not yet taken
 * in). The sequence is a setting of the device, not of a request: a request without it would
 * overtake the device's requests held in their order, and one with it would wait behind requests
 * that may be printing in parallel. Null when the setting agrees, or nothing of the device is held.
 */
export function otherSequenceOfDeviceOf(state: SpoolServerState, task: SpoolTask, also: readonly SpoolTask[] = []): string | null {
  if (task.kind !== 'output') return null;
  const differing: string[] = [];
  const look = (held: SpoolTask | null) => {
    if (held?.kind === 'output' && held.device === task.device && held.sequence !== task.sequence && held.id !== task.id) differing.push(held.id);
  };
  // In the order they print: running, queued for a work process, waiting, not yet taken in.
  for (const wp of state.workProcesses) {
    look(wp.running);
    wp.inputQueue.forEach(look);
  }
  state.waiting.forEach(look);
  also.forEach(look);
  if (differing.length === 0) return null;
  const shown = differing.length > 3 ? `${differing.slice(0, 3).join(', ')} and ${differing.length - 3} more` : differing.join(', ');
  return task.sequence
    ? `sequence: device ${task.device} has requests held without a set sequence (${shown}); a device has one setting for all its requests: give this one sequence false, or change the device's setting once those are done`
    : `sequence: device ${task.device} has requests held in a set sequence (${shown}); a request for it without one would overtake them: give it sequence true, or change the device's setting once those are done`;
}

/**
 * Why the dispatcher's Update refuses a task before it is accepted, or null: one the server's
 * release does not have; another task under a held id; and, for a task neither held nor done
 * lately (one given again is answered as before), one whose device's sequence setting differs
 * from the requests held for it, or one more than `maxTasksHeld` (the inbox, tasks accepted and
 * not yet taken in, counts: the loop must never refuse a task it accepted).
 */
export function submitRefusalOf(
  state: SpoolServerState,
  task: SpoolTask,
  accepted: { inbox: readonly SpoolTask[]; done: ReadonlySet<string>; maxTasksHeld?: number },
): string | null {
  const refusal = refusalOf(state, task);
  if (refusal) return refusal;
  const held = heldTask(state, task.id) ?? accepted.inbox.find((t) => t.id === task.id);
  const other = otherTaskUnderIdOf(held, task);
  if (other) return other;
  if (accepted.done.has(task.id) || held !== undefined) return null;
  return otherSequenceOfDeviceOf(state, task, accepted.inbox) ?? fullRefusalOf(state, task, accepted.inbox.length, accepted.maxTasksHeld);
}

/** True when one of the server's work processes runs a global management task. */
export function runsGlobalManagement(state: SpoolServerState): boolean {
  return state.workProcesses.some((wp) => wp.running?.kind === 'management' && isGlobalManagement(wp.running.task));
}

/**
 * The most tasks one spool server holds that are not done (waiting, in input queues, running): the
 * dispatcher keeps them in its workflow's state, which travels to the next run whole, so a backlog
 * (every work process reserved for sequence devices, a hanging management task) must not grow it
 * without bound. Past it, new tasks are refused until some are done, as a full spool queue overflows.
 */
export const MAX_TASKS_HELD = 2000;

/** How many tasks the server holds that are not done: waiting, in an input queue, or running. */
export function tasksHeld(state: SpoolServerState): number {
  return state.waiting.length + state.workProcesses.reduce((n, wp) => n + wp.inputQueue.length + (wp.running ? 1 : 0), 0);
}

/**
 * Why the server takes no new task now (it holds `max` tasks not done, with `alsoComing` more
 * accepted and not yet submitted), or null when it takes one.
 */
export function fullRefusalOf(state: SpoolServerState, task: SpoolTask, alsoComing = 0, max = MAX_TASKS_HELD): string | null {
  const held = tasksHeld(state) + alsoComing;
  return held >= max ? `${describeTask(task)}: spool server ${state.server} holds ${held} tasks not yet done, the most it keeps (maxTasksHeld ${max}); submit it again once some are done` : null;
}

/**
 * A new task: into the dispatch queue, then dispatched. A task the server already holds changes
 * nothing; a new one past `maxTasksHeld` is refused.
 */
export function submit(state: SpoolServerState, task: SpoolTask, system: SystemView, maxTasksHeld = MAX_TASKS_HELD): DispatchResult {
  const refusal = refusalOf(state, task);
  if (refusal) throw new SpoolTaskRefusedError(refusal);
  if (holds(state, task.id)) return { state, dispatches: [] };
  const full = fullRefusalOf(state, task, 0, maxTasksHeld);
  if (full) throw new SpoolTaskRefusedError(full);
  return dispatch({ ...state, waiting: [...state.waiting, task] }, system);
}

/**
 * A work process finished its task. One that is reserved goes on with its input queue or, when
 * that is empty, gives the reservation up. A finish for a task the work process is not running
 * (told twice) changes nothing.
 */
export function finish(state: SpoolServerState, workProcess: number, taskId: string, system: SystemView): DispatchResult {
  const wp = state.workProcesses[workProcess];
  if (!wp || wp.running?.id !== taskId) return { state, dispatches: [] };
  const workProcesses = state.workProcesses.map((w) => (w.number === workProcess ? { ...w, running: null } : w));
  return dispatch({ ...state, workProcesses }, system);
}

/** Hands out what can be handed out now: nothing while the server shuts down. */
export function dispatch(state: SpoolServerState, system: SystemView): DispatchResult {
  if (system.shuttingDown) return { state, dispatches: [] };
  const dispatches: Dispatch[] = [];
  const wps: WorkProcess[] = state.workProcesses.map((wp) => ({ ...wp, inputQueue: [...wp.inputQueue] }));

  // A reserved work process that is idle goes on with its own queue, or gives the reservation up.
  for (const wp of wps) {
    if (wp.running !== null || wp.reservedFor === null) continue;
    const next = wp.inputQueue.shift();
    if (next) {
      wp.running = next;
      dispatches.push({ kind: 'start', workProcess: wp.number, task: next, from: 'input-queue' });
    } else {
      dispatches.push({ kind: 'release', workProcess: wp.number, device: wp.reservedFor });
      wp.reservedFor = null;
    }
  }

  const free = () => wps.find((wp) => wp.running === null && wp.reservedFor === null);
  const allReserved = () => wps.every((wp) => wp.reservedFor !== null);
  const start = (wp: WorkProcess, task: SpoolTask) => {
    wp.running = task;
    dispatches.push({ kind: 'start', workProcess: wp.number, task, from: 'dispatch-queue' });
  };
  // A sequence device's request that stays keeps the device's later ones behind it.
  const heldDevices = new Set<string>();
  const waiting: SpoolTask[] = [];

  for (const [index, task] of state.waiting.entries()) {
    // Nothing free and nothing more for the input queues: the rest stays as it is.
    if (!free() && (allReserved() || !wps.some((wp) => wp.reservedFor !== null))) {
      waiting.push(...state.waiting.slice(index));
      break;
    }
    if (!place(task)) waiting.push(task);
  }
  return { state: { ...state, workProcesses: wps, waiting }, dispatches };

  function place(task: SpoolTask): boolean {
    if (task.kind === 'output' && task.sequence) {
      if (heldDevices.has(task.device) || allReserved()) return hold(task.device);
      const reserved = wps.find((wp) => wp.reservedFor === task.device);
      if (reserved) {
        reserved.inputQueue.push(task);
        dispatches.push({ kind: 'queue', workProcess: reserved.number, request: task });
        return true;
      }
      const wp = free();
      if (!wp) return hold(task.device);
      wp.reservedFor = task.device;
      dispatches.push({ kind: 'reserve', workProcess: wp.number, device: task.device });
      start(wp, task);
      return true;
    }
    const wp = free();
    if (!wp || !mayStart(task)) return false;
    start(wp, task);
    return true;
  }

  function hold(device: string): false {
    heldDevices.add(device);
    return false;
  }

  function mayStart(task: SpoolTask): boolean {
    if (task.kind === 'output') return !task.frontend || wps.filter((wp) => wp.running?.kind === 'output' && wp.running.frontend).length < state.froMax;
    if (isGlobalManagement(task.task)) return !system.globalManagementElsewhere && !wps.some((wp) => wp.running?.kind === 'management' && isGlobalManagement(wp.running.task));
    return !wps.some((wp) => wp.running?.kind === 'management' && wp.running.task === task.task);
  }
}
