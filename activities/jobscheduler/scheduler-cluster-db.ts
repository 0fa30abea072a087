/**
 * What the supervisor (the central scheduler activities, scheduler-activities.ts) and the operator
 * do in a JobScheduler cluster's database: observe the members, fence one, activate a primary or
 * backup, load jobs and job chains, submit orders and give order steps to members; plus the
 * operator's commands (JOC). Opening and reading are in scheduler-cluster-store.ts.
 *
 * Safety comes from fencing, checked by the members' writes inside the same transaction as the
 * write it guards (simulator/jobscheduler/member-cluster-db.ts):
 * - passive cluster: a member acts (runs a job, moves an order on) only with the epoch at which it
 *   was activated; every fence and every activation raises the epoch, so a member that was hung or
 *   cut off while someone else took over has its writes refused and stops;
 * - active cluster (`-distributed-orders`): a step's result counts only for the step's current
 *   attempt, from the member it is assigned to, and only while that member is not fenced; giving a
 *   step to another member raises its attempt, so every step of an order completes exactly once.
 *
 * Supervisor operations are idempotent: fencing a fenced member, activating the active one or
 * assigning a step to the member that has it changes nothing.
 */
import { MemberFencedError, MemberNotAliveError, StepNotCurrentError, UnknownEntityError, WrongRoleError } from './scheduler-cluster-errors';
import type {
  ClusterConfiguration,
  ClusterObservation,
  JobChainState,
  JobState,
  MemberDbRow,
  MemberLoad,
  NodeState,
  StepAssignment,
  StepDbRow,
  StepStatus,
} from './scheduler-cluster-schema';
import { SchedulerClusterStore } from './scheduler-cluster-store';

export class SchedulerClusterDb extends SchedulerClusterStore {
  /** Every member with its heartbeat's age judged against `heartbeatTimeoutMs`, and who is active. */
  observe(heartbeatTimeoutMs: number): ClusterObservation {
    const now = this.clock();
    const state = this.stateRow();
    const members = (this.stmt('SELECT * FROM cluster_members ORDER BY member_id').all() as MemberDbRow[]).map((row) => this.toObservation(row, now, heartbeatTimeoutMs));
    return { observedAt: new Date(now).toISOString(), activeMember: state.active_member, epoch: state.epoch, members };
  }

  /**
   * Takes from the member every right to act: a new epoch, status fenced, and it is no longer the
   * active member. Fencing a fenced member changes nothing.
   */
  fence(member: string, reason: string): { epoch: number; changed: boolean } {
    return this.write(() => {
      const row = this.memberRow(member);
      if (!row) throw new UnknownEntityError('member', member);
      const state = this.stateRow();
      if (row.status === 'fenced') return { epoch: state.epoch, changed: false };
      const epoch = state.epoch + 1;
      this.stmt("UPDATE cluster_members SET status = 'fenced', status_reason = ? WHERE member_id = ?").run(reason, member);
      this.stmt('UPDATE cluster_state SET epoch = ?, active_member = CASE WHEN active_member = ? THEN NULL ELSE active_member END WHERE id = 1').run(epoch, member);
      return { epoch, changed: true };
    });
  }

  /**
   * Makes a primary or backup the active member at a new epoch. Refused for a member whose
   * heartbeat is older than `heartbeatTimeoutMs`, and for a fenced member until it has registered
   * anew (a new process: its heartbeat alone does not clear the fence). A member active before it is set back to standby
   * (its writes are refused from this epoch on). Activating the active member changes nothing.
   */
  activate(member: string, heartbeatTimeoutMs: number): { epoch: number; changed: boolean; previous: string | null } {
    return this.write(() => {
      const row = this.memberRow(member);
      if (!row) throw new UnknownEntityError('member', member);
      if (row.role === 'distributed') {
        throw new WrongRoleError(`${member} runs with -distributed-orders (active cluster): every such member is active already; only a primary or backup is activated`);
      }
      const state = this.stateRow();
      if (state.active_member === member && row.status === 'active') return { epoch: state.epoch, changed: false, previous: member };
      // Checked here, in the write transaction, whatever the caller decided: only `register` clears a fence.
      if (row.status === 'fenced') throw fencedMember(row);
      const seen = this.toObservation(row, this.clock(), heartbeatTimeoutMs);
      if (!seen.alive) {
        throw new MemberNotAliveError(`${member} is not alive (status ${row.status}, last heartbeat ${seen.lastHeartbeatAt}); start it before activating it`);
      }
      const epoch = state.epoch + 1;
      if (state.active_member !== null) {
        this.stmt("UPDATE cluster_members SET status = 'standby', status_reason = ? WHERE member_id = ? AND status = 'active'").run(`${member} activated`, state.active_member);
      }
      this.stmt("UPDATE cluster_members SET status = 'active', status_reason = NULL WHERE member_id = ?").run(member);
      this.stmt('UPDATE cluster_state SET epoch = ?, active_member = ? WHERE id = 1').run(epoch, member);
      return { epoch, changed: true, previous: state.active_member };
    });
  }

  /** Loads the jobs and job chains every member shares; what is there already keeps its state. */
  configure(config: ClusterConfiguration): void {
    this.write(() => {
      for (const job of config.jobs) this.stmt("INSERT OR IGNORE INTO jobs (name, state) VALUES (?, 'active')").run(job);
      for (const chain of config.jobChains) {
        this.stmt("INSERT OR IGNORE INTO job_chains (name, state, distributed) VALUES (?, 'active', ?)").run(chain.name, chain.distributed ? 1 : 0);
        chain.nodes.forEach((node, position) => {
          if (!this.stmt('SELECT 1 FROM jobs WHERE name = ?').get(node.job)) throw new UnknownEntityError('job', node.job);
          this.stmt("INSERT OR IGNORE INTO job_chain_nodes (chain, node, position, job, state) VALUES (?, ?, ?, ?, 'active')").run(chain.name, node.node, position, node.job);
        });
      }
    });
  }

  /** Adds an order to a job chain at its first node; submitting it again changes nothing. */
  submitOrder(chain: string, id: string): { order: string; created: boolean } {
    return this.write(() => {
      if (!this.chainState(chain)) throw new UnknownEntityError('job chain', chain);
      const existing = this.pluck('SELECT chain FROM orders WHERE id = ?').get(id) as string | undefined;
      if (existing !== undefined) {
        if (existing !== chain) throw new StepNotCurrentError(`order ${id} exists already, in job chain ${existing}, not ${chain}`);
        return { order: id, created: false };
      }
      const now = this.clock();
      this.stmt("INSERT INTO orders (id, chain, state, step_index, history, created_at_ms, updated_at_ms) VALUES (?, ?, 'active', 0, '[]', ?, ?)").run(id, chain, now, now);
      return { order: id, created: true };
    });
  }

  /**
   * Gives the current step of an order of a distributed job chain to a member, as a new attempt (a
   * result of an earlier attempt is refused from now on). Giving it to the member that has it, or
   * assigning a finished step, changes nothing.
   */
  assignStep(order: string, step: number, member: string): StepAssignment & { changed: boolean; status: StepStatus } {
    return this.write(() => {
      const target = this.memberRow(member);
      if (!target) throw new UnknownEntityError('member', member);
      if (target.role !== 'distributed') throw new WrongRoleError(`${member} is a ${target.role}, not a member of an active cluster (-distributed-orders)`);
      if (target.status === 'fenced') throw fencedMember(target);
      const existing = this.stepRow(order, step);
      if (existing?.status === 'done') return { order, step, attempt: existing.attempt, member: existing.member, changed: false, status: existing.status };
      if (existing && existing.member === member && existing.status !== 'unassigned') {
        return { order, step, attempt: existing.attempt, member, changed: false, status: existing.status };
      }
      const orderRow = this.orderRow(order);
      if (this.pluck('SELECT distributed FROM job_chains WHERE name = ?').get(orderRow.chain) !== 1) {
        throw new WrongRoleError(`order ${order} belongs to job chain ${orderRow.chain}, which is not distributed`);
      }
      if (orderRow.state !== 'active') throw new StepNotCurrentError(`order ${order} is ${orderRow.state}; only an active order's step is assigned`);
      if (orderRow.step_index !== step) throw new StepNotCurrentError(`order ${order} is at step ${orderRow.step_index}, not ${step}: steps run in chain order`);
      const assigned = this.giveStep(order, step, existing, member);
      return { ...assigned, changed: true, status: 'assigned' as const };
    });
  }

  /** The current steps of active orders of active distributed chains that nobody has, oldest order first. */
  pendingSteps(): { order: string; step: number; node: string; job: string }[] {
    return this.stmt(
      `SELECT o.id AS "order", o.step_index AS step, n.node AS node, n.job AS job
       FROM orders o
       JOIN job_chains c ON c.name = o.chain AND c.distributed = 1 AND c.state = 'active'
       JOIN job_chain_nodes n ON n.chain = o.chain AND n.position = o.step_index AND n.state = 'active'
       JOIN jobs j ON j.name = n.job AND j.state = 'active'
       LEFT JOIN order_steps s ON s.order_id = o.id AND s.step_index = o.step_index
       WHERE o.state = 'active' AND (s.status IS NULL OR s.status = 'unassigned')
       ORDER BY o.created_at_ms, o.id`,
    ).all() as { order: string; step: number; node: string; job: string }[];
  }

  /** Steps in hand (assigned or running) of every distributed member that may act. */
  memberLoads(heartbeatTimeoutMs: number): MemberLoad[] {
    const now = this.clock();
    return (this.stmt("SELECT * FROM cluster_members WHERE role = 'distributed' AND status = 'active' ORDER BY member_id").all() as MemberDbRow[]).map((row) => ({
      member: row.member_id,
      alive: this.toObservation(row, now, heartbeatTimeoutMs).alive,
      steps: this.pluck("SELECT COUNT(*) FROM order_steps WHERE member = ? AND status IN ('assigned', 'running')").get(row.member_id) as number,
    }));
  }

  /** Load balancing: every pending step goes to the alive member with the fewest steps in hand. */
  assignPendingSteps(heartbeatTimeoutMs: number): StepAssignment[] {
    return this.write(() => {
      for (const id of this.pluck(
        "SELECT o.id FROM orders o JOIN job_chains c ON c.name = o.chain AND c.distributed = 1 WHERE o.state = 'active'",
      ).all() as string[]) {
        this.passSkippedNodes(id);
      }
      const loads = this.memberLoads(heartbeatTimeoutMs).filter((l) => l.alive);
      const assignments: StepAssignment[] = [];
      for (const pending of this.pendingSteps()) {
        const target = leastLoaded(loads);
        if (!target) break;
        assignments.push(this.giveStep(pending.order, pending.step, this.stepRow(pending.order, pending.step), target.member));
        target.steps += 1;
      }
      return assignments;
    });
  }

  /**
   * Takes every unfinished step from a member (dead, hung or fenced) and gives each, as a new
   * attempt, to the alive member with the fewest steps in hand; with none alive it is released
   * and `assignPendingSteps` gives it later. Whatever the old member still reports is refused.
   *
   * A member that is alive again when this runs (active, its heartbeat fresh: it was only slow for
   * a while, or it was started again and takes its steps up again) keeps them, `memberAlive`:
   * decided in this transaction, not from the caller's older look, since a step moved from a
   * member that still runs it would run twice at once.
   */
  reassignStepsOf(member: string, heartbeatTimeoutMs: number): { assignments: StepAssignment[]; memberAlive: boolean } {
    return this.write(() => {
      const row = this.memberRow(member);
      if (!row) throw new UnknownEntityError('member', member);
      if (row.status === 'active' && this.toObservation(row, this.clock(), heartbeatTimeoutMs).alive) return { assignments: [], memberAlive: true };
      const loads = this.memberLoads(heartbeatTimeoutMs).filter((l) => l.alive && l.member !== member);
      const moved: StepAssignment[] = [];
      for (const s of this.stepsAssignedTo(member)) {
        const target = leastLoaded(loads);
        const existing = this.stepRow(s.order, s.step);
        moved.push({ ...this.giveStep(s.order, s.step, existing, target?.member ?? null), from: member });
        if (target) target.steps += 1;
      }
      return { assignments: moved, memberAlive: false };
    });
  }

  // --- operator commands (JOC) ---

  setJobState(job: string, state: JobState): void {
    this.setState('jobs', 'name', job, state, 'job');
  }

  setJobChainState(chain: string, state: JobChainState): void {
    this.setState('job_chains', 'name', chain, state, 'job chain');
  }

  setNodeState(chain: string, node: string, state: NodeState): void {
    this.write(() => {
      const changed = this.stmt('UPDATE job_chain_nodes SET state = ? WHERE chain = ? AND node = ?').run(state, chain, node).changes;
      if (changed === 0) throw new UnknownEntityError('node', `${chain}/${node}`);
    });
  }

  /** Suspends or resumes an order; a finished order stays done. */
  setOrderState(order: string, state: 'active' | 'suspended'): void {
    this.write(() => {
      const row = this.orderRow(order);
      if (row.state === 'done') return;
      this.stmt('UPDATE orders SET state = ?, updated_at_ms = ? WHERE id = ?').run(state, this.clock(), order);
    });
  }

  private giveStep(order: string, step: number, existing: StepDbRow | undefined, member: string | null): StepAssignment {
    const attempt = (existing?.attempt ?? 0) + 1;
    this.stmt(
      `INSERT INTO order_steps (order_id, step_index, attempt, member, status, result, assigned_at_ms, started_at_ms, ended_at_ms)
       VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL)
       ON CONFLICT (order_id, step_index) DO UPDATE SET attempt = excluded.attempt, member = excluded.member, status = excluded.status,
         result = NULL, assigned_at_ms = excluded.assigned_at_ms, started_at_ms = NULL, ended_at_ms = NULL`,
    ).run(order, step, attempt, member, member === null ? 'unassigned' : 'assigned', this.clock());
    return { order, step, attempt, member };
  }

  private setState(table: 'jobs' | 'job_chains', key: string, name: string, state: string, kind: 'job' | 'job chain'): void {
    this.write(() => {
      if (this.stmt(`UPDATE ${table} SET state = ? WHERE ${key} = ?`).run(state, name).changes === 0) throw new UnknownEntityError(kind, name);
    });
  }
}

function fencedMember(row: MemberDbRow): MemberFencedError {
  return new MemberFencedError(
    `${row.member_id} is fenced${row.status_reason ? ` (${row.status_reason})` : ''} and has not registered since: start it again (its new process registers anew) before it is given work`,
  );
}

/** The member with the fewest steps in hand; ties go to the first by id, so balancing is repeatable. */
function leastLoaded(loads: MemberLoad[]): MemberLoad | undefined {
  return loads.reduce<MemberLoad | undefined>((best, l) => (best === undefined || l.steps < best.steps ? l : best), undefined);
}
