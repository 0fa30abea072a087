/**
 * The supervisor of a passive JobScheduler cluster (docs/jobscheduler-cluster.md#passive-cluster): watches the members'
 * heartbeats in the cluster database and keeps exactly one member active, the primary whenever it
 * is up. Every change of the active member is fenced: the member that loses the right to act gets
 * a new epoch first (its writes are refused from then on), and only then is another one
 * activated, so a member the supervisor believes dead cannot act after another took over.
 *
 *   watching   read the cluster database until something changes (a member dies, ends, comes
 *              back) or the watch period ends; decide (passive-cluster-decision.ts)
 *   failover   fence the dead active member, activate the primary if up, else the next backup
 *   return     the primary is back while a backup is active: fence and terminate the backup,
 *              activate the primary
 *   activate   nobody active and the primary (or, after a fence, the next member) is up
 *
 * It runs until an operator stops it (`operator.abort`): the members stay as they are. A stop
 * given in the middle of a change of active member (a failover, a return to the primary, an
 * activation when nobody is active) waits for the change to end: stopped between the fence and
 * the activation, it would leave an alive cluster with nobody active (the backup fenced, the
 * primary not yet active). When a step of the change fails, it decides once more, then stops.
 */
import { assign, setup } from 'xstate';
import { behaviourSince } from '../core/behaviour-changes';
import type { SupervisorInput } from './cluster-supervisor-input';
import type { ClusterWatchOutput, Effect, EffectOutputs, ExpectedClusterView, MemberView } from '../core/effects';
import { haltableStep, type StateConfig } from '../core/haltable-step';
import { decidePassive, PassiveDecision } from './passive-cluster-decision';
import { databaseOf, heartbeatTimeoutOf, initialSupervisorContext, logged, supervisorStep, SupervisorContext, watchClusterEffect } from './supervisor-steps';
import { abortTransition } from '../spoc/precondition-steps';

export interface PassiveSupervisorContext extends SupervisorContext {
  input: SupervisorInput;
  expected: ExpectedClusterView;
  members: MemberView[];
  activeMember: string | null;
  epoch: number;
  decision: PassiveDecision;
  failovers: number;
  abortReason: string | null;
  /** An operator's stop given during a change of active member: it stops the supervisor once the change ends. */
  stopAfterChange?: string | null;
  /** A step of that change failed and the supervisor decided once more before stopping. */
  stopDecidedAgain?: boolean;
}
type C = PassiveSupervisorContext;

/** The behaviour change after which a stop waits for the change of active member under way (behaviour-changes.ts). */
export const STOP_WAITS_FOR_THE_CHANGE = 'passive-supervisor-stop-waits-for-the-change-of-active-member';

/**
 * While the active member changes: an operator's stop is kept for when the change ends (runs
 * recorded before this behaviour stop at once, on the parent's transition).
 */
const stopAfterTheChange: StateConfig = {
  'operator.abort': {
    guard: behaviourSince(STOP_WAITS_FOR_THE_CHANGE),
    actions: assign(({ context, event }: { context: C; event: { type: string; reason?: string } }) => ({
      stopAfterChange: event.reason ?? 'aborted by the operator',
      events: logged(context, 'stop asked: the supervisor stops once the active member has changed'),
    })),
  },
};

/** A one-step change (an activation when nobody is active) with the stop kept for its end, as the two-step ones have it. */
function withStopAfterTheChange(step: StateConfig): StateConfig {
  return { ...step, on: { ...(step as { on?: object }).on, ...stopAfterTheChange } };
}

const CHANGE_ENDED = '#passiveClusterSupervisor.supervising.changeEnded';
const CHANGE_FAILED = '#passiveClusterSupervisor.supervising.changeFailed';

/** An operator asked to stop while the active member changed. */
const stopIsAsked = (c: C) => typeof c.stopAfterChange === 'string';

/** Stops the supervisor the operator asked to stop during a change, saying how the cluster is left. */
const stopAsAsked = (how: string): StateConfig =>
  assign(({ context }: { context: C }) => ({
    abortReason: context.stopAfterChange ?? null,
    events: logged(context, `stopped as asked (${context.stopAfterChange ?? 'aborted by the operator'}): ${how}`),
  }));

const decided = <K extends PassiveDecision['kind']>(c: C, _kind: K) => c.decision as Extract<PassiveDecision, { kind: K }>;

function fence(c: C, member: string, reason: string): Effect {
  return { step: 'fenceMember', title: `Fence ${member}: ${reason}`, action: 'fence-member', database: databaseOf(c), member, reason };
}
function activate(c: C, member: string): Effect {
  return { step: 'activateMember', title: `Activate ${member}`, action: 'activate-member', database: databaseOf(c), member, heartbeatTimeoutMs: heartbeatTimeoutOf(c) };
}

const afterActivation = (c: C, out: EffectOutputs['activate-member'], member: string): Partial<C> => ({
  epoch: out.epoch,
  activeMember: member,
  events: logged(c, out.changed ? `${member} activated (epoch ${out.epoch})` : `${member} was already active`),
});

export const passiveClusterSupervisorMachine = setup({
  types: { context: {} as C, input: {} as SupervisorInput },
  actions: { effect: (_args, _effect: Effect) => undefined },
  guards: {
    /** The last watch decided this (passive-cluster-decision.ts). */
    decided: ({ context }, { kind }: { kind: PassiveDecision['kind'] }) => context.decision.kind === kind,
    /** An operator asked to stop while the active member changed. */
    stopAsked: ({ context }) => stopIsAsked(context),
    /** ... and the supervisor has not yet decided once more after a failed step of that change. */
    stopAskedNotDecidedAgain: ({ context }) => stopIsAsked(context) && context.stopDecidedAgain !== true,
    [behaviourSince(STOP_WAITS_FOR_THE_CHANGE)]: () => true,
  },
}).createMachine({
  id: 'passiveClusterSupervisor',
  description: 'Keeps one member of a passive JobScheduler cluster active: the primary when it is up, else the next backup; every change fenced.',
  context: ({ input }) => ({
    ...initialSupervisorContext(input),
    expected: { activeMember: null, aliveMembers: [] },
    members: [],
    activeMember: null,
    epoch: 0,
    decision: { kind: 'wait', why: 'not observed yet' },
    failovers: 0,
  }),
  initial: 'supervising',
  states: {
    supervising: {
      initial: 'watching',
      on: abortTransition('stopped'),
      states: {
        watching: haltableStep<C, ClusterWatchOutput>({
          id: 'watchCluster',
          description: 'Watch the heartbeats in the cluster database until a member dies, ends or comes back.',
          effect: (c) => watchClusterEffect(c, c.expected),
          next: '#passiveClusterSupervisor.supervising.deciding',
          onDone: (c, out) => {
            const next: C = { ...c, expected: out.now, members: out.observation.members, activeMember: out.observation.activeMember, epoch: out.observation.epoch, lastObservedAt: out.observation.observedAt };
            const decision = decidePassive(c.input.cluster, out.observation);
            const seen = out.changes.length > 0 ? logged(next, out.changes.join('; ')) : next.events;
            return { ...next, decision, events: decision.kind === 'steady' || decision.kind === c.decision.kind ? seen : logged({ ...next, events: seen }, decision.why) };
          },
        }),
        deciding: {
          always: [
            { guard: { type: 'decided', params: { kind: 'failover' } }, target: 'failover' },
            { guard: { type: 'decided', params: { kind: 'fence-dead' } }, target: 'fenceDead' },
            { guard: { type: 'decided', params: { kind: 'activate' } }, target: 'activate' },
            { guard: { type: 'decided', params: { kind: 'return-to-primary' } }, target: 'returnToPrimary' },
            // A stop asked during a change whose step failed: nothing more to change now, so stop.
            { guard: 'stopAsked', target: '#passiveClusterSupervisor.stopped', actions: stopAsAsked('nothing to change after deciding once more') },
            { target: 'watching' },
          ],
        },
        failover: {
          description: 'The active member died: fence it, then activate the primary or the next backup.',
          initial: 'fenceDead',
          on: stopAfterTheChange,
          states: {
            fenceDead: supervisorStep<C, EffectOutputs['fence-member']>({
              id: 'fenceDeadMember',
              description: 'Fence the member that stopped heartbeating: it can no longer write, even if it wakes up.',
              effect: (c) => ({ ...fence(c, decided(c, 'failover').dead, 'stopped heartbeating while active'), step: 'fenceDeadMember' }),
              next: 'activateNext',
              onFailure: CHANGE_FAILED,
              onDone: (c, out) => ({ epoch: out.epoch, events: logged(c, `${decided(c, 'failover').dead} fenced (epoch ${out.epoch})`) }),
            }),
            activateNext: supervisorStep<C, EffectOutputs['activate-member']>({
              id: 'activateNextMember',
              description: 'Activate the primary if it is up, else the backup next in precedence.',
              effect: (c) => ({ ...activate(c, decided(c, 'failover').next), step: 'activateNextMember' }),
              next: CHANGE_ENDED,
              onFailure: CHANGE_FAILED,
              onDone: (c, out) => ({ ...afterActivation(c, out, decided(c, 'failover').next), failovers: c.failovers + 1 }),
            }),
          },
        },
        changeEnded: {
          description: 'The change of active member is done: stop if the operator asked to meanwhile, else watch on.',
          always: [{ guard: 'stopAsked', target: '#passiveClusterSupervisor.stopped', actions: stopAsAsked('the change of active member is done') }, { target: 'watching' }],
        },
        changeFailed: {
          description: 'A step of the change failed. With a stop asked, the supervisor watches and decides once more first (the change is usually made again), then stops; without, it watches on.',
          always: [
            {
              guard: 'stopAskedNotDecidedAgain',
              target: 'watching',
              actions: assign(({ context }: { context: C }) => ({ stopDecidedAgain: true, events: logged(context, 'a step of the change failed with a stop asked: deciding once more before stopping') })),
            },
            { guard: 'stopAsked', target: '#passiveClusterSupervisor.stopped', actions: stopAsAsked('the change of active member failed again; see the members before starting a supervisor again') },
            { target: 'watching' },
          ],
        },
        fenceDead: supervisorStep<C, EffectOutputs['fence-member']>({
          id: 'fenceOnly',
          description: 'The active member died and no member is up to take over: fence it so it cannot act if it wakes up.',
          effect: (c) => ({ ...fence(c, decided(c, 'fence-dead').dead, 'stopped heartbeating while active; nobody up to take over'), step: 'fenceOnly' }),
          next: 'watching',
          onFailure: 'watching',
          onDone: (c, out) => ({ epoch: out.epoch, events: logged(c, `${decided(c, 'fence-dead').dead} fenced (epoch ${out.epoch}); waiting for a member to come up`) }),
        }),
        activate: withStopAfterTheChange(
          supervisorStep<C, EffectOutputs['activate-member']>({
            id: 'activateMember',
            description: 'Nobody is active: activate the primary (or, after a fence, the next member up).',
            effect: (c) => activate(c, decided(c, 'activate').member),
            next: CHANGE_ENDED,
            onFailure: CHANGE_FAILED,
            onDone: (c, out) => afterActivation(c, out, decided(c, 'activate').member),
          }),
        ),
        returnToPrimary: {
          description: 'The primary is back while a backup is active: fence and terminate the backup, activate the primary.',
          initial: 'fenceBackup',
          on: stopAfterTheChange,
          states: {
            fenceBackup: supervisorStep<C, EffectOutputs['fence-member']>({
              id: 'fenceBackup',
              description: 'Fence the active backup: from now on it cannot write.',
              effect: (c) => ({ ...fence(c, decided(c, 'return-to-primary').backup, 'the primary is back'), step: 'fenceBackup' }),
              next: 'terminateBackup',
              onFailure: CHANGE_FAILED,
              onDone: (c, out) => ({ epoch: out.epoch, events: logged(c, `${decided(c, 'return-to-primary').backup} fenced (epoch ${out.epoch})`) }),
            }),
            terminateBackup: supervisorStep<C, EffectOutputs['terminate-member']>({
              id: 'terminateBackup',
              description: 'Terminate the backup normally, as the runbook requires before the primary is active again.',
              effect: (c) => {
                const backup = decided(c, 'return-to-primary').backup;
                return {
                  step: 'terminateBackup',
                  title: `Terminate the backup ${backup}`,
                  action: 'terminate-member',
                  host: backup,
                  database: databaseOf(c),
                  member: backup,
                  timeoutMs: c.input.watch.terminateTimeoutSeconds * 1000,
                };
              },
              next: 'activatePrimary',
              onFailure: CHANGE_FAILED,
              onDone: (c, out) => ({ events: logged(c, `${decided(c, 'return-to-primary').backup} ${out.outcome === 'terminated' ? 'terminated' : 'was gone already'}`) }),
            }),
            activatePrimary: supervisorStep<C, EffectOutputs['activate-member']>({
              id: 'activatePrimary',
              description: 'Activate the primary again.',
              effect: (c) => ({ ...activate(c, decided(c, 'return-to-primary').primary), step: 'activatePrimary' }),
              next: CHANGE_ENDED,
              onFailure: CHANGE_FAILED,
              onDone: (c, out) => afterActivation(c, out, decided(c, 'return-to-primary').primary),
            }),
          },
        },
      },
    },
    stopped: {
      type: 'final',
      description: 'Supervision stopped by the operator; the members run on as they are.',
    },
  },
  output: ({ context }) => ({
    cluster: context.input.cluster.cluster,
    activeMember: context.activeMember,
    epoch: context.epoch,
    failovers: context.failovers,
    stoppedBecause: context.abortReason,
    events: context.events,
  }),
});

/** What `status` shows of a passive supervisor. */
export function summarizePassiveSupervisor(c: C): Record<string, unknown> {
  return {
    cluster: c.input.cluster.cluster,
    activeMember: c.activeMember,
    epoch: c.epoch,
    members: c.members.map((m) => ({ member: m.member, role: m.role, status: m.status, alive: m.alive, lastHeartbeatAt: m.lastHeartbeatAt })),
    decision: c.decision,
    failovers: c.failovers,
    ...(stopIsAsked(c) ? { stoppingAfterTheChange: c.stopAfterChange } : {}),
    recentEvents: c.events.slice(-10),
  };
}

