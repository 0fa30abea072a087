/**
 * When Changing the IP Address of a Site Server (docs/spoc-group-maintenance.md#ip-address-of-a-site-server-changed): restart with cache deletion on all
 * remaining members of its group, so that they reconnect the node with the changed address. "All
 * remaining members" is read as the members other than the changed site server, which the IP
 * change procedure itself restarted.
 */
import { PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { blockStart, restartWithDeletionBlock } from './spoc-group-blocks';
import type { IpChangedInput } from './spoc-scenario-inputs';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

type C = ScenarioContext<IpChangedInput>;

export const ipAddressChangedMachine = scenarioMachine<IpChangedInput>({
  id: 'ipAddressChanged',
  description: 'The IP address of a site server changed: restart the remaining members of its group with cache deletion.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: blockStart('remaining'),
  states: restartWithDeletionBlock<C>({ prefix: 'remaining', membersOf: (c) => c.input.members, next: 'completed' }),
  notes: () => [PRINTED_JOBS_NOTE],
});
