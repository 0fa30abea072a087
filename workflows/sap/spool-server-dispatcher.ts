/**
 * A spool server's durable dispatcher (docs/sap-spool-work-processes.md#the-durable-dispatcher): an
 * entity workflow, one per spool server (`sap-spool-dispatcher-<system>-<server>`), that takes
 * output requests and management tasks (the `sap.submitSpoolTask` Update) and hands each to a
 * spool work process, an activity on the server's work-process queue, under the rules of the pure
 * dispatcher (machines/sap/spool-dispatcher.ts). Global management needs the system's slot
 * (global-management-slot.ts) first.
 *
 * State changes only here in the main loop: handlers queue what came in, so every decision is
 * taken in one place in the order the history records. A task given twice is one task; a work
 * process's task runs again only when its attempt died, and the work process's side dedupes it by
 * id (activities/sap/spool-work-process-activities.ts).
 *
 * Every Update of a workflow task is answered before the main loop gives a command of its own
 * (behind the `sap-dispatcher-answers-updates-first` patch): otherwise the order of the answers and
 * of the loop's commands hangs on how many promise hops each takes, which is not the same when the
 * task first runs and when it is replayed. Two Updates in one task then failed replay with
 * TMPRL1100 and left the dispatcher stuck, holding the requests it had taken
 * (test/fixtures/sap-dispatcher-nondeterminism/).
 *
 * A shutdown (the `sap.shutDownSpoolServer` Update, machines/sap/spool-shutdown.ts) stops the
 * server starting anything new; once no request of a set-sequence device runs, the dispatcher takes
 * the system's global management slot, as the reassign task needs it, and moves the requests it
 * holds to the other server's dispatcher (an activity on the central queue), then refuses new
 * tasks naming that server.
 *
 * Continue-as-new hands over the dispatcher's state. Tasks still running are handed out again by
 * the next run, which the work processes' dedupe by id makes harmless: a hanging host spool demand
 * would otherwise hold the hand-over back for as long as it hangs.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SapSpoolActivities } from '../../activities/sap/spool-work-process-activities';
import type { SapReassignActivities } from '../../activities/sap/spool-reassignment';
import { InvalidInputError } from '../../machines/core/input-errors';
import type { LeaseHolder } from '../../machines/core/leases';
import { createSpoolServer, Dispatch, dispatch, finish, holds, runsGlobalManagement, SpoolServerState, submit, submitRefusalOf } from '../../machines/sap/spool-dispatcher';
import { globalManagementWorkflowId, parseSpoolDispatcherInput, SpoolDispatcherInput } from '../../machines/sap/spool-dispatcher-input';
import { parseRelease } from '../../machines/sap/spool-releases';
import {
  afterFailedRound,
  afterRound,
  emptiedForShutdown,
  managementNotRun,
  moveWaiting,
  REASSIGN_TARGET_REFUSED,
  followTargetsRequests,
  forwardInDetails,
  requestsToReassign,
  shutDownAsked,
  shutDownRefusalOf,
  shutDownNow,
  shutDownSubmitRefusalOf,
  SPOOL_SERVER_SHUT_DOWN,
  targetRefusalDetails,
  movedTaskRefusal,
  reassignSpoolTaskUpdateId,
  type ReassignResult,
  type SpoolServerShutdown,
} from '../../machines/sap/spool-shutdown';
import { describeTask, isGlobalManagement, SpoolTask } from '../../machines/sap/spool-tasks';
import { CENTRAL_TASK_QUEUE, sapWorkProcessTaskQueue } from '../task-queues';
import { GlobalManagementSlotInput, sapGlobalManagementSlot } from './global-management-slot';
import { endedShutdown, returnToServiceRefusalOf, type EndedShutdown } from '../../machines/sap/spool-server-return';
import { spoolServerDetails } from '../../machines/sap/spool-server-details';
import { parseReturnToService, parseShutDown, parseSpoolTask, releaseGlobalManagementSignal, returnSpoolServerToServiceUpdate, shutDownSpoolServerUpdate, spoolDispatcherStatusQuery, submitSpoolTaskUpdate, TaskOutcome } from './spool-dispatcher-messages';

/** What a run hands to the next. */
export interface SpoolDispatcherResume {
  state: SpoolServerState;
  holdsGlobalManagement: boolean;
  /** Ids of the tasks done lately, newest last: a task given again after it was done is not done twice. */
  done: string[];
  submitted: number;
  finished: number;
  /**
   * When each running management task's time is up (ms since the epoch), by task id: the next run
   * gives it only what is left of `managementTimeoutSeconds`, so a hanging one ends on time however
   * often the dispatcher continues as new (absent in hand-overs from before it was kept).
   */
  managementDeadlines?: [id: string, deadline: number][];
  /** The server's shutdown, once asked (absent in hand-overs from before there was one). */
  shutdown?: SpoolServerShutdown | null;
  /** The latest shutdown the operator ended, bringing the server back. */
  lastShutdown?: EndedShutdown;
  /** Output requests given away at the shutdown, with the server each went to (the latest few thousand). */
  movedTo?: [id: string, to: string][];
}

export const ANSWERS_UPDATES_FIRST = 'sap-dispatcher-answers-updates-first';
/** A move whose target is shut down itself follows the target's requests to where they went (spool-shutdown.ts: followTargetsRequests). */
export const FOLLOWS_A_SHUT_DOWN_TARGET = 'sap-shutdown-follows-a-shut-down-target';
/** A dispatcher begun from now on names its system by its SID (spool-dispatcher-input.ts: systemIdSchema). */
export const SYSTEM_NAMED_BY_ITS_SID = 'sap-dispatcher-system-named-by-its-sid';

/**
 * From here on a dispatcher asks for the global management slot also as a work process frees
 * that its waiting global task would take, before it hands that work process out. Before, it asked
 * only while a work process stood free, which under a backlog of output none ever did: each freed
 * one went to the next request, and the global task waited as long as output kept coming.
 */
export const ASKS_SLOT_AS_A_WORK_PROCESS_FREES = 'sap-dispatcher-asks-slot-as-a-work-process-frees';

/**
 * From here on a task that failed (a management task timed out) is not remembered as done: given
 * again under its id it runs again, where it was answered `already-done` and dropped.
 */
export const FAILED_IS_NOT_DONE = 'sap-dispatcher-failed-task-is-not-done';

/** The move of the requests at a shutdown: a few tries, then the failure is shown and the move tried again after `globalRetrySeconds`. */
const { reassignSpoolRequests } = wf.proxyActivities<SapReassignActivities>({
  taskQueue: CENTRAL_TASK_QUEUE,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: [REASSIGN_TARGET_REFUSED, 'InvalidInputError'] },
});

/** How many done ids a dispatcher remembers (and hands over). */
const DONE_REMEMBERED = 5000;
/** How many requests given away at a shutdown a dispatcher remembers (and hands over). */
const MOVED_REMEMBERED = 2000;
const RECENT_SHOWN = 50;
/** How soon a move whose target was refused (no dispatcher runs for it, it shuts down too, it does not answer) is tried again, at the least. */
const TARGET_REFUSED_RETRY_SECONDS = 30;

export async function sapSpoolDispatcher(rawInput: unknown, resume?: SpoolDispatcherResume): Promise<never> {
  let input: SpoolDispatcherInput;
  try {
    // A dispatcher begun before the rule, and its continued runs, keep the name they began with.
    // Continued as new, that is: a run the server continued (a second argument alone is no
    // continued run), which carries a hand-over (a cron or retry run carries the first input).
    const thisRun = wf.workflowInfo();
    const continued = resume !== undefined && thisRun.continuedFromExecutionRunId !== undefined && !thisRun.cronSchedule;
    input = parseSpoolDispatcherInput(rawInput, { underOlderRule: continued || !wf.patched(SYSTEM_NAMED_BY_ITS_SID) });
  } catch (err) {
    if (err instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
  const { system, server, timings } = input;
  // Runs that began before the patch keep the old order, so that their histories still replay.
  const answersUpdatesFirst = wf.patched(ANSWERS_UPDATES_FIRST);
  const everyUpdateAnswered = () => !answersUpdatesFirst || wf.allHandlersFinished();
  let state = resume?.state ?? createSpoolServer({ server, step: parseRelease(input.release).step, workProcesses: input.workProcesses, froMax: input.froMax });
  let holdsGlobal = resume?.holdsGlobalManagement ?? false;
  const done: string[] = [...(resume?.done ?? [])];
  const doneSet = new Set(done);
  let submitted = resume?.submitted ?? 0;
  let finishedCount = resume?.finished ?? 0;
  const recent: TaskOutcome[] = [];
  const managementDeadlines = new Map(resume?.managementDeadlines ?? []);
  const inbox: SpoolTask[] = [];
  const finished: TaskOutcome[] = [];
  let shutdown: SpoolServerShutdown | null = resume?.shutdown ?? null;
  let lastShutdown: EndedShutdown | undefined = resume?.lastShutdown;
  /** The operator brought the server back since the loop last looked: the tasks it kept start. */
  let backInService = false;
  /** A round of the shutdown's move runs now: the target cannot change under it. */
  let moving = false;
  /** The move is taking the global management slot (a round may begin once it has it): the shutdown cannot end meanwhile. */
  let takingSlotForMove = false;
  /**
   * Output requests this server gave away at its shutdown, and to which server (the latest
   * MOVED_REMEMBERED: they travel in the hand-over beside the done ids): given here again, say after
   * the server came back, one is refused naming that server, where it is held or printed already;
   * only that server's own move gives it back.
   */
  const movedTo = new Map<string, string>(resume?.movedTo ?? []);
  /** A shutdown asked since the loop last looked (it wakes the loop as a task does). */
  let shutdownAsked = false;
  let nextGlobalTry = 0;
  const info = wf.workflowInfo();
  const holder: LeaseHolder = { workflowId: info.workflowId, firstRunId: info.firstExecutionRunId, procedure: 'sap-spool-dispatcher', since: new Date(info.runStartTime).toISOString() };

  wf.setHandler(
    submitSpoolTaskUpdate,
    (raw) => {
      const task = parseSpoolTask(raw);
      if (doneSet.has(task.id)) return { accepted: 'already-done', id: task.id };
      if (holds(state, task.id) || inbox.some((t) => t.id === task.id)) return { accepted: 'already-held', id: task.id };
      // Back from the server it went to: it is this server's again (the remembered move only guards the validator, no command).
      if (movedTo.get(task.id) !== undefined && wf.currentUpdateInfo()?.id === reassignSpoolTaskUpdateId(movedTo.get(task.id) as string, task)) movedTo.delete(task.id);
      inbox.push(task);
      submitted += 1;
      return { accepted: 'new', id: task.id };
    },
    {
      validator: (raw) => {
        const task = parseSpoolTask(raw);
        // A task done or still running here, given again, is answered as before, not sent elsewhere.
        const known = doneSet.has(task.id) || holds(state, task.id) || inbox.some((t) => t.id === task.id);
        // A request this server gave away comes back only through the move of the server it went to (that server shut down in turn).
        const movedThere = known ? undefined : movedTo.get(task.id);
        if (movedThere !== undefined && wf.currentUpdateInfo()?.id !== reassignSpoolTaskUpdateId(movedThere, task)) throw ApplicationFailure.create({ message: movedTaskRefusal(server, task.id, movedThere), type: SPOOL_SERVER_SHUT_DOWN, nonRetryable: true, details: targetRefusalDetails(movedThere) });
        const shutDownRefusal = known ? null : shutDownSubmitRefusalOf(server, shutdown, moving);
        // Shut down, the refusal's details name where the requests went, for the giver to follow (client/sap-spool-submit.ts).
        if (shutDownRefusal && shutdown?.phase === 'shut-down') throw ApplicationFailure.create({ message: shutDownRefusal, type: SPOOL_SERVER_SHUT_DOWN, nonRetryable: true, details: targetRefusalDetails(shutdown.reassignTo) });
        const refusal = shutDownRefusal ?? submitRefusalOf(state, task, { inbox, done: doneSet, maxTasksHeld: input.maxTasksHeld });
        if (refusal) throw new Error(refusal);
      },
      description: 'Give this spool server an output request or a management task (JSON: {"kind": "output", "id", "device", "sequence", "frontend"} or {"kind": "management", "id", "task"}).',
    },
  );
  wf.setHandler(
    shutDownSpoolServerUpdate,
    (raw) => {
      const before = shutdown?.reassignTo;
      shutdown = shutDownAsked(shutdown, parseShutDown(raw), new Date().toISOString());
      // A new target is tried at once, not after the wait a refused one set.
      if (before !== undefined && before !== shutdown.reassignTo) nextGlobalTry = 0;
      shutdownAsked = true;
      return shutdown;
    },
    {
      validator: (raw) => {
        const refusal = shutDownRefusalOf(state, shutdown, parseShutDown(raw), moving);
        if (refusal) throw new Error(refusal);
      },
      description: 'Shut this spool server down: it starts nothing new, and its output requests go to another spool server of the system (JSON: {"reassignTo": "<server>", "operator"?, "reason"?}).',
    },
  );
  wf.setHandler(
    returnSpoolServerToServiceUpdate,
    (raw) => {
      lastShutdown = endedShutdown(shutdown!, parseReturnToService(raw), new Date().toISOString());
      shutdown = null;
      nextGlobalTry = 0;
      backInService = true;
      return lastShutdown;
    },
    {
      validator: (raw) => {
        const refusal = returnToServiceRefusalOf(server, shutdown, parseReturnToService(raw), moving || takingSlotForMove);
        if (refusal) throw new Error(refusal);
      },
      description: 'Bring this spool server back into service after its shutdown: holding, it starts the tasks it kept; shut down, it takes tasks again (JSON: {"operator"?, "reason"?, "movedRequestsChecked"?: true, needed once requests went to the target}).',
    },
  );
  wf.setHandler(spoolDispatcherStatusQuery, () => ({ system, server, state, holdsGlobalManagement: holdsGlobal, submitted, finished: finishedCount, recent, shutdown, ...(lastShutdown ? { lastShutdown } : {}) }));

  /** A management task's time left (ms): all of it when it starts, what is left when a new run hands it out again. */
  const managementTimeLeft = (task: SpoolTask): number => {
    const deadline = managementDeadlines.get(task.id);
    if (deadline !== undefined) return deadline - Date.now();
    managementDeadlines.set(task.id, Date.now() + timings.managementTimeoutSeconds * 1000);
    return timings.managementTimeoutSeconds * 1000;
  };
  const launch = (workProcess: number, task: SpoolTask) => {
    const management = task.kind === 'management';
    const timeLeft = management ? managementTimeLeft(task) : 0;
    if (management && timeLeft <= 0) {
      // Its time ran out while the runs changed hands: it ends as a timed-out attempt would.
      finished.push({ id: task.id, workProcess, outcome: `failed: timed out after managementTimeoutSeconds (${timings.managementTimeoutSeconds} s)` });
      return;
    }
    const activities = wf.proxyActivities<SapSpoolActivities>({
      taskQueue: sapWorkProcessTaskQueue(system, server),
      heartbeatTimeout: `${timings.heartbeatTimeoutSeconds}s`,
      // A management task that hangs ends as timed out and frees its work process; output is retried until it is printed.
      ...(management ? { scheduleToCloseTimeout: timeLeft, startToCloseTimeout: timeLeft } : { startToCloseTimeout: '24h' }),
      retry: { initialInterval: '1s', maximumInterval: '10s' },
      summary: `${server} work process ${workProcess}: ${describeTask(task)}`,
    });
    activities.processSpoolTask({ system, server, workProcess, task }).then(
      (r) => finished.push({ id: task.id, workProcess, outcome: r.outcome }),
      (err: unknown) => finished.push({ id: task.id, workProcess, outcome: `failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}` }),
    );
  };
  const apply = (dispatches: Dispatch[]) => {
    for (const d of dispatches) if (d.kind === 'start') launch(d.workProcess, d.task);
  };
  const view = () => ({ globalManagementElsewhere: !holdsGlobal, ...(shutdown ? { shuttingDown: true } : {}) });
  const globalWaits = () => state.waiting.some((t) => t.kind === 'management' && isGlobalManagement(t.task));
  const freeWorkProcess = () => state.workProcesses.some((wp) => wp.running === null && wp.reservedFor === null);
  // A server shutting down starts no global task: it asks for the slot only for the move.
  const wantsGlobal = () => !holdsGlobal && globalWaits() && freeWorkProcess() && shutdown === null;
  /** A shutdown's requests (or tasks that came in since) are to move, and may now: the move needs the global slot. */
  const moveWaits = () => moveWaiting(state, shutdown);
  const moveDue = () => moveWaits() && Date.now() >= nextGlobalTry;

  // The run's page in the Web UI says where the server stands (user metadata: no command, nothing to replay).
  const showDetails = () => wf.setCurrentDetails(spoolServerDetails({ system, state, holdsGlobalManagement: holdsGlobal, shutdown, ...(lastShutdown ? { lastShutdown } : {}) }));

  // The previous run's tasks still running are handed out again (see above).
  for (const wp of state.workProcesses) if (wp.running) launch(wp.number, wp.running);
  showDetails();

  for (;;) {
    // Woken only once the Updates that woke it are answered: the timer a timed wait cancels is a command too.
    const woken = () => (inbox.length > 0 || finished.length > 0 || shutdownAsked || backInService || moveDue()) && everyUpdateAnswered();
    if (!wantsGlobal() && !(moveWaits() && !holdsGlobal)) await wf.condition(woken);
    else if (nextGlobalTry > Date.now()) await wf.condition(woken, nextGlobalTry - Date.now());
    if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished); // on the old path no await at all: its promise hops stay as they were

    for (const outcome of finished.splice(0)) {
      managementDeadlines.delete(outcome.id);
      if (shutdown === null && !holdsGlobal && Date.now() >= nextGlobalTry && freesWorkProcessForGlobal(state, outcome) && wf.patched(ASKS_SLOT_AS_A_WORK_PROCESS_FREES)) {
        holdsGlobal = await takeGlobalManagement({ system, holder, checkEverySeconds: timings.globalSlotCheckSeconds });
        if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished);
        if (!holdsGlobal) nextGlobalTry = Date.now() + timings.globalRetrySeconds * 1000;
      }
      const result = finish(state, outcome.workProcess, outcome.id, view());
      if (result.state === state) continue; // told twice
      state = result.state;
      finishedCount += 1;
      remember(outcome);
      apply(result.dispatches);
    }
    for (const task of inbox.splice(0)) {
      // The validator refused what the server could not hold; a task it accepted is taken whatever
      // the count (a run replayed, or one that held more before the bound), never refused here.
      const result = submit(state, task, view(), Number.POSITIVE_INFINITY);
      state = result.state;
      apply(result.dispatches);
    }
    shutdownAsked = false;
    if (backInService) {
      // The tasks it kept while holding start now, as work processes are free (a global one once it has the slot).
      backInService = false;
      const result = dispatch(state, view());
      state = result.state;
      apply(result.dispatches);
    }
    if (moveDue()) await moveForShutdown();
    if (wantsGlobal() && Date.now() >= nextGlobalTry) {
      holdsGlobal = await takeGlobalManagement({ system, holder, checkEverySeconds: timings.globalSlotCheckSeconds });
      if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished);
      if (holdsGlobal) {
        const result = dispatch(state, view());
        state = result.state;
        apply(result.dispatches);
      } else nextGlobalTry = Date.now() + timings.globalRetrySeconds * 1000;
    }
    // Given up as soon as this server has no global task running or waiting (or, shutting down, none running), so the others get their turn.
    if (holdsGlobal && !runsGlobalManagement(state) && (!globalWaits() || shutdown !== null)) {
      holdsGlobal = false;
      await giveUpGlobalManagement(system, holder);
    }
    showDetails();
    const history = wf.workflowInfo();
    // Not while a return to service waits for the loop to start the tasks kept: the next run would not know to.
    if ((history.continueAsNewSuggested || history.historyLength > timings.continueAsNewAfterEvents) && inbox.length === 0 && finished.length === 0 && !backInService) {
      await wf.condition(wf.allHandlersFinished);
      if (inbox.length === 0 && finished.length === 0 && !backInService) {
        const running = new Set(state.workProcesses.flatMap((wp) => (wp.running ? [wp.running.id] : [])));
        const deadlines = [...managementDeadlines].filter(([id]) => running.has(id));
        return wf.continueAsNew<typeof sapSpoolDispatcher>(rawInput, { state, holdsGlobalManagement: holdsGlobal, done: done.slice(-DONE_REMEMBERED), submitted, finished: finishedCount, managementDeadlines: deadlines, ...(shutdown ? { shutdown } : {}), ...(lastShutdown ? { lastShutdown } : {}), ...(movedTo.size > 0 ? { movedTo: [...movedTo] } : {}) });
      }
    }
  }

  /**
   * The shutdown's move: with the system's global management slot (the reassign task's), the
   * requests go to the other server in their order; management tasks still waiting end not run.
   * While a round runs, new tasks are refused for now (without naming the target); tasks accepted
   * while the slot was being taken go in a second round, in the same hold of the slot. Only then
   * does the server refuse new ones naming the other server: a task given there after that refusal
   * cannot overtake one still waiting here, and the rounds end whatever the load. A move that fails
   * (the other server not running, shutting down itself) is shown in the status and tried again.
   * Set-sequence devices one of whose requests was refused stay held back in later rounds.
   */
  async function moveForShutdown(): Promise<void> {
    if (!holdsGlobal) {
      takingSlotForMove = true;
      try {
        holdsGlobal = await takeGlobalManagement({ system, holder, checkEverySeconds: timings.globalSlotCheckSeconds });
        if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished);
      } finally {
        takingSlotForMove = false;
      }
      if (!holdsGlobal) {
        nextGlobalTry = Date.now() + timings.globalRetrySeconds * 1000;
        return;
      }
    }
    // The return to service waits while the slot is taken; should a shutdown have ended all the same, the loop gives the slot back.
    if (!shutdown) return;
    let target = shutdown.reassignTo;
    const tried = new Set([target]);
    moving = true;
    try {
      for (;;) {
        const requests = requestsToReassign(state);
        const notRun = managementNotRun(state);
        let moved: ReassignResult;
        try {
          moved = await reassignSpoolRequests({ system, from: server, to: target, requests, ...(shutdown.heldBack ? { heldBack: shutdown.heldBack } : {}) });
        } catch (err) {
          if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished);
          if (!(err instanceof ActivityFailure)) throw err;
          // Refused before anything was given, the target may still change; otherwise some requests may be there already.
          const nothingGiven = err.cause instanceof ApplicationFailure && err.cause.type === REASSIGN_TARGET_REFUSED;
          // A target shut down itself: the requests follow its own to where they went, at once (only
          // what no attempt gave the target: one it printed would print again there).
          const forwardedTo = nothingGiven && err.cause instanceof ApplicationFailure ? forwardInDetails(err.cause.details) : undefined;
          const reason = err.cause?.message ?? err.message;
          const decided = followTargetsRequests(shutdown, server, { reason, ...(forwardedTo !== undefined ? { forwardedTo } : {}) }, tried);
          // The patch is asked whenever there is a forward, followed or not, as runs recorded it.
          if (forwardedTo !== undefined && wf.patched(FOLLOWS_A_SHUT_DOWN_TARGET) && 'follows' in decided) {
            shutdown = decided.follows;
            target = decided.follows.reassignTo;
            tried.add(target);
            continue;
          }
          shutdown = afterFailedRound(shutdown, 'notFollowed' in decided ? decided.notFollowed : reason, nothingGiven);
          // A target refused is not tried again soon: it leaves the operator time to name another.
          nextGlobalTry = Date.now() + (nothingGiven ? Math.max(timings.globalRetrySeconds, TARGET_REFUSED_RETRY_SECONDS) : timings.globalRetrySeconds) * 1000;
          return;
        }
        // Before any command of the loop's own, as after every await here (ANSWERS_UPDATES_FIRST).
        if (answersUpdatesFirst) await wf.condition(wf.allHandlersFinished);
        for (const id of moved.reassigned) {
          noteOutcome({ id, workProcess: -1, outcome: `reassigned to ${target}` });
          rememberMoved(id, target);
        }
        for (const r of moved.refused) noteOutcome({ id: r.id, workProcess: -1, outcome: `not reassigned: ${r.reason}` });
        for (const t of notRun) noteOutcome({ id: t.id, workProcess: -1, outcome: 'not run: spool server shut down' });
        state = emptiedForShutdown(state);
        shutdown = afterRound(shutdown, moved);
        if (inbox.length === 0) break;
        for (const task of inbox.splice(0)) state = submit(state, task, view(), Number.POSITIVE_INFINITY).state;
      }
      shutdown = shutDownNow(shutdown, new Date().toISOString());
    } finally {
      moving = false;
    }
  }

  /** Shows an outcome in the status (the latest RECENT_SHOWN); alone, for a task that left this server without running here, which is not done here. */
  function noteOutcome(outcome: TaskOutcome): void {
    recent.push(outcome);
    if (recent.length > RECENT_SHOWN) recent.shift();
  }

  function rememberMoved(id: string, to: string): void {
    movedTo.set(id, to);
    if (movedTo.size > MOVED_REMEMBERED) movedTo.delete(movedTo.keys().next().value as string);
  }

  function remember(outcome: TaskOutcome): void {
    const failed = outcome.outcome.startsWith('failed');
    if (!failed || !wf.patched(FAILED_IS_NOT_DONE)) {
      done.push(outcome.id);
      doneSet.add(outcome.id);
    }
    if (done.length > DONE_REMEMBERED * 2) done.splice(0, done.length - DONE_REMEMBERED).forEach((id) => doneSet.delete(id));
    noteOutcome(outcome);
  }
}

/** True when the work process this outcome frees would go to a waiting global task, were global management free. */
function freesWorkProcessForGlobal(state: SpoolServerState, outcome: TaskOutcome): boolean {
  const trial = finish(state, outcome.workProcess, outcome.id, { globalManagementElsewhere: false });
  return trial.state !== state && trial.dispatches.some((d) => d.kind === 'start' && d.task.kind === 'management' && isGlobalManagement(d.task.task));
}

/** True when this dispatcher now holds the system's global management; false while another one has it. */
async function takeGlobalManagement(slot: GlobalManagementSlotInput): Promise<boolean> {
  const { system, holder } = slot;
  try {
    await wf.startChild(sapGlobalManagementSlot, {
      workflowId: globalManagementWorkflowId(system),
      args: [slot],
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `Global spool management of ${system} for ${holder.workflowId}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

async function giveUpGlobalManagement(system: string, holder: LeaseHolder): Promise<void> {
  await wf.getExternalWorkflowHandle(globalManagementWorkflowId(system)).signal(releaseGlobalManagementSignal, holder.workflowId).catch(() => undefined);
}
