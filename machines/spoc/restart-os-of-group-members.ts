/**
 * When Restarting the Server with the Installed SPOC, in a SPOC group (docs/spoc-group-maintenance.md#os-restart-of-group-members): only one
 * member may be restarted at a time.
 *
 *   preconditions   Management Server reachable; no load (or an explicit, recorded override).
 *   per member      the other members show online on the Management Server (otherwise a restart
 *                   now would take two members down: the step halts); note the running SPOC
 *                   services; restart the OS; wait until the host is back with those services;
 *                   wait until the SPOC shows online on the Management Server since the boot;
 *                   then wait circa 5-10 minutes (`settleSeconds`) before the next member.
 *   parallel        when, at a member's return, the Management Server shows another member down
 *                   or newly online (someone restarted it meanwhile), several members were
 *                   restarted in parallel: the runbook's answer is the restart with cache deletion
 *                   on all members, which the procedure goes on with (the result says why).
 *
 * An abort asks the member under way to start again the services that ran before its restart
 * (Windows usually has: they are reported as already running). If its host is still booting, that
 * start waits for its agent; a boot longer than the pickup time halts the abort with the host
 * unreachable, and the operator retries it once the host is up (or skips it: the result then lists
 * those services as not started).
 */
import { mixedCachesNote, PRINTED_JOBS_NOTE } from './restart-group-with-cache-deletion';
import { haltableStep } from '../core/haltable-step';
import type { GroupOsRestartInput } from './os-restart-input';
import { initialOsRestartContext, OS_RESTART_STEP_IDS, OsRestartContext, osRestartSteps, sequentialOsRestartStates } from './os-restart-steps';
import { blockStart, restartWithDeletionBlock } from './spoc-group-blocks';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';
import { assign } from 'xstate';

export type GroupOsRestartContext = ScenarioContext<GroupOsRestartInput> & OsRestartContext;
type C = GroupOsRestartContext;

const memberNow = (c: C) => {
  const member = c.input.members[c.memberIndex];
  if (!member) throw new Error(`member index ${c.memberIndex} is outside the group`);
  return member;
};
const othersThan = (c: C, host: string) => c.input.members.map((m) => m.host).filter((h) => h !== host);

const steps = osRestartSteps<C>({ memberOf: (c, host) => c.input.members.find((m) => m.host === host) ?? memberNow(c), othersOf: othersThan });

/** Where a parallel restart leads: the restart with cache deletion on all members. */
export const PARALLEL_RESTART_STATE = blockStart('recover');

export const restartOsOfGroupMembersMachine = scenarioMachine<GroupOsRestartInput>({
  id: 'restartOsOfGroupMembers',
  description: 'Restart the OS of the servers of a SPOC group, one member at a time, each back online on the Management Server and settled before the next.',
  spocsOf: (input) => input.members,
  groupOf: (input) => input.group,
  first: 'osBegin',
  extraContext: initialOsRestartContext,
  guards: {
    /** Another member went down or came back online while this one restarted. */
    parallelRestartSeen: ({ context }: { context: C }) => context.parallelRestartSeen.length > 0,
  },
  delays: { settle: ({ context }: { context: C }) => context.input.waits.settleSeconds * 1000 },
  states: {
    osBegin: { always: { target: 'checkOthersOnline', actions: assign({ memberIndex: 0 }) } },
    checkOthersOnline: haltableStep<C>({
      id: 'checkOthersOnline',
      description: 'The other members show online on the Management Server: only one member of a group may be down at a time.',
      effect: (c) => ({ step: 'checkOthersOnline', title: `Check that the members other than ${memberNow(c).host} are online`, action: 'check-spocs-online', hosts: othersThan(c, memberNow(c).host) }),
      next: OS_RESTART_STEP_IDS.noteRunningServices,
    }),
    ...sequentialOsRestartStates<C>(steps, (c) => memberNow(c).host, 'afterMemberBack'),
    afterMemberBack: {
      description: 'The member is back online. Another member down meanwhile means a parallel restart: go on with the restart with cache deletion.',
      always: [
        // The restart with cache deletion restarts every member; it lists them as it completes them.
        { guard: 'parallelRestartSeen', target: PARALLEL_RESTART_STATE, actions: assign({ completedMembers: [] }) },
        { target: 'settle' },
      ],
    },
    settle: {
      description: 'Wait circa 5-10 minutes (settleSeconds) before the next member.',
      tags: ['waiting'],
      after: { settle: { target: 'osNextMember' } },
    },
    osNextMember: {
      description: 'This member is done; go on with the next one, or finish.',
      entry: assign(({ context }: { context: C }) => ({ completedMembers: [...context.completedMembers, memberNow(context).host] })),
      always: [
        { guard: { type: 'isLastMember', params: ({ context }: { context: C }) => ({ members: context.input.members }) }, target: 'completed' },
        { target: 'checkOthersOnline', actions: assign({ memberIndex: ({ context }: { context: C }) => context.memberIndex + 1 }) },
      ],
    },
    ...restartWithDeletionBlock<C>({ prefix: 'recover', membersOf: (c) => c.input.members, next: 'completed' }),
  },
  completedDescription: 'Every member restarted, one at a time (or, after a parallel restart, restarted with cache deletion).',
  // An abort during the restart with cache deletion may leave some caches deleted and some not.
  abortNotes: (c) => mixedCachesNote(c),
  notes: (c) =>
    (c as C).parallelRestartSeen.length > 0
      ? [
          `${(c as C).parallelRestartSeen.join(', ')} went down while another member restarted: several members were restarted in parallel, so the group was restarted with cache deletion, as the runbook requires.`,
          PRINTED_JOBS_NOTE,
        ]
      : [],
});
