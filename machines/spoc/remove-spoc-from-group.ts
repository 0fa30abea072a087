/**
 * When Removing One SPOC from a SPOC Group (docs/spoc-group-maintenance.md#remove-a-spoc-from-a-group): restart with cache deletion on the
 * SPOCs that stay, then stop and start the removed SPOC (SPOC, terminal server, the other
 * services; the runbook does not start its group service again, it is standalone now).
 */
import { PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { blockStart } from './spoc-group-blocks';
import type { RemoveSpocInput } from './spoc-scenario-inputs';
import { removeSpocBlock } from './spoc-scenario-blocks';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

type C = ScenarioContext<RemoveSpocInput>;

export const removeSpocFromGroupMachine = scenarioMachine<RemoveSpocInput>({
  id: 'removeSpocFromGroup',
  description: 'A SPOC was removed from its SPOC group: restart the group that stays with cache deletion, then restart the removed SPOC.',
  spocsOf: (input) => [...input.members, input.removedMember],
  groupOf: (input) => input.group,
  first: blockStart('remove'),
  states: removeSpocBlock<C>({ prefix: 'remove', next: 'completed', membersOf: (c) => c.input.members, spocOf: (c) => c.input.removedMember }),
  notes: (c) => [PRINTED_JOBS_NOTE, standaloneNote(c.input.removedMember.host)],
});

export function standaloneNote(host: string): string {
  return `${host} is a standalone SPOC now: its Group Service, stopped in step 1, is not started again by the runbook.`;
}
