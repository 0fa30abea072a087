/**
 * The durable state-machine runtime: runs any procedure machine from machines/ as a Temporal
 * workflow. It drives the machine with XState's pure `transition`, so the machine itself never
 * performs I/O:
 *
 * - an `effect` action becomes an activity on the host's (or the central) task queue; its answer
 *   comes back as `effect.done.<step>` or, once retries are spent, `effect.failed.<step>`, on
 *   which the machine halts (effects-in-flight.ts); an answer that does not fit what its action
 *   declares fails its step too (answer-check.ts);
 * - an `after` delay becomes a durable timer, carried across continue-as-new (durable-timers.ts);
 * - operator commands arrive as the `operator` update, validated (schema, and "does the machine
 *   accept this event now") before they are accepted (operator-update.ts);
 * - the `status` query answers with the state, the halt, a context summary and the path taken
 *   (procedure-status.ts, procedure-path.ts);
 * - a long history hands over to a fresh run at a quiet moment (continue-as-new.ts).
 *
 * Everything here is deterministic: events are processed one at a time, in arrival order
 * (event-queue.ts). The order of the steps below is the order of the workflow's commands, which
 * recorded histories replay: keep it.
 */
import * as wf from '@temporalio/workflow';
import { AnyMachineSnapshot, AnyStateMachine, initialTransition } from 'xstate';
import { currentStep } from '../../machines/core/plan';
import { continueAsNewFrom, DEFAULT_HISTORY_EVENT_LIMIT, handlersFinishedOrEventQueued, quietForHandOver, shouldContinueAsNew } from './continue-as-new';
import { DurableTimers } from './durable-timers';
import { EffectsInFlight } from './effects-in-flight';
import { EventQueue } from './event-queue';
import { takeOperatorCommands, type CommandRefusal } from './operator-update';
import { machineTransitions, sharedMachineTransitions } from './machine-transitions';
import { ProcedurePath } from './procedure-path';
import { answerStatusQueries, procedureStatus } from './procedure-status';
import { ProgressReport, reportProcedure } from './progress-report';
import type { ResumeState } from './resume-state';
import { runtimeVersion } from './runtime-version';
import { machineOfThisRun } from './behaviour-changes';
import { answersCheckedInThisRun } from './answer-check';
import { captureContext } from './reusable-scopes';
import { takeEventsAsTheyCome, type EventSteps } from './event-driver';
import type { Effect } from '../../machines/core/effects';
import { activitySummary, timerSummary } from './timeline-summaries';
import { carryOut, TransitionActions } from './transition-directives';

export interface RuntimeOptions {
  /** Catalog id of the procedure, for status and search attributes. */
  procedure: string;
  machine: AnyStateMachine;
  /** Summarises the machine context for `status` (keep it small: it travels with every query). */
  summarize: (context: unknown) => Record<string, unknown>;
  /** Why the machine refuses an operator command of a kind it takes now: the field and the rule. */
  refusalOf?: CommandRefusal;
  /** Hosts the procedure touches, for the search attribute. */
  hosts: string[];
  /**
   * What the run changes, in the operator's words ("SPOC group london (spoc-lon-1, spoc-lon-2)"),
   * for the current details: a run started from the Web UI's start form has no summary of its own.
   */
  subject?: string;
  /** Continue as new past this many history events (the server also suggests it). */
  historyEventLimit?: number;
  /** How long an agent may take to pick up a step before it halts as unreachable. */
  hostPickupSeconds?: number;
  /**
   * The input the next run gets when this one continues as new: the input as it was given, which
   * the next run parses again (a parsed input need not parse again: a cluster's options become objects).
   */
  inputForNextRun?: unknown;
  /**
   * Runs once the runtime answers `status` and takes operator commands, before the machine's
   * first step (the procedure's leases): commands that arrive meanwhile wait their turn.
   */
  beforeFirstStep?: () => Promise<void>;
}

/** Runs the machine to its final state and returns its output. */
export async function runMachine(options: RuntimeOptions, input: unknown, resume?: ResumeState): Promise<unknown> {
  const version = runtimeVersion();
  const machine = machineOfThisRun(options.machine);
  const checksAnswers = version === 2 && answersCheckedInThisRun();
  const queue = new EventQueue();
  const path = new ProcedurePath(resume);
  const timers = new DurableTimers(queue);
  const flights = new EffectsInFlight(path, queue, options.hostPickupSeconds, (effect) => activitySummary(machine, effect), version, checksAnswers);
  const run = { path, timers, flights };
  const progress = new ProgressReport(options.procedure, machine, path, options.subject);
  const transition = version === 2 ? sharedMachineTransitions(machine) : machineTransitions(machine);
  const [firstState, startActions] = firstSnapshot(machine, input, resume);
  let snapshot = firstState;

  const statusNow = () => procedureStatus(snapshot, { procedure: options.procedure, summarize: options.summarize, ...run });
  answerStatusQueries(statusNow);
  takeOperatorCommands(queue, () => snapshot, statusNow, options.refusalOf);
  reportProcedure(options.procedure, options.hosts);

  await options.beforeFirstStep?.();

  // Resume what the previous run left in flight, then what the first transition asked for.
  if (resume) {
    for (const t of resume.timers) {
      const entry = path.runningWaitOf(t.id);
      timers.start(t.id, t.event, t.dueAt, entry, timerSummary(machine, t.event, entry?.title ?? 'Wait'));
    }
    for (const effect of resume.pendingEffects) flights.start(effect);
  }
  for (const effect of carryOut(startActions, snapshot, run)) flights.start(effect);
  progress.report(snapshot);

  const historyLimit = options.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  /** Takes the oldest event into the machine; returns the effects it asks for, not yet started. */
  const takeEvent = (): Effect[] => {
    const event = queue.take();
    if (event.type.startsWith('operator.')) path.noteOperatorCommand(event, currentStep(snapshot));
    let actions: TransitionActions;
    [snapshot, actions] = transition(snapshot, event);
    const effects = carryOut(actions, snapshot, run);
    queue.markProcessed();
    return effects;
  };
  const handOverDue = () => snapshot.status === 'active' && flights.size === 0 && queue.isEmpty && shouldContinueAsNew(wf.workflowInfo(), historyLimit);
  const handOver = async (effects: Effect[]) => {
    // Let running update handlers finish first. An event that arrives meanwhile (an operator
    // command, a timer) must not be lost in the hand-over: then this run goes on a little longer.
    await handlersFinishedOrEventQueued(queue);
    if (quietForHandOver(queue)) {
      await continueAsNewFrom(machine, snapshot, { pendingEffects: effects, timers, path, inputForNextRun: options.inputForNextRun ?? input });
    }
  };
  const goOn = (effects: Effect[]) => {
    for (const effect of effects) flights.start(effect);
    progress.report(snapshot);
  };

  // Version 1's loop keeps its awaits inline: a wrapping async function would add microtask
  // turns, which move commands in the activation that hands over.
  if (version === 1) {
    while (snapshot.status === 'active') {
      await queue.whenNotEmpty();
      const effects = takeEvent();
      if (handOverDue()) {
        await handlersFinishedOrEventQueued(queue);
        if (quietForHandOver(queue)) {
          await continueAsNewFrom(machine, snapshot, { pendingEffects: effects, timers, path, inputForNextRun: options.inputForNextRun ?? input });
        }
      }
      goOn(effects);
    }
  } else {
    const runContext = captureContext();
    let handedOver: Effect[] = [];
    const steps: EventSteps = {
      step: () => {
        const effects = takeEvent();
        if (handOverDue()) {
          handedOver = effects;
          return 'pause';
        }
        goOn(effects);
        return 'go-on';
      },
      finished: () => snapshot.status !== 'active',
      inRunContext: (fn) => (wf.currentUpdateInfo() ? runContext(fn) : fn()),
    };
    while (snapshot.status === 'active') {
      // The workflow's cancellation ends the run as version 1's wait in `wf.condition` ends it.
      if ((await takeEventsAsTheyCome(queue, steps, wf.CancellationScope.current().cancelRequested)) === 'paused') {
        await handOver(handedOver);
        goOn(handedOver);
      }
    }
  }
  progress.report(snapshot);
  // Let in-flight updates see the final state before the run closes.
  await wf.condition(wf.allHandlersFinished);
  return path.resultWith(snapshot.output);
}

/** The snapshot the previous run handed over, or the machine's first one with the actions it asks for. */
function firstSnapshot(machine: AnyStateMachine, input: unknown, resume?: ResumeState): [AnyMachineSnapshot, TransitionActions] {
  if (resume) return [machine.resolveState({ value: resume.value as never, context: resume.context }), []];
  return initialTransition(machine, input);
}
