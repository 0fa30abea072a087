/**
 * A spool server's shutdown with its output requests reassigned to another spool server of the
 * system (docs/sap-spool-work-processes.md#shutting-a-spool-server-down): as of 4.0A a global
 * management task, "reassigning output requests during a spool server shutdown".
 *
 * The rules, pure, so the durable dispatcher and the tests share them:
 * - From the shutdown on the server starts nothing new; what runs finishes. Tasks keep coming in
 *   until the requests are moved, and move with them, so none overtakes an older one.
 * - The requests move once no request of a device with a set sequence runs on the server: the
 *   device's later requests would otherwise print on the other server beside the one still
 *   printing here, and overtake it.
 * - They move in their order: each work process's input queue (a sequence device's requests
 *   reserved for it), then the dispatch queue, so a device's requests reach the other server in
 *   the order they would have printed here.
 * - Management tasks still waiting are not moved: the host spool demand and the link check are the
 *   server's own, and a global task is given again by whoever schedules it; they end "not run".
 * - Once moved, the server refuses new tasks, naming the server its requests went to.
 */
import { z } from 'zod';
import { runsGlobalManagement, type SpoolServerState } from './spool-dispatcher';
import { spoolServerNameSchema } from './spool-dispatcher-input';
import { tasksOf } from './spool-releases';
import type { OutputRequest, SpoolTask } from './spool-tasks';

/** Who asks, or why: kept in the status (the shutdown's and the return to service's). */
export const operatorNoteSchema = z.string().trim().min(1, 'must not be blank when given').max(500, 'must be at most 500 characters');

/** What the operator asks: the server the requests go to, and who asks and why (kept in the status). */
export const shutDownInputSchema = z.strictObject({
  reassignTo: spoolServerNameSchema,
  operator: operatorNoteSchema.optional(),
  reason: operatorNoteSchema.optional(),
});
export type ShutDownInput = z.infer<typeof shutDownInputSchema>;

/** A change of a shutdown's target by the operator (the first ask's `operator` and `reason` stay the shutdown's own). */
export interface Retarget {
  to: string;
  at: string;
  operator?: string;
  reason?: string;
}

/** How many changes of the target a shutdown keeps. */
const RETARGETS_KEPT = 20;

/** A request the other server refused, with its refusal: it stays with this server's status for the operator. */
export interface NotReassigned {
  id: string;
  device: string;
  reason: string;
}

/** What a round of the move gives back: the ids the other server took, in order, and those it refused. */
export interface ReassignResult {
  reassigned: string[];
  refused: NotReassigned[];
  /** The set-sequence devices held back after this round (those before, and those refused in it). */
  heldBack?: Record<string, string>;
}

/** The failure of a move refused before any request was given (no dispatcher runs for the target, it shuts down too): the target may still change. */
export const REASSIGN_TARGET_REFUSED = 'ReassignTargetRefused';

/** The same refusal on a later attempt of a round, after an earlier attempt may have given requests: the target stays. */
export const REASSIGN_TARGET_REFUSED_LATE = 'ReassignTargetRefusedAfterGiving';

export interface SpoolServerShutdown {
  /** `holding`: nothing new starts, the requests wait to move; `shut-down`: moved, new tasks are refused. */
  phase: 'holding' | 'shut-down';
  reassignTo: string;
  askedAt: string;
  operator?: string;
  reason?: string;
  /** How many requests went to the other server. */
  reassigned: number;
  /** The latest requests the other server refused (at most 500); `notReassignedCount` counts them all. */
  notReassigned: NotReassigned[];
  notReassignedCount?: number;
  /** Requests were (or may have been) given to the target already: it can no longer change. */
  targetFixed?: boolean;
  /**
   * Whether the last round failed partway: some of the requests still here may be on the target
   * already (printed, even). False once a round gave everything; absent before a round ran, and in
   * shutdowns carried over from before it was kept (a fixed target then counts as partly given).
   */
  partlyGiven?: boolean;
  /** Set-sequence devices one of whose requests the target refused, with that request: their later requests are held back too. */
  heldBack?: Record<string, string>;
  /** The operator's changes of the target before requests moved, oldest first (the latest 20): to which server, when, by whom and why. */
  retargets?: Retarget[];
  /** Targets that were shut down themselves, in turn: the requests followed theirs to `reassignTo` (followTargetsRequests). */
  followedFrom?: string[];
  /** Why the last move did not happen (the other server not running, shutting down itself); tried again. */
  lastFailure?: string;
  shutDownAt?: string;
}

/**
 * Why the shutdown is refused before it is accepted, or null. Asked again with the same target (or
 * one the move followed on from, `followedFrom`), it is the same shutdown. Another target is taken only while no request can have gone to the first:
 * not once shut down, not while a round of the move runs (`moving`), not after a round that gave
 * requests or failed partway (they would print on both servers).
 */
export function shutDownRefusalOf(state: SpoolServerState, shutdown: SpoolServerShutdown | null, input: ShutDownInput, moving = false): string | null {
  if (input.reassignTo === state.server) return `reassignTo: ${state.server} is the server shutting down; name another spool server of the system`;
  if (!tasksOf(state.step).global.includes('reassign-requests')) return `reassignTo: spool server ${state.server} runs release step ${state.step}: reassigning output requests at a shutdown is a spool task as of 4.0A`;
  if (!shutdown || sameTarget(shutdown, input)) return null;
  if (shutdown.phase === 'shut-down') return `reassignTo: spool server ${state.server} is shut down already, its requests went to ${shutdown.reassignTo}`;
  if (moving) return `reassignTo: the requests of ${state.server} are being given to ${shutdown.reassignTo} now; the target cannot change during the move`;
  if (shutdown.targetFixed) return `reassignTo: requests of ${state.server} may have gone to ${shutdown.reassignTo} already (${shutdown.lastFailure ?? 'a move ran'}); the target stays ${shutdown.reassignTo}, or they would print twice`;
  return null;
}

/** True when the shutdown asked names the target under way, or one the move followed on from (it is the same shutdown). */
function sameTarget(shutdown: SpoolServerShutdown, input: ShutDownInput): boolean {
  return shutdown.reassignTo === input.reassignTo || (shutdown.followedFrom ?? []).includes(input.reassignTo);
}

/** The shutdown as asked now: a new one, or the one under way with its target changed (only while its requests have not moved). */
export function shutDownAsked(shutdown: SpoolServerShutdown | null, input: ShutDownInput, now: string): SpoolServerShutdown {
  if (!shutdown) return { phase: 'holding', reassignTo: input.reassignTo, askedAt: now, ...(input.operator ? { operator: input.operator } : {}), ...(input.reason ? { reason: input.reason } : {}), reassigned: 0, notReassigned: [] };
  if (shutdown.phase !== 'holding' || sameTarget(shutdown, input)) return shutdown;
  // The operator's new target: what the move followed before no longer leads to it. Who changed it and why is kept beside who asked first.
  const { followedFrom: _before, ...rest } = shutdown;
  const retarget: Retarget = { to: input.reassignTo, at: now, ...(input.operator ? { operator: input.operator } : {}), ...(input.reason ? { reason: input.reason } : {}) };
  return { ...rest, reassignTo: input.reassignTo, retargets: [...(shutdown.retargets ?? []), retarget].slice(-RETARGETS_KEPT) };
}

/**
 * Why a new task given to a server shutting down is refused, or null while it still takes tasks.
 * While a round of the move runs (`moving`) it is refused for now, without naming the target: given
 * there at once it could overtake a request still on its way, and taken here the rounds need not
 * end under a steady load. Shut down, it is refused naming the server its requests went to.
 */
export function shutDownSubmitRefusalOf(server: string, shutdown: SpoolServerShutdown | null, moving = false): string | null {
  if (shutdown?.phase === 'holding' && moving) return `spool server ${server} is shutting down and its output requests are being moved now: give the task again in a few seconds`;
  if (shutdown?.phase !== 'shut-down') return null;
  return `spool server ${server} is shut down (since ${shutdown.shutDownAt ?? shutdown.askedAt}); its output requests went to ${shutdown.reassignTo}: give the task to ${shutdown.reassignTo}`;
}

/** Why a task this server gave away at its shutdown is refused when given here again: it is the other server's (held or printed there). */
export function movedTaskRefusal(server: string, id: string, to: string): string {
  return `${id} went to ${to} when spool server ${server} was shut down: it is held or printed there; give it to ${to}`;
}

/** The failure type of a task refused by a server shut down, or given again after it moved: its details name where it belongs (`targetRefusalDetails`). */
export const SPOOL_SERVER_SHUT_DOWN = 'SpoolServerShutDown';

/** True when the requests may move now: no request of a device with a set sequence runs on the server. */
export function mayReassignNow(state: SpoolServerState): boolean {
  return !state.workProcesses.some((wp) => wp.running?.kind === 'output' && wp.running.sequence);
}

/** The output requests to move, in the order they would have printed here: the input queues, then the dispatch queue. */
export function requestsToReassign(state: SpoolServerState): OutputRequest[] {
  return [...state.workProcesses.flatMap((wp) => wp.inputQueue), ...state.waiting.filter((t): t is OutputRequest => t.kind === 'output')];
}

/** Management tasks still waiting: they are not moved and end "not run" at the shutdown. */
export function managementNotRun(state: SpoolServerState): SpoolTask[] {
  return state.waiting.filter((t) => t.kind === 'management');
}

/** How many requests the other server refused a shutdown keeps by id (all are counted). */
const NOT_REASSIGNED_KEPT = 500;

/** True when the shutdown has requests to move (its first move, or tasks accepted since) and they may move now. */
export function moveWaiting(state: SpoolServerState, shutdown: SpoolServerShutdown | null): boolean {
  if (shutdown === null) return false;
  const queued = state.waiting.length > 0 || state.workProcesses.some((wp) => wp.inputQueue.length > 0);
  // Not beside a global task this server still runs: at most one global task in the system at a time.
  return (shutdown.phase === 'holding' || queued) && mayReassignNow(state) && !runsGlobalManagement(state);
}

/** The shutdown after a round of the move: the target fixed, what moved and what was refused counted, the held-back devices kept. */
export function afterRound(shutdown: SpoolServerShutdown, moved: ReassignResult): SpoolServerShutdown {
  const notReassigned = [...shutdown.notReassigned, ...moved.refused];
  return {
    ...shutdown,
    partlyGiven: false,
    ...(moved.heldBack && Object.keys(moved.heldBack).length > 0 ? { heldBack: moved.heldBack } : {}),
    targetFixed: true,
    reassigned: shutdown.reassigned + moved.reassigned.length,
    notReassigned: notReassigned.slice(-NOT_REASSIGNED_KEPT),
    notReassignedCount: (shutdown.notReassignedCount ?? shutdown.notReassigned.length) + moved.refused.length,
  };
}

/** The shutdown after a round that failed: why; the target fixed unless it was refused before anything was given. */
export function afterFailedRound(shutdown: SpoolServerShutdown, reason: string, nothingGiven: boolean): SpoolServerShutdown {
  return { ...shutdown, lastFailure: reason, ...(nothingGiven ? {} : { targetFixed: true, partlyGiven: true }) };
}

/** What a target refused as a whole says: why, and, when it is shut down itself, the server its own requests went to. */
export interface TargetRefusal {
  reason: string;
  forwardedTo?: string;
}

/** The details of a target refusal's failure: where the target's own requests went, when it is shut down. */
export function targetRefusalDetails(forwardedTo: string | undefined): unknown[] {
  return forwardedTo === undefined ? [] : [{ forwardedTo }];
}

/** The server a target refusal's details name as where the target's requests went, if any. */
export function forwardInDetails(details: readonly unknown[] | null | undefined): string | undefined {
  const first: unknown = details?.[0];
  if (typeof first !== 'object' || first === null || !('forwardedTo' in first)) return undefined;
  return typeof first.forwardedTo === 'string' ? first.forwardedTo : undefined;
}

/**
 * Whether a move refused by its target follows the target's requests, and if not why (for
 * `lastFailure`). It goes on to the server the target's requests went to when the target, refusing a
 * round before anything of it was given, is shut down itself (phase `shut-down`: its move has
 * ended): its requests, this server's given to it in earlier rounds among them, reached that server
 * in their order, so this server's later ones given there come after them, as they would have on
 * the target. The target stays fixed if it was. Not followed: no forward (the target still moves its
 * own requests, or runs no dispatcher), a forward back to this server or to a server this move has
 * tried already, or a last round that failed partway (a request it gave the target may have
 * printed there, and would print again).
 */
export function followTargetsRequests(shutdown: SpoolServerShutdown, server: string, refusal: TargetRefusal, tried: ReadonlySet<string>): { follows: SpoolServerShutdown } | { notFollowed: string } {
  const next = refusal.forwardedTo;
  if (next === undefined) return { notFollowed: refusal.reason };
  if (next === server) return { notFollowed: `${refusal.reason}; its requests came here: name another spool server of the system` };
  if (tried.has(next)) return { notFollowed: `${refusal.reason}; its requests went to ${next}, which this move has tried already` };
  if (shutdown.targetFixed && shutdown.partlyGiven !== false) {
    return {
      notFollowed: `${refusal.reason}; its requests went to ${next}, but requests of ${server} may be on ${shutdown.reassignTo} already (a round failed partway), and given to ${next} they could print twice: they wait here (sap status) until ${shutdown.reassignTo} takes tasks again, or its operator decides`,
    };
  }
  return { follows: { ...shutdown, reassignTo: next, followedFrom: [...(shutdown.followedFrom ?? []), shutdown.reassignTo], lastFailure: `${refusal.reason}; its requests went to ${next}: following them there` } };
}

/** The shutdown once its last round has moved everything: shut down, new tasks refused. */
export function shutDownNow(shutdown: SpoolServerShutdown, now: string): SpoolServerShutdown {
  const { lastFailure: _moved, ...rest } = shutdown;
  return { ...rest, phase: 'shut-down', shutDownAt: rest.shutDownAt ?? now };
}

/** The server once its waiting tasks are gone (moved, or not run): queues empty, idle work processes no longer reserved. */
export function emptiedForShutdown(state: SpoolServerState): SpoolServerState {
  return {
    ...state,
    waiting: [],
    workProcesses: state.workProcesses.map((wp) => ({ ...wp, inputQueue: [], reservedFor: wp.running ? wp.reservedFor : null })),
  };
}

/**
 * The Update id a shutdown's move gives a request with (activities/sap/spool-reassignment.ts): the
 * same for every attempt of the move from that server, and it says the request comes from that
 * server's move, so a server that once gave the request to it takes it back (a server brought back
 * into service refuses a request it gave away from anyone else: spool-server-dispatcher.ts).
 */
export function reassignSpoolTaskUpdateId(from: string, task: { id: string }): string {
  return `reassign-${from}-${task.id}`;
}
