/**
 * How to Safely Restart a SPOC Group without Cache Deletion (docs/spoc-group-maintenance.md#restart-without-cache-deletion),
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
import { blockStart, restartWithoutDeletionBlock } from './spoc-group-blocks';
import type { GroupRestartInput } from './spoc-group-input';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

export type GroupRestartContext = ScenarioContext<GroupRestartInput>;

export const restartGroupWithoutCacheDeletionMachine = scenarioMachine<GroupRestartInput>({
  id: 'restartGroupWithoutCacheDeletion',
  description: 'Restart a SPOC group without cache deletion, one member at a time.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: blockStart('member'),
  states: restartWithoutDeletionBlock<GroupRestartContext>({ prefix: 'member', membersOf: (c) => c.input.members, next: 'completed', convergence: true }),
  completedDescription: 'Every member restarted.',
});
