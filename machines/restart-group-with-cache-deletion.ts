/**
 * How to Safely Restart a SPOC Group with Cache Deletion (DOMAIN.md §1, the seed's steps 1-9):
 *
 *   preconditions  Management Server reachable; no load (or an explicit, recorded override).
 *   phase A        on every member, one after another: (1) stop SPOC and group service,
 *                  (2) stop terminal server, (3) stop the other services. All members are down
 *                  on purpose from here until their start.
 *   phase B        (5) delete <install_dir>\SPOC\SpoolCache on every member; only once phase A is
 *                  complete on all of them.
 *   phase C        one member at a time: (6) start SPOC and verify the group service within 1-2
 *                  minutes, (7) start terminal server, (8) wait for ONLINE, (9) start the other
 *                  services stopped in step 3; then wait 3 minutes (input) before the next member.
 *
 * The SPOCs recover their caches from the Management Server. On completion the operator is told
 * that previously printed jobs may stay invisible at terminals for 15-30 minutes. An abort at any
 * point starts again what this procedure stopped (their caches stay deleted: the SPOCs recover).
 */
import { setup } from 'xstate';
import type { Effect } from './effects';
import { abortRestoreStates } from './abort-restore-steps';
import { abortTransition, preconditionStates, PRECONDITIONS_START } from './precondition-steps';
import { BLOCK_DELAYS, BlockContext, blockStart, restartWithDeletionBlock } from './spoc-group-blocks';
import type { GroupRestartInput } from './spoc-group-input';
import { initialSpocContext } from './spoc-procedure-context';
import { spocProcedureOutput, SpocProcedureOutput } from './spoc-procedure-output';

export const PRINTED_JOBS_NOTE =
  'Previously printed jobs may not be visible in the terminal job list for 15 to 30 minutes, until spooler job recovery has completed.';

export interface CacheDeletionContext extends BlockContext {
  input: GroupRestartInput;
}

const BLOCK = 'group';

export const restartGroupWithCacheDeletionMachine = setup({
  types: {
    context: {} as CacheDeletionContext,
    input: {} as GroupRestartInput,
    output: {} as SpocProcedureOutput,
  },
  actions: {
    /** Performed by the workflow runtime, never by the machine. */
    effect: (_args, _effect: Effect) => undefined,
  },
  delays: BLOCK_DELAYS,
}).createMachine({
  id: 'restartGroupWithCacheDeletion',
  description: 'Restart a SPOC group with cache deletion: stop all members, delete every cache, start them one at a time.',
  context: ({ input }) => ({ ...initialSpocContext(input.loadOverride ?? null), input, memberIndex: 0, cachesDeleted: [] }),
  initial: 'procedure',
  states: {
    procedure: {
      initial: PRECONDITIONS_START,
      on: abortTransition('aborting'),
      states: {
        ...preconditionStates<CacheDeletionContext>({ hostsOf: (c) => c.input.members.map((m) => m.host), next: blockStart(BLOCK) }),
        ...restartWithDeletionBlock<CacheDeletionContext>({ prefix: BLOCK, membersOf: (c) => c.input.members, next: 'completed' }),
        completed: { type: 'final' },
      },
      onDone: { target: 'completed' },
    },
    aborting: abortRestoreStates<CacheDeletionContext>('aborted'),
    completed: { type: 'final', description: 'Every member restarted with a fresh cache.' },
    aborted: { type: 'final', description: 'Aborted; what this procedure stopped was started again (see the result).' },
  },
  output: ({ context }) => spocProcedureOutput(context, context.abortReason === null ? 'completed' : 'aborted', context.input.group, notesFor(context)),
});

/** What the operator must know at the end: the printed-jobs delay, or a group left with mixed caches. */
function notesFor(c: CacheDeletionContext): string[] {
  if (c.abortReason === null) return [PRINTED_JOBS_NOTE];
  const kept = c.input.members.map((m) => m.host).filter((h) => !c.cachesDeleted.includes(h));
  if (c.cachesDeleted.length > 0 && kept.length > 0) {
    return [
      `The caches of ${c.cachesDeleted.join(', ')} were deleted but those of ${kept.join(', ')} were not: run the restart with cache deletion again so that the whole group recovers its caches.`,
    ];
  }
  return [];
}
