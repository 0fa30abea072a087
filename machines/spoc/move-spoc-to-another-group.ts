/**
 * When Moving a SPOC from a SPOC Group to Another SPOC Group (docs/spoc-group-maintenance.md#move-a-spoc-to-another-group): in two steps (the
 * runbook's way), remove it from the old group (as "remove a SPOC") and add it to the new one (as
 * "add a SPOC", by the new group's size); or in one step, restart with cache deletion on both
 * groups: the members that stay in the old one, then the new one with the moved SPOC.
 */
import { PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { standaloneNote } from './remove-spoc-from-group';
import { blockStart, restartWithDeletionBlock } from './spoc-group-blocks';
import type { MoveSpocInput } from './spoc-scenario-inputs';
import { addSpocBlock, removeSpocBlock } from './spoc-scenario-blocks';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

type C = ScenarioContext<MoveSpocInput>;

export const moveSpocToAnotherGroupMachine = scenarioMachine<MoveSpocInput>({
  id: 'moveSpocToAnotherGroup',
  description: 'Move a SPOC to another SPOC group, in two steps (remove, then add) or in one (restart both groups with cache deletion).',
  spocsOf: (input) => [...input.from.members, input.spoc, ...input.to.members],
  groupOf: (input) => `${input.from.group} -> ${input.to.group}`,
  first: 'chooseMode',
  guards: { moveInOneStep: ({ context }: { context: C }) => context.input.mode === 'one-step' },
  states: {
    chooseMode: {
      description: 'Two steps: remove from the old group, then add to the new one. One step: both groups with cache deletion.',
      always: [{ guard: 'moveInOneStep', target: blockStart('oldGroup') }, { target: blockStart('remove') }],
    },
    ...removeSpocBlock<C>({ prefix: 'remove', next: blockStart('add'), membersOf: (c) => c.input.from.members, spocOf: (c) => c.input.spoc }),
    ...addSpocBlock<C>({ prefix: 'add', next: 'completed', membersOf: (c) => c.input.to.members, spocOf: (c) => c.input.spoc }),
    ...restartWithDeletionBlock<C>({ prefix: 'oldGroup', membersOf: (c) => c.input.from.members, next: blockStart('newGroup') }),
    ...restartWithDeletionBlock<C>({ prefix: 'newGroup', membersOf: (c) => [...c.input.to.members, c.input.spoc], next: 'completed' }),
  },
  notes: (c) => [PRINTED_JOBS_NOTE, ...(c.input.mode === 'two-steps' ? [standaloneNote(c.input.spoc.host).replace('is a standalone SPOC now', 'was standalone between the two steps')] : [])],
});
