/**
 * The benchmark's N-step procedure: N times one central check, as a machine built from the same
 * haltable steps as the real procedures, so the runtime pays its real per-step costs.
 */
import { assign, setup } from 'xstate';
import type { Effect } from '../machines/core/effects';
import { haltableStep, HaltableContext } from '../machines/core/haltable-step';

export interface StepsContext extends HaltableContext {
  steps: number;
  done: number;
}

export const stepsMachine = setup({
  types: { context: {} as StepsContext, input: {} as { steps: number }, output: {} as { done: number } },
  actions: { effect: (_args, _effect: Effect) => undefined },
  guards: { allDone: ({ context }) => context.done >= context.steps },
}).createMachine({
  id: 'benchSteps',
  context: ({ input }) => ({ steps: input.steps, done: 0, halt: null }),
  initial: 'next',
  states: {
    next: { always: [{ guard: 'allDone', target: 'finished' }, { target: 'tick' }] },
    tick: haltableStep<StepsContext>({
      id: 'tick',
      description: 'One central check.',
      effect: (c) => ({ step: 'tick', title: `Check ${c.done + 1}`, action: 'check-management-server' }),
      next: 'count',
    }),
    count: { entry: assign({ done: ({ context }) => context.done + 1 }), always: 'next' },
    finished: { type: 'final' },
  },
  output: ({ context }) => ({ done: context.done }),
});
