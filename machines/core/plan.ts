/**
 * The plan of a procedure: every step it would take for an input, computed by running the real
 * machine with pure transitions and answering each effect with its nominal output. Nothing is
 * performed; the same machine runs in the workflow, so plan and run cannot disagree.
 */
import { AnyStateMachine, initialTransition, transition } from 'xstate';
import { ActionWord, Effect, doneEventType, hostOf, nominalOutput, targetOf } from './effects';
import { directivesOf, MachineEvent } from './machine-directives';

/** One row of a plan: the same words as the operation record. */
export interface PlannedStep {
  /** Position in the plan, from 1. */
  order: number;
  /** The machine step that performs it. */
  step: string;
  action: ActionWord | 'wait';
  host?: string;
  target?: string;
  /** For `wait` rows: how long the procedure waits. */
  waitSeconds?: number;
  /** For steps that wait on a host (a service, a log line): how long at most before they halt. */
  timeoutSeconds?: number;
  title: string;
}

const PLAN_EPOCH = Date.UTC(2000, 0, 1);

/** Runs the machine on nominal answers until it finishes; throws when it would need an operator. */
export function planProcedure(machine: AnyStateMachine, input: unknown, maxSteps = 10_000): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const effects: Effect[] = [];
  const delays = new Map<string, { event: MachineEvent; delayMs: number; step: string }>();
  let clock = PLAN_EPOCH;
  let [snapshot, actions] = initialTransition(machine, input);

  const absorb = (acts: readonly { type: string; params?: unknown }[], stateStep: string) => {
    for (const directive of directivesOf(acts)) {
      if (directive.kind === 'effect') effects.push(directive.effect);
      else if (directive.kind === 'schedule') delays.set(directive.id, { event: directive.event, delayMs: directive.delayMs, step: stateStep });
      else delays.delete(directive.id);
    }
  };
  absorb(actions, currentStep(snapshot));

  while (snapshot.status === 'active') {
    if (steps.length >= maxSteps) throw new Error(`the plan exceeds ${maxSteps} steps; the machine may loop`);
    const effect = effects.shift();
    let event: MachineEvent;
    if (effect) {
      const host = hostOf(effect);
      const target = targetOf(effect);
      const timeout = 'timeoutSeconds' in effect ? effect.timeoutSeconds : undefined;
      steps.push({
        order: steps.length + 1,
        step: effect.step,
        action: effect.action,
        ...(host !== undefined ? { host } : {}),
        ...(target !== undefined ? { target } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        title: effect.title,
      });
      event = { type: doneEventType(effect.step), output: nominalOutput(effect, new Date(clock).toISOString()), ...(host !== undefined ? { host } : {}) };
    } else {
      const next = [...delays.entries()].sort((a, b) => a[1].delayMs - b[1].delayMs)[0];
      if (!next) throw new Error(`the machine is stuck in ${JSON.stringify(snapshot.value)} with nothing to do`);
      const [id, delay] = next;
      delays.delete(id);
      clock += delay.delayMs;
      steps.push({ order: steps.length + 1, step: delay.step, action: 'wait', waitSeconds: delay.delayMs / 1000, title: `Wait ${formatSeconds(delay.delayMs / 1000)}` });
      event = delay.event;
    }
    [snapshot, actions] = transition(machine, snapshot, event);
    absorb(actions, currentStep(snapshot));
  }
  return steps;
}

/** The innermost state key of a snapshot: the step the machine is at. */
export function currentStep(snapshot: { value: unknown }): string {
  let value = snapshot.value;
  let key = '';
  while (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const first = entries[0];
    if (!first) break;
    const [k, v] = first;
    if (typeof v === 'string' && (v === 'running' || v === 'halted' || v === 'done')) return k;
    key = k;
    value = v;
  }
  return typeof value === 'string' ? value : key;
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
