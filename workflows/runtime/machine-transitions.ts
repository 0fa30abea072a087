/**
 * XState's pure `transition`, at the cost of the transition alone. `transition(machine, snapshot,
 * event)` builds a throw-away inert actor for every event it is given, and building one computes
 * the machine's whole initial snapshot again (its context factory runs without input and throws,
 * which XState catches): a third of the runtime's work per step went there
 * (bench/run.ts, part 1). The inert scope is the same for every event of a run, so the runtime
 * builds it once and hands each transition a fresh list to collect its actions in.
 *
 * The result is XState's own: the same `machine.transition` on the same kind of inert scope,
 * whose actions are collected, never executed. Sharing the scope's actor system between events is
 * safe because a procedure machine spawns and invokes no actors (machine-directives.ts refuses any
 * action but effects and delays), so nothing registers in it.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import type { TransitionActions } from './transition-directives';

export type MachineTransition = (snapshot: AnyMachineSnapshot, event: EventObject) => [AnyMachineSnapshot, TransitionActions];

/** `transition(machine, snapshot, event)` of XState, for one run of `machine`. */
export function machineTransitions(machine: AnyStateMachine): MachineTransition {
  let collected: unknown[] = [];
  const self = createActor(machine);
  // What XState's inert scope holds (createInertActorScope in xstate's transition): nothing runs.
  const scope = {
    self,
    defer: () => undefined,
    id: '',
    logger: () => undefined,
    sessionId: '',
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: (action: unknown) => {
      collected.push(action);
    },
  } as unknown as AnyActorScope;
  return (snapshot, event) => {
    collected = [];
    const next = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
    return [next, collected as TransitionActions];
  };
}

/** Per machine, its transitions: the inert scope is the same for every run of the machine. */
const transitionsOf = new WeakMap<AnyStateMachine, MachineTransition>();

/**
 * `machineTransitions(machine)`, built once per machine for all the runs this module serves (the
 * runtime's second version, runtime-version.ts): the scope holds nothing of a run (its actions go
 * to a fresh list for every event, and a transition returns before any other run's can begin).
 * In the worker each workflow evaluates the runtime's modules for itself (only the machines are
 * shared, worker/shared-machines.ts), so there it is built once per run and shared by the run's
 * events; sharing the runtime's modules between runs too was measured and bought nothing (README,
 * Benchmark, "Session 16").
 */
export function sharedMachineTransitions(machine: AnyStateMachine): MachineTransition {
  let transition = transitionsOf.get(machine);
  if (!transition) transitionsOf.set(machine, (transition = machineTransitions(machine)));
  return transition;
}
