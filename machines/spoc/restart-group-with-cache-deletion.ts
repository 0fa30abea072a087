/**
 * How to Safely Restart a SPOC Group with Cache Deletion (docs/spoc-group-maintenance.md#restart-with-cache-deletion):
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
import { blockStart, restartWithDeletionBlock } from './spoc-group-blocks';
import type { GroupRestartInput } from './spoc-group-input';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';

export const PRINTED_JOBS_NOTE =
  'Previously printed jobs may not be visible in the terminal job list for 15 to 30 minutes, until spooler job recovery has completed.';

export type CacheDeletionContext = ScenarioContext<GroupRestartInput>;

export const restartGroupWithCacheDeletionMachine = scenarioMachine<GroupRestartInput>({
  id: 'restartGroupWithCacheDeletion',
  description: 'Restart a SPOC group with cache deletion: stop all members, delete every cache, start them one at a time.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: blockStart('group'),
  states: restartWithDeletionBlock<CacheDeletionContext>({ prefix: 'group', membersOf: (c) => c.input.members, next: 'completed' }),
  completedDescription: 'Every member restarted with a fresh cache.',
  notes: () => [PRINTED_JOBS_NOTE],
  abortNotes: mixedCachesNote,
});

/**
 * Several members of a group were restarted in parallel (their OS, by hand): the runbook's answer
 * is this same restart with cache deletion on all members; a catalog entry of its own so the
 * operator finds it by the situation, and the result says why it ran.
 */
export const groupMembersRestartedInParallelMachine = scenarioMachine<GroupRestartInput>({
  id: 'groupMembersRestartedInParallel',
  description: 'Several members were restarted in parallel: restart the whole group with cache deletion.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: blockStart('group'),
  states: restartWithDeletionBlock<CacheDeletionContext>({ prefix: 'group', membersOf: (c) => c.input.members, next: 'completed' }),
  completedDescription: 'Every member restarted with a fresh cache after the parallel restart.',
  notes: () => ['Several members had been restarted in parallel; every member was restarted with cache deletion, as the runbook requires.', PRINTED_JOBS_NOTE],
  abortNotes: mixedCachesNote,
});

/** After an abort: a group left with some caches deleted and some not must be restarted with deletion again. */
export function mixedCachesNote(c: ScenarioContext<{ members: { host: string }[] }>): string[] {
  const kept = c.input.members.map((m) => m.host).filter((h) => !c.cachesDeleted.includes(h));
  if (c.cachesDeleted.length > 0 && kept.length > 0) {
    return [
      `The caches of ${c.cachesDeleted.join(', ')} were deleted but those of ${kept.join(', ')} were not: run the restart with cache deletion again so that the whole group recovers its caches.`,
    ];
  }
  return [];
}
