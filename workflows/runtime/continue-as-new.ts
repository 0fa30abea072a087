/**
 * When and how a long procedure (a supervisor watching a cluster for weeks) hands over to a fresh
 * run before its history grows too long: past the limit or when the server suggests it, and only
 * at a quiet moment (nothing in flight, nothing queued, no update handler running), so no answer
 * and no operator command is lost. The next run gets the machine's state, its pending effects and
 * timers and the path so far.
 */
import * as wf from '@temporalio/workflow';
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { Effect } from '../../machines/core/effects';
import type { DurableTimers } from './durable-timers';
import type { EventQueue } from './event-queue';
import type { ProcedurePath } from './procedure-path';
import type { ResumeState } from './resume-state';

/** Continue as new past this many history events when the procedure does not say. */
export const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;

/** Whether the history is long enough to hand over: the server suggests it, or it is past `limit`. */
export function shouldContinueAsNew(info: Pick<wf.WorkflowInfo, 'continueAsNewSuggested' | 'historyLength'>, limit: number): boolean {
  return info.continueAsNewSuggested || info.historyLength > limit;
}

/** Resolves once no update handler runs any more, or once an event is queued (then the run goes on). */
export function handlersFinishedOrEventQueued(queue: EventQueue): Promise<void> {
  return wf.condition(() => wf.allHandlersFinished() || !queue.isEmpty);
}

/** Nothing waits to be taken and no update handler runs: nothing can be lost in the hand-over. */
export function quietForHandOver(queue: EventQueue): boolean {
  return queue.isEmpty && wf.allHandlersFinished();
}

/** Ends this run; the next one starts from `snapshot` with the effects it asked for and the timers pending. */
export function continueAsNewFrom(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  run: { pendingEffects: Effect[]; timers: DurableTimers; path: ProcedurePath; inputForNextRun: unknown },
): Promise<never> {
  const persisted = machine.getPersistedSnapshot(snapshot) as unknown as { value: unknown; context: unknown };
  const next: ResumeState = {
    value: persisted.value,
    context: persisted.context,
    pendingEffects: run.pendingEffects,
    timers: run.timers.forNextRun(),
    path: run.path.entries,
    stepsTaken: run.path.stepsTaken,
    operatorCommands: run.path.operatorCommands,
    operatorCommandsTaken: run.path.operatorCommandsTaken,
  };
  return wf.continueAsNew(run.inputForNextRun, next);
}
