/**
 * When Adding a Standalone SPOC to an Existing SPOC Group (docs/spoc-group-maintenance.md#add-a-standalone-spoc-to-a-group): to a group of two,
 * restart with cache deletion on all three; to a group of three or more, the new SPOC is stopped
 * and its cache deleted, the original group restarted without cache deletion, then the new SPOC
 * started. (The source's "After adding SPOC (any SPOC group size) If" lines are lost; nothing is
 * invented for them: docs/spoc-group-maintenance.md#lost-text.)
 */
import { PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { blockStart } from './spoc-group-blocks';
import type { AddSpocInput } from './spoc-scenario-inputs';
import { addSpocBlock } from './spoc-scenario-blocks';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

type C = ScenarioContext<AddSpocInput>;

export const addSpocToGroupMachine = scenarioMachine<AddSpocInput>({
  id: 'addSpocToGroup',
  description: 'A standalone SPOC was added to a SPOC group: restart as the runbook says for the size of the group.',
  spocsOf: (input) => [...input.members, input.newMember],
  groupOf: (input) => input.group,
  first: blockStart('add'),
  states: addSpocBlock<C>({ prefix: 'add', next: 'completed', membersOf: (c) => c.input.members, spocOf: (c) => c.input.newMember }),
  notes: (c) => (c.input.members.length === 2 ? [PRINTED_JOBS_NOTE] : []),
});
