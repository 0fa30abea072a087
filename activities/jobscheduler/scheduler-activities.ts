/**
 * The activities a JobScheduler cluster's supervisor runs: watch the members' heartbeats, fence
 * and activate members, end a member normally, and hand out the steps of distributed orders.
 * Every one is idempotent (fencing a fenced member, activating the active one, terminating a
 * member that is gone change nothing), so a retried step does no harm.
 *
 * Inputs are validated before anything is touched; errors a retry cannot fix (unknown member, a
 * member not alive, a step that is not the order's current one) are non-retryable, named by type.
 * Process control goes through `MemberProcessControl`, so the same activities end a simulated
 * member with a signal and a real one through its host's agent.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ActivitiesOf, JobSchedulerActionWord } from '../../machines/actions';
import { describeIssues } from '../../machines/core/input-errors';
import { clusterDatabaseNameSchema } from '../../machines/jobscheduler/jobscheduler-cluster-input';
import { MemberWontStopError, type MemberProcessControl } from './member-process-control';
import type { SchedulerClusterDb } from './scheduler-cluster-db';
import {
  MemberFencedError,
  MemberNotAliveError,
  NotAClusterDatabaseError,
  StepNotCurrentError,
  UnknownEntityError,
  WrongRoleError,
} from './scheduler-cluster-errors';
import type { ClusterObservation, ClusterSnapshot, MemberStatus, StepAssignment, StepStatus } from './scheduler-cluster-schema';
import { InvalidClusterOptionsError } from './scheduler-cluster-options';
import { ClusterDatabaseNotFoundError, InvalidClusterDatabaseNameError, type SchedulerDbPool } from './scheduler-db-pool';

/** Told of every activation and fence (the simulator writes them to its operation record). */
export interface SchedulerAuditEntry {
  operation: 'activate-member' | 'fence-member';
  member: string;
  host: string;
  epoch: number;
  outcome: 'activated' | 'already-active' | 'fenced' | 'already-fenced';
  reason?: string;
}

export interface SchedulerActivityDeps {
  processes: MemberProcessControl;
  /** The cluster databases this worker may open (its cluster database folder). */
  databases: SchedulerDbPool;
  audit?: (entry: SchedulerAuditEntry) => void;
  /** Default: the activity's heartbeat to Temporal; nothing outside an activity. */
  heartbeat?: (details?: unknown) => void;
  /** Default: the activity's cancellable sleep; a plain timer outside an activity. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What the supervisor last saw; `watchCluster` returns as soon as the cluster differs from it. */
export interface ExpectedCluster {
  activeMember: string | null;
  aliveMembers: string[];
  /** Each member's status as last seen (a restarted member comes back on standby, alive all along). */
  statuses?: Record<string, string>;
}

export interface WatchResult {
  /** False when `maxWatchMs` passed with nothing changed. */
  changed: boolean;
  /** What differs, in an operator's words ("primary stopped heartbeating"). */
  changes: string[];
  observation: ClusterObservation;
  /** Expected, for the next watch: who is active and who is alive now. */
  now: ExpectedCluster;
}

const memberId = z.string().min(1);
/** A name in the worker's cluster database folder, never a path (machines/jobscheduler/jobscheduler-cluster-input.ts). */
const database = clusterDatabaseNameSchema;
const heartbeatTimeoutMs = z.number().int().positive();

const observeInput = z.object({ database, heartbeatTimeoutMs });
const watchInput = observeInput.extend({
  expected: z.object({ activeMember: memberId.nullable(), aliveMembers: z.array(memberId), statuses: z.record(z.string(), z.string()).optional() }),
  maxWatchMs: z.number().int().nonnegative(),
  pollMs: z.number().int().positive(),
  /** Active clusters: also return as soon as an order step waits and an alive member could take it. */
  returnWhenStepsPending: z.boolean().optional(),
});
const fenceInput = z.object({ database, member: memberId, reason: z.string().min(1) });
const activateInput = z.object({ database, member: memberId, heartbeatTimeoutMs });
const terminateInput = z.object({ database, member: memberId, timeoutMs: z.number().int().positive() });
const assignInput = z.object({ database, order: z.string().min(1), step: z.number().int().nonnegative(), member: memberId });
const reassignInput = z.object({ database, member: memberId, heartbeatTimeoutMs });
const submitInput = z.object({ database, chain: z.string().min(1), order: z.string().min(1) });
const readInput = z.object({ database });

/** Errors no retry can fix: named by type so the workflow can tell them apart. */
const NON_RETRYABLE = [
  UnknownEntityError,
  MemberNotAliveError,
  MemberFencedError,
  WrongRoleError,
  StepNotCurrentError,
  InvalidClusterOptionsError,
  ClusterDatabaseNotFoundError,
  InvalidClusterDatabaseNameError,
  NotAClusterDatabaseError,
  MemberWontStopError,
];

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The members that are alive and who is active, as `watchCluster` compares them. */
export function expectedOf(observation: ClusterObservation): ExpectedCluster {
  return {
    activeMember: observation.activeMember,
    aliveMembers: observation.members.filter((m) => m.alive).map((m) => m.member).sort(),
    statuses: Object.fromEntries(observation.members.map((m) => [m.member, m.status])),
  };
}

/** What differs between what the supervisor expected and what it observes, in an operator's words. */
export function describeChanges(expected: ExpectedCluster, observation: ClusterObservation): string[] {
  const changes: string[] = [];
  const wasAlive = new Set(expected.aliveMembers);
  for (const m of observation.members) {
    if (wasAlive.has(m.member) && !m.alive) {
      changes.push(m.status === 'terminated' ? `${m.member} terminated normally` : `${m.member} stopped heartbeating (last heartbeat ${m.lastHeartbeatAt})`);
    }
    if (!wasAlive.has(m.member) && m.alive) changes.push(`${m.member} is alive (${m.status})`);
    wasAlive.delete(m.member);
  }
  for (const gone of wasAlive) changes.push(`${gone} is not a member of the cluster database`);
  if (expected.statuses) {
    for (const m of observation.members) {
      const before = expected.statuses[m.member];
      if (before !== undefined && before !== m.status && m.alive) changes.push(`${m.member} is ${m.status} (was ${before})`);
    }
  }
  if (observation.activeMember !== expected.activeMember) {
    changes.push(`the active member is ${observation.activeMember ?? 'nobody'} (was ${expected.activeMember ?? 'nobody'})`);
  }
  return changes;
}

export function createSchedulerActivities(deps: SchedulerActivityDeps) {
  const { databases } = deps;
  const now = deps.now ?? Date.now;
  const heartbeat = deps.heartbeat ?? ((details?: unknown) => activityContext()?.heartbeat(details));
  const sleep = deps.sleep ?? ((ms: number) => activityContext()?.sleep(ms) ?? new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** Validates input, then runs `fn` with the database, turning errors no retry can fix into non-retryable failures. */
  async function run<S extends z.ZodType, T>(schema: S, input: unknown, fn: (input: z.infer<S>, db: SchedulerClusterDb) => T | Promise<T>): Promise<T> {
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid input: ${describeIssues(parsed.error.issues)}`, 'InvalidInputError');
    const value = parsed.data as z.infer<S> & { database: string };
    try {
      return await fn(value, databases.get(value.database));
    } catch (err) {
      if (NON_RETRYABLE.some((type) => err instanceof type)) throw ApplicationFailure.nonRetryable((err as Error).message, (err as Error).name);
      throw err;
    }
  }

  const activities = {
    /** Every member with status and heartbeat age, and the active member and epoch. */
    async observeCluster(input: z.infer<typeof observeInput>): Promise<ClusterObservation> {
      return run(observeInput, input, (i, db) => db.observe(i.heartbeatTimeoutMs));
    },

    /**
     * Polls the cluster and returns as soon as it differs from `expected` (a member died or came
     * back, the active member changed), or unchanged after `maxWatchMs`. Heartbeats to Temporal
     * on every poll, so a worker that dies mid-watch is noticed by the heartbeat timeout.
     */
    async watchCluster(input: z.infer<typeof watchInput>): Promise<WatchResult> {
      return run(watchInput, input, async (i, db) => {
        const until = now() + i.maxWatchMs;
        for (;;) {
          const observation = db.observe(i.heartbeatTimeoutMs);
          const changes = describeChanges(i.expected, observation);
          // Waiting steps matter only when an alive member could take them; else the watch waits for a member.
          if (i.returnWhenStepsPending && observation.members.some((m) => m.alive)) {
            const pending = db.pendingSteps().length;
            if (pending > 0) changes.push(`${pending} order step${pending === 1 ? '' : 's'} wait${pending === 1 ? 's' : ''} for a member`);
          }
          if (changes.length > 0 || now() >= until) return { changed: changes.length > 0, changes, observation, now: expectedOf(observation) };
          heartbeat({ epoch: observation.epoch, activeMember: observation.activeMember });
          await sleep(Math.min(i.pollMs, Math.max(0, until - now())));
        }
      });
    },

    /** Takes every right to act from a member: new epoch, status fenced. Already fenced: nothing changes. */
    async fenceMember(input: z.infer<typeof fenceInput>): Promise<{ epoch: number; changed: boolean }> {
      return run(fenceInput, input, (i, db) => {
        const result = db.fence(i.member, i.reason);
        deps.audit?.({ operation: 'fence-member', member: i.member, host: db.member(i.member)?.host ?? '', epoch: result.epoch, outcome: result.changed ? 'fenced' : 'already-fenced', reason: i.reason });
        return result;
      });
    },

    /** Makes an alive primary or backup the active member at a new epoch; refuses a member not alive. */
    async activateMember(input: z.infer<typeof activateInput>): Promise<{ epoch: number; changed: boolean; previous: string | null }> {
      return run(activateInput, input, (i, db) => {
        const result = db.activate(i.member, i.heartbeatTimeoutMs);
        deps.audit?.({ operation: 'activate-member', member: i.member, host: db.member(i.member)?.host ?? '', epoch: result.epoch, outcome: result.changed ? 'activated' : 'already-active' });
        return result;
      });
    },

    /**
     * Ends the member the supervisor fenced (the backup, when the primary is back) normally
     * (SIGTERM) and waits until its process has exited: it marks itself terminated, so no backup
     * takes over. A member whose process is gone already is fine.
     */
    async terminateMember(input: z.infer<typeof terminateInput>): Promise<{ outcome: 'terminated' | 'already-gone' }> {
      return run(terminateInput, input, async (i, db) => {
        const member = db.member(i.member);
        if (!member) throw new UnknownEntityError('member', i.member);
        // On standby or active again, it registered anew since the fence: a process its host or an
        // operator started after the fenced one ended, which never acted. A retry of this step (the
        // first attempt's answer lost with a crashed agent) must not end it: the fenced one is gone.
        if (startedAgainSinceFence(member.status)) return { outcome: 'already-gone' as const };
        // It marked itself terminated as it ended: its pid may be another process's by now.
        if (member.status === 'terminated') return { outcome: 'already-gone' as const };
        heartbeat({ terminating: i.member });
        return { outcome: await deps.processes.terminate({ member: i.member, host: member.host, pid: member.pid }, i.timeoutMs, () => heartbeat({ terminating: i.member })) };
      });
    },

    /** Gives an order's current step to a member as a new attempt; the member that has it keeps it. */
    async assignOrderStep(input: z.infer<typeof assignInput>): Promise<StepAssignment & { changed: boolean; status: StepStatus }> {
      return run(assignInput, input, (i, db) => db.assignStep(i.order, i.step, i.member));
    },

    /** Load balancing: every step nobody has goes to the alive member with the fewest steps in hand. */
    async assignPendingSteps(input: z.infer<typeof observeInput>): Promise<{ assignments: StepAssignment[] }> {
      return run(observeInput, input, (i, db) => ({ assignments: db.assignPendingSteps(i.heartbeatTimeoutMs) }));
    },

    /** Moves every unfinished step of a (dead, hung or fenced) member to the least-loaded alive members; one alive again keeps them (`memberAlive`). */
    async reassignStepsOf(input: z.infer<typeof reassignInput>): Promise<{ assignments: StepAssignment[]; memberAlive?: true }> {
      return run(reassignInput, input, (i, db) => {
        const { assignments, memberAlive } = db.reassignStepsOf(i.member, i.heartbeatTimeoutMs);
        return memberAlive ? { assignments, memberAlive: true as const } : { assignments };
      });
    },

    /** Adds an order at its job chain's first node; submitting it again changes nothing. */
    async submitOrder(input: z.infer<typeof submitInput>): Promise<{ order: string; created: boolean }> {
      return run(submitInput, input, (i, db) => db.submitOrder(i.chain, i.order));
    },

    /** Jobs, job chains with their nodes, orders and order steps with their states. */
    async readClusterState(input: z.infer<typeof readInput>): Promise<ClusterSnapshot> {
      return run(readInput, input, (_i, db) => db.snapshot());
    },
  };
  // Beyond the actions' activities, the cluster's own reads and writes (observe, assign one step, read the state).
  return activities satisfies ActivitiesOf<'central', JobSchedulerActionWord> & Pick<ActivitiesOf<'host', JobSchedulerActionWord>, 'terminateMember'>;
}

export type SchedulerActivities = ReturnType<typeof createSchedulerActivities>;

/** Only a new process's registration puts a fenced member on standby (or, activated, active) again. */
function startedAgainSinceFence(status: MemberStatus): boolean {
  return status === 'standby' || status === 'active';
}

/** The central worker's share: everything but process control, which belongs to the member's host. */
export function centralSchedulerActivities(activities: SchedulerActivities) {
  const { terminateMember: _hostOnly, ...central } = activities;
  return central satisfies ActivitiesOf<'central', JobSchedulerActionWord>;
}
