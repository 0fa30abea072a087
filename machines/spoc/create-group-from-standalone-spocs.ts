/**
 * When Creating a SPOC Group from Standalone SPOCs (docs/spoc-group-maintenance.md#create-a-group-from-standalone-spocs):
 *   newly installed SPOCs   restart the group without cache deletion, step 8's wait skipped;
 *   SPOCs in production     (waiting and printed jobs) restart the group with cache deletion.
 */
import { PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { blockStart, restartWithDeletionBlock, restartWithoutDeletionBlock } from './spoc-group-blocks';
import type { CreateGroupInput } from './spoc-scenario-inputs';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

type C = ScenarioContext<CreateGroupInput>;

export const createGroupFromStandaloneSpocsMachine = scenarioMachine<CreateGroupInput>({
  id: 'createGroupFromStandaloneSpocs',
  description: 'A SPOC group was created from standalone SPOCs: restart it as the runbook says for new or production SPOCs.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: 'chooseRestart',
  guards: { spocsNewlyInstalled: ({ context }: { context: C }) => context.input.spocs === 'newly-installed' },
  states: {
    chooseRestart: {
      description: 'Newly installed: without cache deletion (no convergence wait). In production: with cache deletion.',
      always: [
        { guard: 'spocsNewlyInstalled', target: blockStart('newSpocs') },
        { target: blockStart('productionSpocs') },
      ],
    },
    ...restartWithoutDeletionBlock<C>({ prefix: 'newSpocs', membersOf: (c) => c.input.members, next: 'completed', convergence: false }),
    ...restartWithDeletionBlock<C>({ prefix: 'productionSpocs', membersOf: (c) => c.input.members, next: 'completed' }),
  },
  notes: (c) => (c.input.spocs === 'in-production' ? [PRINTED_JOBS_NOTE] : []),
});
