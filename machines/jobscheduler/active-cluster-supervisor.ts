/**
 * The supervisor of an active JobScheduler cluster (docs/jobscheduler-cluster.md#active-cluster): every member is active and runs
 * its own jobs; the steps of orders of distributed job chains may run on any member, and the
 * supervisor hands each waiting step to one, by load balancing.
 *
 * Load-balancing rule (applied in the cluster database, in one transaction, so two hand-outs never
 * race): a waiting step goes to the alive member with the fewest order steps in hand (assigned or
 * running); a tie goes to the member whose id (its host) sorts first. An order's steps keep their chain order: a step
 * waits until the one before it is done.
 *
 * A member that stops heartbeating (killed, hung) or ends loses its unfinished steps: they go to
 * other members as new attempts (unless it is alive again by the time the database moves them:
 * then it keeps them, as moved they would run twice at once). A late answer of the old attempt is refused by the database, so
 * every step has exactly one outcome. Orders arrive as `operator.submitOrder {chain, order}` and
 * are queued, so none is lost while the supervisor is busy. An order the database refuses (an
 * unknown job chain, an order id another chain has) is reported as rejected; one it could not take
 * for now (busy, unreachable: its retries spent) stays first in the queue and is submitted again
 * after the next watch, the waiting steps handed out meanwhile.
 *
 *   deciding     what first: steps of members gone, then submitted orders, then waiting steps
 *   reassigning  move the unfinished steps of one member that is gone
 *   submitting   add one submitted order to the database (its first step then waits)
 *   assigning    hand every waiting step to a member
 *   watching     until a member dies, ends or comes back, or a step waits (or the watch period ends)
 */
import { and, assign, setup } from 'xstate';
import { behaviourSince } from '../core/behaviour-changes';
import type { SupervisorInput } from './cluster-supervisor-input';
import type { ClusterWatchOutput, Effect, EffectOutputs, ExpectedClusterView, MemberView } from '../core/effects';
import { AnyEvent, haltableStep } from '../core/haltable-step';
import { abortTransition } from '../spoc/precondition-steps';
import { databaseOf, heartbeatTimeoutOf, initialSupervisorContext, logged, supervisorStep, SupervisorContext, watchClusterEffect } from './supervisor-steps';

export interface SubmittedOrder {
  chain: string;
  order: string;
}

export interface ActiveSupervisorContext extends SupervisorContext {
  input: SupervisorInput;
  expected: ExpectedClusterView | null;
  members: MemberView[];
  /** Members gone (dead or ended) whose unfinished steps are still to be moved. */
  toReassign: string[];
  /** Orders submitted and not yet in the database, oldest first. */
  submitted: SubmittedOrder[];
  /** Orders the database refused (an unknown job chain...), with why. */
  rejected: (SubmittedOrder & { reason: string })[];
  ordersSubmitted: number;
  stepsAssigned: number;
  stepsReassigned: number;
  abortReason: string | null;
  /**
   * The queue's first order could not be submitted for now: why, and how many times in a row. It
   * is tried again after the next watch (`submitAfterWatch`). Absent in runs from before.
   */
  submitFailure?: { order: string; reason: string; failures: number } | null;
  /** True from a failed submission to the next watch's end: orders wait, steps are still handed out. */
  submitAfterWatch?: boolean;
}
type C = ActiveSupervisorContext;

/** The behaviour change after which an order the database could not take for now stays queued (behaviour-changes.ts). */
export const KEEPS_ORDERS_NOT_TAKEN = 'active-supervisor-keeps-an-order-the-database-could-not-take';

/** The database's answers that refuse the order itself: submitting it again cannot help. */
const ORDER_REFUSALS: readonly string[] = ['UnknownEntityError', 'StepNotCurrentError', 'InvalidInputError', 'WrongRoleError'];

/**
 * After this many submissions in a row that failed for now, the order is rejected with the last
 * reason: a failure that never clears must not hold every later order behind it for good.
 */
export const MAX_SUBMIT_TRIES = 10;

/** Why the queue's first order is rejected: the database's refusal, or its last failure once it failed MAX_SUBMIT_TRIES times. */
function rejection(context: C, event: AnyEvent): string {
  const reason = String(event.reason);
  const tries = triesOfFirstOrder(context) + 1;
  return tries > 1 ? `not submitted after ${tries} tries, the last: ${reason}` : reason;
}

/** Orders wait to be submitted, and no failed submission waits for the next watch. */
function ordersDueNow(context: C): boolean {
  return context.submitted.length > 0 && context.submitAfterWatch !== true;
}

/** How many submissions of the queue's first order have failed for now in a row. */
function triesOfFirstOrder(context: C): number {
  const failure = context.submitFailure;
  return failure && failure.order === context.submitted[0]?.order ? failure.failures : 0;
}

const submit = assign(({ context, event }: { context: C; event: AnyEvent }) => {
  const order = { chain: String(event.chain), order: String(event.order) };
  if (context.submitted.some((o) => o.order === order.order)) return {};
  return { submitted: [...context.submitted, order] };
});

/** Members that were alive and are not any more (for the first observation: every member not alive). */
function gone(c: C, out: ClusterWatchOutput): string[] {
  const wasAlive = c.expected ? new Set(c.expected.aliveMembers) : undefined;
  return out.observation.members.filter((m) => !m.alive && (wasAlive === undefined || wasAlive.has(m.member))).map((m) => m.member);
}

/** The view the next watch compares with, the member alive and active in it. */
function aliveAgain(expected: ExpectedClusterView, member: string): ExpectedClusterView {
  return {
    ...expected,
    aliveMembers: expected.aliveMembers.includes(member) ? expected.aliveMembers : [...expected.aliveMembers, member].sort(),
    ...(expected.statuses ? { statuses: { ...expected.statuses, [member]: 'active' } } : {}),
  };
}

export const activeClusterSupervisorMachine = setup({
  types: { context: {} as C, input: {} as SupervisorInput },
  actions: { effect: (_args, _effect: Effect) => undefined },
  guards: {
    /** A member is gone whose unfinished steps are still to be moved. */
    stepsToReassign: ({ context }) => context.toReassign.length > 0,
    /** Orders were submitted that are not in the database yet (and the last try did not fail since the last watch). */
    ordersToSubmit: ({ context }) => ordersDueNow(context),
    /** Either of the two: work to do before the next watch. */
    workArrivedMeanwhile: ({ context }) => context.toReassign.length > 0 || ordersDueNow(context),
    /** The submission failed for a reason other than the database refusing the order. */
    notTakenForNow: ({ context, event }) => !ORDER_REFUSALS.includes(String(event.errorType ?? '')) && triesOfFirstOrder(context) + 1 < MAX_SUBMIT_TRIES,
    /** A submission failed for now and waits for the watch: an order that arrives meanwhile only joins the queue. */
    submitWaitsForWatch: ({ context }) => context.submitAfterWatch === true,
    [behaviourSince(KEEPS_ORDERS_NOT_TAKEN)]: () => true,
  },
}).createMachine({
  id: 'activeClusterSupervisor',
  description: 'Hands the steps of distributed orders to the least-loaded member of an active JobScheduler cluster; steps of members that die run again elsewhere.',
  context: ({ input }) => ({
    ...initialSupervisorContext(input),
    expected: null,
    members: [],
    toReassign: [],
    submitted: [],
    rejected: [],
    ordersSubmitted: 0,
    stepsAssigned: 0,
    stepsReassigned: 0,
  }),
  initial: 'supervising',
  states: {
    supervising: {
      initial: 'deciding',
      on: { ...abortTransition('stopped'), 'operator.submitOrder': { actions: submit } },
      states: {
        deciding: {
          always: [
            { guard: 'stepsToReassign', target: 'reassigning' },
            { guard: 'ordersToSubmit', target: 'submitting' },
            { target: 'assigning' },
          ],
        },
        reassigning: supervisorStep<C, EffectOutputs['reassign-steps-of']>({
          id: 'reassignSteps',
          description: 'A member is gone: its unfinished steps go to the least-loaded alive members as new attempts.',
          effect: (c) => ({
            step: 'reassignSteps',
            title: `Move the unfinished order steps of ${c.toReassign[0]}`,
            action: 'reassign-steps-of',
            database: databaseOf(c),
            member: c.toReassign[0] ?? '',
            heartbeatTimeoutMs: heartbeatTimeoutOf(c),
          }),
          next: 'deciding',
          onFailure: 'watching',
          onDone: (c, out) => ({
            // Alive again: the next watch expects it alive, so that its death after this is seen.
            ...(out.memberAlive && c.expected ? { expected: aliveAgain(c.expected, c.toReassign[0] ?? '') } : {}),
            toReassign: c.toReassign.slice(1),
            stepsReassigned: c.stepsReassigned + out.assignments.length,
            events: out.memberAlive
              ? logged(c, `${c.toReassign[0]} is alive again: it keeps its steps`)
              : out.assignments.length
                ? logged(c, `steps of ${c.toReassign[0]} moved: ${out.assignments.map((a) => `${a.order}#${a.step} → ${a.member} (attempt ${a.attempt})`).join(', ')}`)
                : c.events,
          }),
        }),
        submitting: {
          id: 'submitOrder',
          description: 'Add the oldest submitted order to the cluster database.',
          meta: { step: 'submitOrder' },
          tags: ['effect:submitOrder'],
          entry: {
            type: 'effect',
            params: ({ context }: { context: C }) => ({
              step: 'submitOrder',
              title: `Submit order ${context.submitted[0]?.order} to ${context.submitted[0]?.chain}`,
              action: 'submit-order',
              database: databaseOf(context),
              chain: context.submitted[0]?.chain ?? '',
              order: context.submitted[0]?.order ?? '',
            }),
          },
          on: {
            'effect.done.submitOrder': {
              target: 'deciding',
              actions: assign(({ context, event }: { context: C; event: AnyEvent }) => ({
                submitted: context.submitted.slice(1),
                ...(context.submitFailure ? { submitFailure: null } : {}),
                ordersSubmitted: context.ordersSubmitted + ((event.output as EffectOutputs['submit-order'] | undefined)?.created ? 1 : 0),
                events: logged(context, `order ${context.submitted[0]?.order} ${(event.output as EffectOutputs['submit-order'] | undefined)?.created ? 'submitted' : 'was known already'} (${context.submitted[0]?.chain})`),
              })),
            },
            'effect.failed.submitOrder': [
              // The database could not take it for now (busy, unreachable): it stays first in the
              // queue, for after the next watch; the waiting steps are handed out meanwhile.
              {
                guard: and([behaviourSince(KEEPS_ORDERS_NOT_TAKEN), 'notTakenForNow']),
                target: 'assigning',
                actions: assign(({ context, event }: { context: C; event: AnyEvent }) => {
                  const order = context.submitted[0]?.order ?? '';
                  const failures = triesOfFirstOrder(context) + 1;
                  return {
                    submitAfterWatch: true,
                    submitFailure: { order, reason: String(event.reason), failures },
                    events: logged(context, `order ${order} not submitted yet (${failures} ${failures === 1 ? 'try' : 'tries'}): ${String(event.reason)}; tried again after the next watch`),
                  };
                }),
              },
              // The database refused the order (e.g. an unknown chain): it is reported, not retried forever.
              {
                target: 'deciding',
                actions: assign(({ context, event }: { context: C; event: AnyEvent }) => {
                  const reason = rejection(context, event);
                  return {
                    submitted: context.submitted.slice(1),
                    rejected: [...context.rejected, { ...(context.submitted[0] as SubmittedOrder), reason }].slice(-50),
                    ...(context.submitFailure ? { submitFailure: null } : {}),
                    events: logged(context, `order ${context.submitted[0]?.order} refused: ${reason}`),
                  };
                }),
              },
            ],
          },
        },
        assigning: supervisorStep<C, EffectOutputs['assign-pending-steps']>({
          id: 'assignSteps',
          description: 'Hand every waiting order step to the alive member with the fewest steps in hand.',
          effect: (c) => ({ step: 'assignSteps', title: 'Hand waiting order steps to members', action: 'assign-pending-steps', database: databaseOf(c), heartbeatTimeoutMs: heartbeatTimeoutOf(c) }),
          next: 'afterAssigning',
          onFailure: 'watching',
          onDone: (c, out) => ({ stepsAssigned: c.stepsAssigned + out.assignments.length }),
        }),
        afterAssigning: {
          // Work that arrived meanwhile (an order, a member gone) is done now, not after the next watch.
          always: [{ guard: 'workArrivedMeanwhile', target: 'deciding' }, { target: 'watching' }],
        },
        watching: {
          on: {
            // While a failed submission waits for this watch, new orders queue behind it: ending
            // the watch for each would put the next try off for as long as orders keep coming.
            'operator.submitOrder': [
              { guard: 'submitWaitsForWatch', actions: submit },
              { target: 'deciding', actions: submit },
            ],
          },
          ...haltableStep<C, ClusterWatchOutput>({
            id: 'watchCluster',
            description: 'Watch heartbeats and order steps until a member dies, ends or comes back, or a step waits for a member.',
            effect: (c) => watchClusterEffect(c, c.expected ?? { activeMember: null, aliveMembers: [] }, { returnWhenStepsPending: true }),
            next: '#activeClusterSupervisor.supervising.deciding',
            onDone: (c, out) => {
              const lost = gone(c, out).filter((m) => !c.toReassign.includes(m));
              const next = { ...c, lastObservedAt: out.observation.observedAt };
              return {
                ...(c.submitAfterWatch ? { submitAfterWatch: false } : {}),
                lastObservedAt: out.observation.observedAt,
                expected: out.now,
                members: out.observation.members,
                toReassign: [...c.toReassign, ...lost],
                events: out.changes.some((x) => !x.includes('wait')) ? logged(next, out.changes.join('; ')) : c.events,
              };
            },
          }),
        },
      },
    },
    stopped: { type: 'final', description: 'Supervision stopped by the operator; the members run on as they are.' },
  },
  output: ({ context }) => ({
    cluster: context.input.cluster.cluster,
    ordersSubmitted: context.ordersSubmitted,
    stepsAssigned: context.stepsAssigned,
    stepsReassigned: context.stepsReassigned,
    rejected: context.rejected,
    notSubmitted: context.submitted,
    stoppedBecause: context.abortReason,
    events: context.events,
  }),
});

export function summarizeActiveSupervisor(c: C): Record<string, unknown> {
  return {
    cluster: c.input.cluster.cluster,
    members: c.members.map((m) => ({ member: m.member, status: m.status, alive: m.alive, lastHeartbeatAt: m.lastHeartbeatAt })),
    queuedOrders: c.submitted,
    ...(c.submitFailure ? { submitFailure: c.submitFailure } : {}),
    rejectedOrders: c.rejected.slice(-10),
    ordersSubmitted: c.ordersSubmitted,
    stepsAssigned: c.stepsAssigned,
    stepsReassigned: c.stepsReassigned,
    recentEvents: c.events.slice(-10),
  };
}
