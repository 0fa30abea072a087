/**
 * What a transition asks its interpreter to do. XState's pure `transition` returns the actions it
 * did not execute; a procedure machine only ever leaves three kinds for us: an `effect` to run, a
 * delayed event to schedule (its `after` transitions) and a cancellation of one. Plans and the
 * durable workflow runtime both read transitions through this one function, so they cannot drift.
 */
import type { Effect } from './effects';

export type MachineEvent = { type: string; [key: string]: unknown };

export type Directive =
  | { kind: 'effect'; effect: Effect }
  | { kind: 'schedule'; id: string; event: MachineEvent; delayMs: number }
  | { kind: 'cancel'; id: string };

interface ExecutableAction {
  type: string;
  params?: unknown;
}

/** Turns the actions of one transition into directives; anything unexpected is a programming error. */
export function directivesOf(actions: readonly ExecutableAction[]): Directive[] {
  const directives: Directive[] = [];
  for (const action of actions) {
    if (action.type === 'effect') {
      directives.push({ kind: 'effect', effect: action.params as Effect });
    } else if (action.type === 'xstate.raise') {
      const params = action.params as { event: MachineEvent; id?: string; delay?: number };
      if (params.delay === undefined) continue; // immediate raises are handled inside the transition
      directives.push({ kind: 'schedule', id: params.id ?? params.event.type, event: params.event, delayMs: params.delay });
    } else if (action.type === 'xstate.cancel') {
      const params = action.params as { sendId: string };
      directives.push({ kind: 'cancel', id: params.sendId });
    } else if (action.type === 'xstate.assign') {
      continue;
    } else {
      throw new Error(`procedure machines may only emit effects and delays; got action "${action.type}"`);
    }
  }
  return directives;
}
