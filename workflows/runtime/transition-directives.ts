/**
 * What the runtime does with the actions one transition returns (XState's pure `transition` runs
 * none of them): its delays become durable timers, each with a "Wait ..." path entry, its cancelled
 * delays stop, and effects the machine no longer waits for are cancelled. Its effects are handed
 * back rather than started, so a run about to continue as new can pass them to the next run.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Effect } from '../../machines/core/effects';
import { directivesOf } from '../../machines/core/machine-directives';
import { currentStep, formatSeconds } from '../../machines/core/plan';
import type { DurableTimers } from './durable-timers';
import type { EffectsInFlight } from './effects-in-flight';
import type { PathEntry } from '../operator-messages';
import type { ProcedurePath } from './procedure-path';
import { timerSummary } from './timeline-summaries';

export type TransitionActions = readonly { type: string; params?: unknown }[];

/** Carries out the timers of `actions` taken into `snapshot`; returns the effects to start. */
export function carryOut(actions: TransitionActions, snapshot: AnyMachineSnapshot, run: { path: ProcedurePath; timers: DurableTimers; flights: EffectsInFlight }): Effect[] {
  const effects: Effect[] = [];
  for (const directive of directivesOf(actions)) {
    if (directive.kind === 'effect') effects.push(directive.effect);
    else if (directive.kind === 'schedule') {
      const entry: PathEntry = { step: currentStep(snapshot), action: 'wait', title: `Wait ${formatSeconds(directive.delayMs / 1000)}`, startedAt: new Date().toISOString(), outcome: 'running', timer: directive.id };
      run.path.record(entry);
      run.timers.start(directive.id, directive.event, Date.now() + directive.delayMs, entry, timerSummary(snapshot.machine, directive.event, entry.title));
    } else {
      run.timers.cancel(directive.id);
    }
  }
  run.flights.cancelUnwanted(snapshot, effects);
  return effects;
}
