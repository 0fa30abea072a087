/**
 * The two group restarts of the runbook as blocks that any SPOC procedure can chain: the restart
 * without cache deletion (one member at a time) and the restart with cache deletion (all stopped,
 * all caches deleted, started one at a time). Each block walks its own list of members with the
 * context's `memberIndex`, and ends in the sibling state `next`. The SPOC scenarios (create, add,
 * remove, move, IP change) are these blocks and the per-member steps in the runbook's order.
 */
import { assign } from 'xstate';
import type { EffectOutputs } from '../core/effects';
import { haltableStep, StateConfig } from '../core/haltable-step';
import type { SpocMember } from './spoc-group-input';
import {
  convergenceStepIds,
  convergenceSteps,
  MemberWaits,
  startMemberSteps,
  startStepIds,
  stopMemberSteps,
  stopStepIds,
} from './spoc-member-steps';
import type { SpocProcedureContext } from './spoc-procedure-context';

/** Context of a procedure built from blocks. */
export interface BlockContext extends SpocProcedureContext {
  input: { waits: MemberWaits & { convergenceSeconds: number; betweenStartsSeconds: number; cacheDeletionTimeoutSeconds?: number } };
  memberIndex: number;
  cachesDeleted: string[];
}

/** Delays the blocks use; a machine built from blocks passes these to `setup`. */
export const BLOCK_DELAYS = {
  convergence: ({ context }: { context: BlockContext }) => context.input.waits.convergenceSeconds * 1000,
  betweenStarts: ({ context }: { context: BlockContext }) => context.input.waits.betweenStartsSeconds * 1000,
};

interface BlockOptions<C extends BlockContext> {
  prefix: string;
  membersOf: (c: C) => SpocMember[];
  next: string;
}

function memberAt<C extends BlockContext>(membersOf: (c: C) => SpocMember[]) {
  return (c: C): SpocMember => {
    const member = membersOf(c)[c.memberIndex];
    if (!member) throw new Error(`member index ${c.memberIndex} is outside the block's members`);
    return member;
  };
}

/** Guards the blocks use, by name so a chart shows them; a machine built from blocks passes these to `setup`. */
export const BLOCK_GUARDS = {
  /** The member at `memberIndex` is the last of the block's members. */
  isLastMember: ({ context }: { context: BlockContext }, { members }: { members: SpocMember[] }) => context.memberIndex >= members.length - 1,
};

/** `isLastMember` of the members a block walks. */
const isLastMember = <C extends BlockContext>(membersOf: (c: C) => SpocMember[]) => ({
  type: 'isLastMember',
  params: ({ context }: { context: C }) => ({ members: membersOf(context) }),
});
const nextIndex = assign({ memberIndex: ({ context }: { context: BlockContext }) => context.memberIndex + 1 });
const firstIndex = assign({ memberIndex: 0 });
const completed = <C extends BlockContext>(memberOf: (c: C) => SpocMember) =>
  assign(({ context }: { context: C }) => ({ completedMembers: [...context.completedMembers, memberOf(context).host] }) as Partial<C>);

/** The entry state of a block: `<prefix>Begin`. */
export function blockStart(prefix: string): string {
  return `${prefix}Begin`;
}

/**
 * Restart without cache deletion, one member at a time (docs/spoc-group-maintenance.md#restart-without-cache-deletion). With
 * `convergence: false` step 8 is skipped, as when a group is created from newly installed SPOCs.
 */
export function restartWithoutDeletionBlock<C extends BlockContext>(opts: BlockOptions<C> & { convergence: boolean }): Record<string, StateConfig> {
  const { prefix, membersOf, next } = opts;
  const memberOf = memberAt(membersOf);
  const afterStart = opts.convergence ? convergenceStepIds(prefix).awaitRescueFinished : `${prefix}NextMember`;
  return {
    [blockStart(prefix)]: { always: { target: stopStepIds(prefix).stopSpoc, actions: firstIndex } },
    ...stopMemberSteps<C>({ prefix, memberOf, next: startStepIds(prefix).startSpoc }),
    ...startMemberSteps<C>({ prefix, memberOf, next: afterStart }),
    ...(opts.convergence ? convergenceSteps<C>({ prefix, memberOf, next: `${prefix}NextMember` }) : {}),
    [`${prefix}NextMember`]: {
      description: 'This member is done; go on with the next one, or finish this block.',
      entry: completed(memberOf),
      always: [{ guard: isLastMember(membersOf), target: next }, { target: stopStepIds(prefix).stopSpoc, actions: nextIndex }],
    },
  };
}

/** Restart with cache deletion (docs/spoc-group-maintenance.md#restart-with-cache-deletion): all stopped, all caches deleted, started one at a time. */
export function restartWithDeletionBlock<C extends BlockContext>(opts: BlockOptions<C>): Record<string, StateConfig> {
  const { prefix, membersOf, next } = opts;
  const memberOf = memberAt(membersOf);
  const stopPrefix = `${prefix}PhaseA`;
  const startPrefix = `${prefix}PhaseC`;
  const deleteId = `${prefix}DeleteCache`;
  return {
    [blockStart(prefix)]: { always: { target: stopStepIds(stopPrefix).stopSpoc, actions: firstIndex } },
    ...stopMemberSteps<C>({ prefix: stopPrefix, memberOf, next: `${stopPrefix}NextMember` }),
    [`${stopPrefix}NextMember`]: {
      description: 'Steps 1-3 are done on this member; go on with the next, or delete the caches once all are stopped.',
      always: [{ guard: isLastMember(membersOf), target: deleteId, actions: firstIndex }, { target: stopStepIds(stopPrefix).stopSpoc, actions: nextIndex }],
    },
    ...deleteCacheStep<C>(deleteId, memberOf, `${prefix}PhaseBNextMember`),
    [`${prefix}PhaseBNextMember`]: {
      description: 'The cache of this member is deleted; go on with the next, or start the members.',
      always: [{ guard: isLastMember(membersOf), target: startStepIds(startPrefix).startSpoc, actions: firstIndex }, { target: deleteId, actions: nextIndex }],
    },
    ...startMemberSteps<C>({ prefix: startPrefix, memberOf, next: `${startPrefix}NextMember` }),
    [`${startPrefix}NextMember`]: {
      description: 'Steps 6-9 are done on this member; wait before starting the next one, or finish this block.',
      entry: completed(memberOf),
      always: [{ guard: isLastMember(membersOf), target: next }, { target: `${prefix}WaitBetweenStarts` }],
    },
    [`${prefix}WaitBetweenStarts`]: {
      description: 'Wait 3-10 minutes between the starts of two members (the input says how long).',
      tags: ['waiting'],
      after: { betweenStarts: { target: startStepIds(startPrefix).startSpoc, actions: nextIndex } },
    },
  };
}

/** Step 5 on one member: delete `<install_dir>\SPOC\SpoolCache`. */
export function deleteCacheStep<C extends BlockContext>(id: string, memberOf: (c: C) => SpocMember, next: string): Record<string, StateConfig> {
  return {
    [id]: haltableStep<C, EffectOutputs['delete-cache']>({
      id,
      description: 'Step 5: delete <install_dir>\\SPOC\\SpoolCache on this member (it is stopped).',
      effect: (c) => {
        const timeoutSeconds = c.input.waits.cacheDeletionTimeoutSeconds;
        return {
          step: id,
          title: `Delete the spool cache on ${memberOf(c).host}`,
          action: 'delete-cache',
          host: memberOf(c).host,
          installDir: memberOf(c).installDir,
          ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
        };
      },
      next,
      onDone: (c) => ({ cachesDeleted: [...c.cachesDeleted, memberOf(c).host] }) as Partial<C>,
    }),
  };
}
