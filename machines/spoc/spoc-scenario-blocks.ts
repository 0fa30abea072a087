/**
 * The SPOC scenarios that have steps of their own, as blocks (docs/spoc-group-maintenance.md#scenarios):
 *
 * - adding a standalone SPOC to a group of two: restart with cache deletion on all three;
 *   to a group of three or more: on the new SPOC stop SPOC + group service, terminal server, the
 *   other services and delete its cache; restart the original group without cache deletion;
 *   then on the new SPOC start SPOC (verify the group service), terminal server, the other services.
 * - removing a SPOC: restart with cache deletion on the members that stay; then on the removed
 *   SPOC stop SPOC + group service, terminal server, the other services, and start SPOC, terminal
 *   server and the other services. The runbook does not start its group service again: it is a
 *   standalone SPOC now.
 *
 * The source lost the lines after "After adding SPOC (any SPOC group size) If" and the "If" after
 * remove and move; no steps are invented for them (docs/spoc-group-maintenance.md#lost-text).
 */
import { StateConfig } from '../core/haltable-step';
import { BlockContext, blockStart, deleteCacheStep, restartWithDeletionBlock, restartWithoutDeletionBlock } from './spoc-group-blocks';
import type { SpocMember } from './spoc-group-input';
import { startMemberSteps, startStepIds, stopMemberSteps, stopStepIds } from './spoc-member-steps';

/** Guards the scenario blocks use, by name so a chart shows them; a machine built from them passes these to `setup`. */
export const SCENARIO_BLOCK_GUARDS = {
  /** The group the SPOC joins has two members (the runbook then restarts all three with cache deletion). */
  isGroupOfTwo: (_: unknown, { members }: { members: SpocMember[] }) => members.length === 2,
};

interface ScenarioBlockOptions<C extends BlockContext> {
  prefix: string;
  next: string;
  /** Members of the group before the change (add) or after it (remove). */
  membersOf: (c: C) => SpocMember[];
  /** The SPOC added or removed. */
  spocOf: (c: C) => SpocMember;
}

/** Adding a standalone SPOC: which way depends on the size of the group it joins. */
export function addSpocBlock<C extends BlockContext>({ prefix, next, membersOf, spocOf }: ScenarioBlockOptions<C>): Record<string, StateConfig> {
  const all = `${prefix}AllMembers`;
  const original = `${prefix}Original`;
  const spoc = `${prefix}NewSpoc`;
  return {
    [blockStart(prefix)]: {
      description: 'A group of two: restart with cache deletion on all three. Three or more: the new SPOC first, then the original group.',
      always: [
        { guard: { type: 'isGroupOfTwo', params: ({ context }: { context: C }) => ({ members: membersOf(context) }) }, target: blockStart(all) },
        { target: stopStepIds(spoc).stopSpoc },
      ],
    },
    ...restartWithDeletionBlock<C>({ prefix: all, membersOf: (c) => [...membersOf(c), spocOf(c)], next }),
    ...stopMemberSteps<C>({ prefix: spoc, memberOf: spocOf, next: `${spoc}DeleteCache` }),
    ...deleteCacheStep<C>(`${spoc}DeleteCache`, spocOf, blockStart(original)),
    ...restartWithoutDeletionBlock<C>({ prefix: original, membersOf, next: startStepIds(`${spoc}Start`).startSpoc, convergence: true }),
    ...startMemberSteps<C>({ prefix: `${spoc}Start`, memberOf: spocOf, next, awaitOnline: false }),
  };
}

/** Removing a SPOC: the group that stays first, then the removed SPOC on its own. */
export function removeSpocBlock<C extends BlockContext>({ prefix, next, membersOf, spocOf }: ScenarioBlockOptions<C>): Record<string, StateConfig> {
  const staying = `${prefix}Staying`;
  const removed = `${prefix}Removed`;
  return {
    [blockStart(prefix)]: { always: { target: blockStart(staying) } },
    ...restartWithDeletionBlock<C>({ prefix: staying, membersOf, next: stopStepIds(removed).stopSpoc }),
    ...stopMemberSteps<C>({ prefix: removed, memberOf: spocOf, next: startStepIds(`${removed}Start`).startSpoc }),
    ...startMemberSteps<C>({ prefix: `${removed}Start`, memberOf: spocOf, next, groupService: 'standalone', awaitOnline: false }),
  };
}
