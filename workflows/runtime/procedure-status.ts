/**
 * The answer to the `status` query: where the procedure is (state, step, running, waiting, halted
 * or done), why it is halted, the operator commands it accepts now, a summary of its context and
 * the path taken, with its pending timers and effects in flight.
 */
import * as wf from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import { currentStep } from '../../machines/core/plan';
import type { DurableTimers } from './durable-timers';
import type { EffectsInFlight } from './effects-in-flight';
import { operatorCommandSchema, ProcedureStatus, statusQuery } from '../operator-messages';
import type { ProcedurePath } from './procedure-path';

export interface StatusSources {
  procedure: string;
  summarize: (context: unknown) => Record<string, unknown>;
  path: ProcedurePath;
  timers: DurableTimers;
  flights: EffectsInFlight;
}

export function procedureStatus(snapshot: AnyMachineSnapshot, run: StatusSources): ProcedureStatus {
  const context = snapshot.context as { halt?: ProcedureStatus['halt'] };
  const halted = snapshot.hasTag('halted');
  const waiting = snapshot.hasTag('waiting');
  return {
    procedure: run.procedure,
    state: snapshot.value,
    step: currentStep(snapshot),
    status: snapshot.status === 'done' ? 'done' : halted ? 'halted' : waiting ? 'waiting' : 'running',
    halt: context.halt ?? null,
    accepts: acceptedCommands(snapshot),
    summary: run.summarize(snapshot.context),
    path: run.path.entries,
    stepsTaken: run.path.stepsTaken,
    timers: run.timers.dueTimes(),
    inFlight: run.flights.keys(),
    ...(snapshot.status === 'done' ? { output: snapshot.output } : {}),
  };
}

/** The operator commands the machine takes in this snapshot. */
function acceptedCommands(snapshot: AnyMachineSnapshot): string[] {
  return operatorCommandSchema.options
    .map((o) => o.shape.type.value)
    .filter((type) => snapshot.status === 'active' && snapshot.can({ type, operator: 'x', reason: 'probe' }));
}

export function answerStatusQueries(statusNow: () => ProcedureStatus): void {
  wf.setHandler(statusQuery, statusNow, { description: 'Where the procedure is: state, step, halt and its reason, the commands it accepts now, and the path taken.' });
}
