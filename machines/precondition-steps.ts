/**
 * The preconditions every SPOC procedure checks before its first stop (DOMAIN.md §1): the
 * Management Server runs, and no member has load, unless the operator overrides the load check
 * explicitly (in the input, or when the check halts); the override is recorded in the result.
 */
import { assign } from 'xstate';
import type { EffectOutputs } from './effects';
import { haltableStep, StateConfig } from './haltable-step';
import type { SpocProcedureContext } from './spoc-procedure-context';

export const PRECONDITIONS_START = 'checkManagementServer';

/** The precondition states; they end in the sibling state `next`. */
export function preconditionStates<C extends SpocProcedureContext>(opts: { hostsOf: (c: C) => string[]; next: string }): Record<string, StateConfig> {
  return {
    checkManagementServer: haltableStep<C>({
      id: 'checkManagementServer',
      description: 'Precondition: the Management Server is running and answers.',
      effect: () => ({ step: 'checkManagementServer', title: 'Check that the Management Server is running', action: 'check-management-server' }),
      next: 'checkLoad',
    }),
    checkLoad: {
      description: 'Precondition: no load on the members (no new jobs, no printing, copying or scanning).',
      initial: 'decide',
      states: {
        decide: { always: [{ guard: ({ context }: { context: C }) => context.loadOverride !== null, target: 'done' }, { target: 'checkNoLoad' }] },
        checkNoLoad: haltableStep<C, EffectOutputs['check-no-load']>({
          id: 'checkNoLoad',
          description: 'Ask the Management Server whether any member has active jobs.',
          effect: (c) => ({ step: 'checkNoLoad', title: 'Check that no member has load', action: 'check-no-load', hosts: opts.hostsOf(c) }),
          next: 'done',
          haltedOn: {
            'operator.overrideLoad': {
              target: '#checkNoLoad.done',
              actions: assign(({ event }: { event: { operator: string; reason: string } }) => ({
                loadOverride: { operator: event.operator, reason: event.reason },
                halt: null,
              })),
            },
          },
        }),
        done: { type: 'final' },
      },
      onDone: { target: opts.next },
    },
  };
}

/** The procedure-wide abort: from any working state to the restore block, with the reason. */
export function abortTransition(target: string): StateConfig {
  return {
    'operator.abort': {
      target,
      actions: assign({ abortReason: ({ event }: { event: { reason?: string } }) => event.reason ?? 'aborted by the operator' }),
    },
  };
}
