/**
 * What a JobScheduler member itself writes in its cluster's database: it registers, heartbeats,
 * terminates; as the active member of a passive cluster it runs jobs and moves orders on; as a
 * member of an active cluster (`-distributed-orders`) it claims and completes the order steps the
 * supervisor gave it. Every write is fenced inside its own transaction:
 * - passive cluster: a member acts only with the epoch at which it was activated; every fence and
 *   every activation raises the epoch, so a member that was hung or cut off while someone else took
 *   over has its writes refused and stops;
 * - active cluster: a step's result counts only for the step's current attempt, from the member it
 *   is assigned to, and only while that member is not fenced.
 *
 * Only the simulated members (member-process.ts) use this: real JobScheduler members write their
 * cluster rows themselves, and spoolflow's supervisor only reads, fences, activates and assigns
 * (activities/jobscheduler/scheduler-cluster-db.ts).
 */
import { parseClusterOptions } from '../../activities/jobscheduler/scheduler-cluster-options';
import { SchedulerClusterDb } from '../../activities/jobscheduler/scheduler-cluster-db';
import { StepNotCurrentError, UnknownEntityError } from '../../activities/jobscheduler/scheduler-cluster-errors';
import type { JobState, MemberDbRow, MemberStatus, StepDbRow } from '../../activities/jobscheduler/scheduler-cluster-schema';

/** Who is writing: one process of one member (a restart under the same id is a new incarnation). */
export interface MemberToken {
  member: string;
  incarnation: number;
}

/** A passive-cluster member acting as the active member since `epoch`. */
export interface ActiveToken extends MemberToken {
  epoch: number;
}

/** What a member learns from its heartbeat. */
export interface MemberView {
  status: MemberStatus;
  activeMember: string | null;
  epoch: number;
}

/** What an active member's turn found to do. */
export interface PassiveWork {
  /** Active jobs of no job chain: each runs once per turn. */
  jobs: string[];
  /** Active orders of active, non-distributed job chains. */
  orders: string[];
}

export type FenceReason = 'superseded-incarnation' | 'member-fenced' | 'not-active-member' | 'epoch-changed' | 'attempt-superseded';

/** A member wrote without the right to: the write did not happen, and the member must stop acting. */
export class FencedWriteError extends Error {
  override readonly name = 'FencedWriteError';
  constructor(
    readonly member: string,
    readonly reason: FenceReason,
    detail: string,
  ) {
    super(`${member}: write refused (${reason}): ${detail}`);
  }
}

/** A member's access to its cluster's database; the supervisor's operations stay available (tests set a cluster up with them). */
export class MemberClusterDb extends SchedulerClusterDb {
  // --- a member's own rows ---

  /**
   * A member process joins: a new incarnation, so writes of an earlier process under the same id
   * are refused from now on. Distributed members are active at once (all members of an active
   * cluster are); primary and backups wait as standby until the supervisor activates one.
   */
  register(input: { member: string; host: string; pid: number; options: string }): { incarnation: number; status: MemberStatus } {
    const options = parseClusterOptions(input.options);
    const status: MemberStatus = options.role === 'distributed' ? 'active' : 'standby';
    return this.write(() => {
      const now = this.clock();
      const previous = this.memberRow(input.member);
      const incarnation = (previous?.incarnation ?? 0) + 1;
      this.stmt(
        `INSERT INTO cluster_members (member_id, host, pid, incarnation, cluster_options, role, backup_precedence, status, status_reason, last_heartbeat_ms, started_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, incarnation = excluded.incarnation,
           cluster_options = excluded.cluster_options, role = excluded.role, backup_precedence = excluded.backup_precedence,
           status = excluded.status, status_reason = NULL, last_heartbeat_ms = excluded.last_heartbeat_ms, started_at_ms = excluded.started_at_ms`,
      ).run(input.member, input.host, input.pid, incarnation, options.text, options.role, options.backupPrecedence ?? null, status, now, now);
      return { incarnation, status };
    });
  }

  /** Records that the member is alive and tells it where it stands. Never changes its status. */
  heartbeat(token: MemberToken): MemberView {
    return this.write(() => {
      const row = this.ownRow(token);
      this.stmt('UPDATE cluster_members SET last_heartbeat_ms = ? WHERE member_id = ?').run(this.clock(), token.member);
      const state = this.stateRow();
      return { status: row.status, activeMember: state.active_member, epoch: state.epoch };
    });
  }

  /** A normal termination (SIGTERM): the member says so itself, so no backup takes over. */
  markTerminated(token: MemberToken): void {
    this.write(() => {
      this.ownRow(token);
      this.stmt("UPDATE cluster_members SET status = 'terminated', status_reason = 'normal termination' WHERE member_id = ?").run(token.member);
    });
  }

  // --- passive cluster: what the active member does ---

  /** What the active member has to do in one turn. */
  passiveWork(): PassiveWork {
    const jobs = this.pluck(
      "SELECT name FROM jobs WHERE state = 'active' AND name NOT IN (SELECT job FROM job_chain_nodes) ORDER BY name",
    ).all() as string[];
    const orders = this.pluck(
      `SELECT o.id FROM orders o JOIN job_chains c ON c.name = o.chain
       WHERE o.state = 'active' AND c.state = 'active' AND c.distributed = 0 ORDER BY o.created_at_ms, o.id`,
    ).all() as string[];
    return { jobs, orders };
  }

  /** Runs a job of no job chain once. A stopped job does not run. */
  runJob(token: ActiveToken, job: string): 'ran' | 'stopped' {
    return this.write(() => {
      this.checkActive(token);
      const state = this.pluck('SELECT state FROM jobs WHERE name = ?').get(job) as JobState | undefined;
      if (state === undefined) throw new UnknownEntityError('job', job);
      if (state === 'stopped') return 'stopped';
      this.countJobRun(job, token.member);
      return 'ran';
    });
  }

  /**
   * Moves an order one node on: runs the node's job, or passes a skipped node. It waits (nothing
   * written) while it is suspended, its chain or node is stopped or the node's job is stopped.
   */
  advanceOrder(token: ActiveToken, orderId: string): { outcome: 'ran' | 'skipped' | 'waiting' | 'done'; step: number; node: string | null } {
    return this.write(() => {
      this.checkActive(token);
      const order = this.orderRow(orderId);
      if (order.state === 'done') return { outcome: 'done' as const, step: order.step_index, node: null };
      const node = this.nodeAt(order.chain, order.step_index);
      if (order.state !== 'active' || this.chainState(order.chain) !== 'active' || !node) {
        return { outcome: 'waiting' as const, step: order.step_index, node: node?.node ?? null };
      }
      if (node.state === 'skipped') {
        this.passNode(order, node, { outcome: 'skipped' });
        return { outcome: 'skipped' as const, step: order.step_index, node: node.node };
      }
      if (node.state === 'stopped' || this.jobState(node.job) === 'stopped') return { outcome: 'waiting' as const, step: order.step_index, node: node.node };
      this.countJobRun(node.job, token.member);
      this.passNode(order, node, { outcome: 'ran', member: token.member, epoch: token.epoch });
      return { outcome: 'ran' as const, step: order.step_index, node: node.node };
    });
  }
  /** The member starts a step it was given; starting it again is fine. */
  claimStep(token: MemberToken, order: string, step: number, attempt: number): 'running' | 'already-running' {
    return this.write(() => {
      const row = this.checkStepWriter(token, order, step, attempt);
      if (row.status === 'running') return 'already-running';
      if (row.status !== 'assigned') throw new FencedWriteError(token.member, 'attempt-superseded', `step ${step} of order ${order} is ${row.status}`);
      this.stmt("UPDATE order_steps SET status = 'running', started_at_ms = ? WHERE order_id = ? AND step_index = ?").run(this.clock(), order, step);
      return 'running';
    });
  }

  /**
   * The member's result of a step: accepted once, for the step's current attempt only; the order
   * then moves on to its next node (past skipped ones).
   */
  completeStep(token: MemberToken, order: string, step: number, attempt: number, result: string): 'done' | 'already-done' {
    return this.write(() => {
      const row = this.checkStepWriter(token, order, step, attempt);
      if (row.status === 'done') return 'already-done';
      const now = this.clock();
      this.stmt("UPDATE order_steps SET status = 'done', result = ?, started_at_ms = COALESCE(started_at_ms, ?), ended_at_ms = ? WHERE order_id = ? AND step_index = ?").run(
        result,
        now,
        now,
        order,
        step,
      );
      const orderRow = this.orderRow(order);
      const node = this.nodeAt(orderRow.chain, step);
      if (!node || orderRow.step_index !== step) {
        throw new StepNotCurrentError(`order ${order} is at step ${orderRow.step_index}, not ${step}; its step table and history disagree`);
      }
      this.countJobRun(node.job, token.member);
      this.passNode(orderRow, node, { outcome: 'ran', member: token.member, attempt, result });
      this.passSkippedNodes(order);
      return 'done';
    });
  }

  /** The writer's own row, refused when a later process registered under its id. */
  private ownRow(token: MemberToken): MemberDbRow {
    const row = this.memberRow(token.member);
    if (!row) throw new UnknownEntityError('member', token.member);
    if (row.incarnation !== token.incarnation) {
      throw new FencedWriteError(token.member, 'superseded-incarnation', `process incarnation ${token.incarnation} was replaced by incarnation ${row.incarnation}`);
    }
    return row;
  }

  /** The passive-cluster fencing check: still the active member, at the epoch it acts in. */
  private checkActive(token: ActiveToken): void {
    const row = this.ownRow(token);
    if (row.status === 'fenced') throw new FencedWriteError(token.member, 'member-fenced', row.status_reason ?? 'fenced');
    const state = this.stateRow();
    if (state.active_member !== token.member || row.status !== 'active') {
      throw new FencedWriteError(token.member, 'not-active-member', `the active member is ${state.active_member ?? 'nobody'}`);
    }
    if (state.epoch !== token.epoch) throw new FencedWriteError(token.member, 'epoch-changed', `acting at epoch ${token.epoch}, the cluster is at epoch ${state.epoch}`);
  }

  /** The active-cluster fencing check: not fenced, and the step's current attempt is this member's. */
  private checkStepWriter(token: MemberToken, order: string, step: number, attempt: number): StepDbRow {
    const row = this.ownRow(token);
    if (row.status !== 'active') throw new FencedWriteError(token.member, 'member-fenced', `${token.member} is ${row.status}${row.status_reason ? ` (${row.status_reason})` : ''}`);
    const current = this.stepRow(order, step);
    if (!current || current.attempt !== attempt || current.member !== token.member) {
      throw new FencedWriteError(
        token.member,
        'attempt-superseded',
        `step ${step} of order ${order} is at attempt ${current?.attempt ?? 'none'} on ${current?.member ?? 'nobody'}, not attempt ${attempt} on ${token.member}`,
      );
    }
    return current;
  }

  private jobState(job: string): JobState | undefined {
    return this.pluck('SELECT state FROM jobs WHERE name = ?').get(job) as JobState | undefined;
  }

  private countJobRun(job: string, member: string): void {
    this.stmt('UPDATE jobs SET run_count = run_count + 1, last_run_by = ?, last_run_at_ms = ? WHERE name = ?').run(member, this.clock(), job);
  }
}
