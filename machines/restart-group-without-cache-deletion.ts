/**
 * How to Safely Restart a SPOC Group without Cache Deletion (DOMAIN.md §1, the seed's steps 1-8),
 * one member at a time:
 *
 *   preconditions  Management Server reachable; no load on any member (or an explicit, recorded
 *                  operator override). Nothing is stopped before both hold.
 *   per member     (1) stop SPOC and group service, (2) stop terminal server, (3) stop the other
 *                  services; start SPOC and verify the group service within 1-2 minutes, start
 *                  terminal server, wait for ONLINE, start the other services stopped in step 3;
 *                  (8) wait circa 5 minutes after spoc.log shows the rescue finished. Then the next.
 *
 * At most one member is down at any time. An abort, at any point, starts again what this
 * procedure stopped and ends with a result that lists what it could not start.
 */
import { setup } from 'xstate';
import type { Effect } from './effects';
import { abortRestoreStates } from './abort-restore-steps';
import { abortTransition, preconditionStates, PRECONDITIONS_START } from './precondition-steps';
import { BLOCK_DELAYS, BlockContext, blockStart, restartWithoutDeletionBlock } from './spoc-group-blocks';
import type { GroupRestartInput } from './spoc-group-input';
import { initialSpocContext } from './spoc-procedure-context';
import { spocProcedureOutput, SpocProcedureOutput } from './spoc-procedure-output';

export interface GroupRestartContext extends BlockContext {
  input: GroupRestartInput;
}

const BLOCK = 'member';

export const restartGroupWithoutCacheDeletionMachine = setup({
  types: {
    context: {} as GroupRestartContext,
    input: {} as GroupRestartInput,
    output: {} as SpocProcedureOutput,
  },
  actions: {
    /** Performed by the workflow runtime, never by the machine. */
    effect: (_args, _effect: Effect) => undefined,
  },
  delays: BLOCK_DELAYS,
}).createMachine({
  id: 'restartGroupWithoutCacheDeletion',
  description: 'Restart a SPOC group without cache deletion, one member at a time.',
  context: ({ input }) => ({ ...initialSpocContext(input.loadOverride ?? null), input, memberIndex: 0, cachesDeleted: [] }),
  initial: 'procedure',
  states: {
    procedure: {
      initial: PRECONDITIONS_START,
      on: abortTransition('aborting'),
      states: {
        ...preconditionStates<GroupRestartContext>({ hostsOf: (c) => c.input.members.map((m) => m.host), next: blockStart(BLOCK) }),
        ...restartWithoutDeletionBlock<GroupRestartContext>({ prefix: BLOCK, membersOf: (c) => c.input.members, next: 'completed', convergence: true }),
        completed: { type: 'final' },
      },
      onDone: { target: 'completed' },
    },
    aborting: abortRestoreStates<GroupRestartContext>('aborted'),
    completed: { type: 'final', description: 'Every member restarted.' },
    aborted: { type: 'final', description: 'Aborted; what this procedure stopped was started again (see the result).' },
  },
  output: ({ context }) => spocProcedureOutput(context, context.abortReason === null ? 'completed' : 'aborted', context.input.group),
});
