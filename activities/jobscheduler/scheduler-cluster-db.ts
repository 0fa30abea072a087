/**
 * The database a JobScheduler cluster shares, and every read and write its members and its
 * supervisor make there. JobScheduler 1.x keeps its cluster in the database the same way: one row
 * per member with its heartbeat (its SCHEDULER_CLUSTERS table), and the jobs', job chains', nodes'
 * and orders' states beside it, which is why a backup that becomes active knows exactly what the
 * primary left stopped, skipped or suspended.
 *
 * Safety comes from fencing, checked inside the same transaction as the write it guards:
 * - passive cluster: a member acts (runs a job, moves an order on) only with the epoch at which it
 *   was activated; every fence and every activation raises the epoch, so a member that was hung or
 *   cut off while someone else took over has its writes refused and stops;
 * - active cluster (`-distributed-orders`): a step's result counts only for the step's current
 *   attempt, from the member it is assigned to, and only while that member is not fenced; giving a
 *   step to another member raises its attempt, so every step of an order completes exactly once.
 *
 * Supervisor operations are idempotent: fencing a fenced member, activating the active one or
 * assigning a step to the member that has it changes nothing. Here the database is a SQLite file
 * in WAL mode shared by processes on one machine; every write transaction takes the write lock up
 * front (BEGIN IMMEDIATE) and waits up to the busy timeout for it.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { parseClusterOptions, type SchedulerRole } from './scheduler-cluster-options';

export type MemberStatus = 'standby' | 'active' | 'terminated' | 'fenced';
export type JobState = 'active' | 'stopped';
export type JobChainState = 'active' | 'stopped';
export type NodeState = 'active' | 'stopped' | 'skipped';
export type OrderState = 'active' | 'suspended' | 'done';
/** `unassigned`: taken from a member that died while no other member was alive to take it. */
export type StepStatus = 'unassigned' | 'assigned' | 'running' | 'done';

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

export interface MemberObservation {
  member: string;
  host: string;
  pid: number;
  role: SchedulerRole;
  backupPrecedence: number | null;
  status: MemberStatus;
  /** Heartbeat within the timeout, and not terminated. */
  alive: boolean;
  lastHeartbeatAt: string;
  startedAt: string;
  /** Why it is fenced (or terminated), when it is. */
  statusReason: string | null;
}

export interface ClusterObservation {
  observedAt: string;
  activeMember: string | null;
  epoch: number;
  members: MemberObservation[];
}

export interface JobRow {
  name: string;
  state: JobState;
  runCount: number;
  lastRunBy: string | null;
  lastRunAt: string | null;
}

export interface JobChainNodeRow {
  node: string;
  job: string;
  state: NodeState;
}

export interface JobChainRow {
  name: string;
  state: JobChainState;
  distributed: boolean;
  nodes: JobChainNodeRow[];
}

/** One line of an order's history: a node it went through. */
export interface OrderHistoryEntry {
  step: number;
  node: string;
  job: string;
  outcome: 'ran' | 'skipped';
  /** Who ran it (absent for a skipped node). */
  member?: string;
  /** Passive cluster: the epoch the member acted in. */
  epoch?: number;
  /** Active cluster: the step attempt whose result counted. */
  attempt?: number;
  result?: string;
  at: string;
}

export interface OrderRow {
  id: string;
  chain: string;
  state: OrderState;
  stepIndex: number;
  /** The node the order waits at or runs in; null once done. */
  currentNode: string | null;
  history: OrderHistoryEntry[];
}

export interface OrderStepRow {
  order: string;
  step: number;
  attempt: number;
  member: string | null;
  status: StepStatus;
  result: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface StepAssignment {
  order: string;
  step: number;
  attempt: number;
  /** Who had it (reassignment only). */
  from?: string;
  /** Null: released, no alive member could take it. */
  member: string | null;
}

export interface MemberLoad {
  member: string;
  alive: boolean;
  /** Steps assigned to it or running on it. */
  steps: number;
}

export interface ClusterConfiguration {
  jobs: string[];
  jobChains: { name: string; distributed?: boolean; nodes: { node: string; job: string }[] }[];
}

export interface ClusterSnapshot {
  activeMember: string | null;
  epoch: number;
  jobs: JobRow[];
  jobChains: JobChainRow[];
  orders: OrderRow[];
  orderSteps: OrderStepRow[];
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

/** A name the database does not know: a typo in a member, job, chain, node or order. */
export class UnknownEntityError extends Error {
  override readonly name = 'UnknownEntityError';
  constructor(
    readonly kind: 'member' | 'job' | 'job chain' | 'node' | 'order',
    readonly entity: string,
  ) {
    super(`no ${kind} "${entity}" in the cluster database`);
  }
}

/** Activation of a member whose heartbeat is stale or that terminated: it could not act. */
export class MemberNotAliveError extends Error {
  override readonly name = 'MemberNotAliveError';
}

/**
 * Activation of (or a step for) a member that was fenced and has not registered since: the process
 * that was fenced may still be hung or cut off, and only a new process, which registers anew,
 * starts clean. Not retryable: the member must be started again.
 */
export class MemberFencedError extends Error {
  override readonly name = 'MemberFencedError';
}

/** A passive-cluster operation on an active-cluster member, or the other way round. */
export class WrongRoleError extends Error {
  override readonly name = 'WrongRoleError';
}

/** A step that is not the order's current one, or an order that is not active: steps run in chain order. */
export class StepNotCurrentError extends Error {
  override readonly name = 'StepNotCurrentError';
}

export interface SchedulerClusterDbOptions {
  /** How long a write waits for the lock another member holds; default 5 s. */
  busyTimeoutMs?: number;
  /** Milliseconds since the epoch; injectable so heartbeat ages can be tested. */
  clock?: () => number;
  /** Create the file and its tables when missing; only {@link SchedulerClusterDb.create} sets it. */
  create?: boolean;
}

/**
 * The file is not a cluster database (missing, not SQLite, or without spoolflow's tables): it was
 * not changed. The message names the file by its name only, never its folder: it may become a
 * halt reason, kept in workflow history.
 */
export class NotAClusterDatabaseError extends Error {
  override readonly name = 'NotAClusterDatabaseError';
}

/** Tables every cluster database has; a file without them is someone else's. */
const CLUSTER_TABLES = ['cluster_members', 'cluster_state', 'jobs', 'job_chains', 'job_chain_nodes', 'orders', 'order_steps'];

/** Reads the schema only (nothing written): refuses a file that is not SQLite or lacks a cluster table. */
function requireClusterTables(db: Database.Database, name: string): void {
  let tables: Set<string>;
  try {
    tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  } catch (err) {
    throw new NotAClusterDatabaseError(`cluster database "${name}" is not a SQLite database (${(err as { code?: string }).code ?? 'unreadable'})`);
  }
  const missing = CLUSTER_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new NotAClusterDatabaseError(`cluster database "${name}" is a SQLite database without the cluster tables (no ${missing.join(', ')}): it is not a JobScheduler cluster database, and spoolflow does not add them`);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cluster_members (
  member_id         TEXT PRIMARY KEY,
  host              TEXT NOT NULL,
  pid               INTEGER NOT NULL,
  incarnation       INTEGER NOT NULL,
  cluster_options   TEXT NOT NULL,
  role              TEXT NOT NULL CHECK (role IN ('primary', 'backup', 'distributed')),
  backup_precedence INTEGER,
  status            TEXT NOT NULL CHECK (status IN ('standby', 'active', 'terminated', 'fenced')),
  status_reason     TEXT,
  last_heartbeat_ms INTEGER NOT NULL,
  started_at_ms     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cluster_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  active_member TEXT,
  epoch         INTEGER NOT NULL
);
INSERT OR IGNORE INTO cluster_state (id, active_member, epoch) VALUES (1, NULL, 0);
CREATE TABLE IF NOT EXISTS jobs (
  name           TEXT PRIMARY KEY,
  state          TEXT NOT NULL CHECK (state IN ('active', 'stopped')),
  run_count      INTEGER NOT NULL DEFAULT 0,
  last_run_by    TEXT,
  last_run_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS job_chains (
  name        TEXT PRIMARY KEY,
  state       TEXT NOT NULL CHECK (state IN ('active', 'stopped')),
  distributed INTEGER NOT NULL CHECK (distributed IN (0, 1))
);
CREATE TABLE IF NOT EXISTS job_chain_nodes (
  chain    TEXT NOT NULL REFERENCES job_chains (name),
  node     TEXT NOT NULL,
  position INTEGER NOT NULL,
  job      TEXT NOT NULL REFERENCES jobs (name),
  state    TEXT NOT NULL CHECK (state IN ('active', 'stopped', 'skipped')),
  PRIMARY KEY (chain, node),
  UNIQUE (chain, position)
);
CREATE TABLE IF NOT EXISTS orders (
  id            TEXT PRIMARY KEY,
  chain         TEXT NOT NULL REFERENCES job_chains (name),
  state         TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'done')),
  step_index    INTEGER NOT NULL,
  history       TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS order_steps (
  order_id       TEXT NOT NULL REFERENCES orders (id),
  step_index     INTEGER NOT NULL,
  attempt        INTEGER NOT NULL,
  member         TEXT,
  status         TEXT NOT NULL CHECK (status IN ('unassigned', 'assigned', 'running', 'done')),
  result         TEXT,
  assigned_at_ms INTEGER NOT NULL,
  started_at_ms  INTEGER,
  ended_at_ms    INTEGER,
  PRIMARY KEY (order_id, step_index)
);
CREATE INDEX IF NOT EXISTS order_steps_by_member ON order_steps (member, status);
`;

interface MemberDbRow {
  member_id: string;
  host: string;
  pid: number;
  incarnation: number;
  role: SchedulerRole;
  backup_precedence: number | null;
  status: MemberStatus;
  status_reason: string | null;
  last_heartbeat_ms: number;
  started_at_ms: number;
}

interface StateDbRow {
  active_member: string | null;
  epoch: number;
}

interface OrderDbRow {
  id: string;
  chain: string;
  state: OrderState;
  step_index: number;
  history: string;
}

interface NodeDbRow {
  chain: string;
  node: string;
  position: number;
  job: string;
  state: NodeState;
}

interface StepDbRow {
  order_id: string;
  step_index: number;
  attempt: number;
  member: string | null;
  status: StepStatus;
  result: string | null;
  started_at_ms: number | null;
  ended_at_ms: number | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class SchedulerClusterDb {
  private readonly db: Database.Database;
  private readonly clock: () => number;
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * Opens an existing cluster database. Never creates anything: a file that is not there is
   * refused (SQLite would create it), and so is one without spoolflow's tables (an unrelated
   * SQLite file, or not SQLite at all), before anything is written to it, its journal mode
   * included. Only {@link SchedulerClusterDb.create} makes a cluster database.
   */
  constructor(
    readonly file: string,
    options: SchedulerClusterDbOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    try {
      this.db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000, fileMustExist: !options.create });
    } catch (err) {
      throw new NotAClusterDatabaseError(`cluster database "${path.basename(file)}" cannot be opened (${(err as { code?: string }).code ?? 'error'}): it is not there or not readable`);
    }
    try {
      if (!options.create) requireClusterTables(this.db, path.basename(file));
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      if (options.create) this.write(() => this.db.exec(SCHEMA));
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /**
   * Creates a cluster database with its tables (or opens one that has them). For whoever sets a
   * cluster up (the simulated clusters, tests); a supervisor's activities only open existing ones.
   */
  static create(file: string, options: Omit<SchedulerClusterDbOptions, 'create'> = {}): SchedulerClusterDb {
    return new SchedulerClusterDb(file, { ...options, create: true });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

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

  // --- active cluster: what a distributed member does ---

  /** Steps given to the member and not finished, oldest first. */
  stepsAssignedTo(member: string): { order: string; step: number; attempt: number; status: StepStatus }[] {
    return (
      this.stmt("SELECT order_id, step_index, attempt, status FROM order_steps WHERE member = ? AND status IN ('assigned', 'running') ORDER BY assigned_at_ms, order_id").all(
        member,
      ) as StepDbRow[]
    ).map((r) => ({ order: r.order_id, step: r.step_index, attempt: r.attempt, status: r.status }));
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

  // --- the supervisor ---

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
   */
  reassignStepsOf(member: string, heartbeatTimeoutMs: number): StepAssignment[] {
    return this.write(() => {
      if (!this.memberRow(member)) throw new UnknownEntityError('member', member);
      const loads = this.memberLoads(heartbeatTimeoutMs).filter((l) => l.alive && l.member !== member);
      const moved: StepAssignment[] = [];
      for (const s of this.stepsAssignedTo(member)) {
        const target = leastLoaded(loads);
        const existing = this.stepRow(s.order, s.step);
        moved.push({ ...this.giveStep(s.order, s.step, existing, target?.member ?? null), from: member });
        if (target) target.steps += 1;
      }
      return moved;
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

  // --- reads ---

  member(member: string): (MemberObservation & { incarnation: number }) | undefined {
    const row = this.memberRow(member);
    return row && { ...this.toObservation(row, this.clock(), Number.POSITIVE_INFINITY), incarnation: row.incarnation };
  }

  clusterState(): { activeMember: string | null; epoch: number } {
    const state = this.stateRow();
    return { activeMember: state.active_member, epoch: state.epoch };
  }

  jobs(): JobRow[] {
    return (this.stmt('SELECT * FROM jobs ORDER BY name').all() as { name: string; state: JobState; run_count: number; last_run_by: string | null; last_run_at_ms: number | null }[]).map(
      (r) => ({ name: r.name, state: r.state, runCount: r.run_count, lastRunBy: r.last_run_by, lastRunAt: iso(r.last_run_at_ms) }),
    );
  }

  jobChains(): JobChainRow[] {
    const nodes = this.stmt('SELECT * FROM job_chain_nodes ORDER BY chain, position').all() as NodeDbRow[];
    return (this.stmt('SELECT * FROM job_chains ORDER BY name').all() as { name: string; state: JobChainState; distributed: number }[]).map((c) => ({
      name: c.name,
      state: c.state,
      distributed: c.distributed === 1,
      nodes: nodes.filter((n) => n.chain === c.name).map((n) => ({ node: n.node, job: n.job, state: n.state })),
    }));
  }

  orders(): OrderRow[] {
    return (this.stmt('SELECT * FROM orders ORDER BY created_at_ms, id').all() as OrderDbRow[]).map((o) => ({
      id: o.id,
      chain: o.chain,
      state: o.state,
      stepIndex: o.step_index,
      currentNode: o.state === 'done' ? null : (this.nodeAt(o.chain, o.step_index)?.node ?? null),
      history: JSON.parse(o.history) as OrderHistoryEntry[],
    }));
  }

  orderSteps(): OrderStepRow[] {
    return (this.stmt('SELECT * FROM order_steps ORDER BY order_id, step_index').all() as StepDbRow[]).map((s) => ({
      order: s.order_id,
      step: s.step_index,
      attempt: s.attempt,
      member: s.member,
      status: s.status,
      result: s.result,
      startedAt: iso(s.started_at_ms),
      endedAt: iso(s.ended_at_ms),
    }));
  }

  /** Everything a member or an operator sees of jobs and orders, read in one transaction. */
  snapshot(): ClusterSnapshot {
    return this.db.transaction(() => ({
      ...this.clusterState(),
      jobs: this.jobs(),
      jobChains: this.jobChains(),
      orders: this.orders(),
      orderSteps: this.orderSteps(),
    }))();
  }

  // --- inside transactions ---

  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private stmt(sql: string): Database.Statement {
    return this.prepared(sql, false);
  }

  /** A query whose rows are their first column's value. */
  private pluck(sql: string): Database.Statement {
    return this.prepared(sql, true);
  }

  private prepared(sql: string, pluck: boolean): Database.Statement {
    const key = `${pluck ? 'pluck' : 'rows'}:${sql}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (pluck) statement.pluck();
      this.statements.set(key, statement);
    }
    return statement;
  }

  private memberRow(member: string): MemberDbRow | undefined {
    return this.stmt('SELECT * FROM cluster_members WHERE member_id = ?').get(member) as MemberDbRow | undefined;
  }

  private stateRow(): StateDbRow {
    return this.stmt('SELECT active_member, epoch FROM cluster_state WHERE id = 1').get() as StateDbRow;
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

  private stepRow(order: string, step: number): StepDbRow | undefined {
    return this.stmt('SELECT * FROM order_steps WHERE order_id = ? AND step_index = ?').get(order, step) as StepDbRow | undefined;
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

  private orderRow(order: string): OrderDbRow {
    const row = this.stmt('SELECT * FROM orders WHERE id = ?').get(order) as OrderDbRow | undefined;
    if (!row) throw new UnknownEntityError('order', order);
    return row;
  }

  private nodeAt(chain: string, position: number): NodeDbRow | undefined {
    return this.stmt('SELECT * FROM job_chain_nodes WHERE chain = ? AND position = ?').get(chain, position) as NodeDbRow | undefined;
  }

  private chainState(chain: string): JobChainState | undefined {
    return this.pluck('SELECT state FROM job_chains WHERE name = ?').get(chain) as JobChainState | undefined;
  }

  private jobState(job: string): JobState | undefined {
    return this.pluck('SELECT state FROM jobs WHERE name = ?').get(job) as JobState | undefined;
  }

  private countJobRun(job: string, member: string): void {
    this.stmt('UPDATE jobs SET run_count = run_count + 1, last_run_by = ?, last_run_at_ms = ? WHERE name = ?').run(member, this.clock(), job);
  }

  /** Records the node in the order's history and moves it to the next one (done after the last). */
  private passNode(order: OrderDbRow, node: NodeDbRow, entry: Omit<OrderHistoryEntry, 'step' | 'node' | 'job' | 'at'>): void {
    const now = this.clock();
    const history = JSON.parse(order.history) as OrderHistoryEntry[];
    history.push({ step: node.position, node: node.node, job: node.job, ...entry, at: new Date(now).toISOString() });
    const next = node.position + 1;
    const done = !this.nodeAt(order.chain, next);
    this.stmt('UPDATE orders SET step_index = ?, state = ?, history = ?, updated_at_ms = ? WHERE id = ?').run(
      next,
      done ? 'done' : order.state,
      JSON.stringify(history),
      now,
      order.id,
    );
  }

  /** A distributed order passes skipped nodes by itself: nobody has to be assigned to skip. */
  private passSkippedNodes(orderId: string): void {
    for (;;) {
      const order = this.orderRow(orderId);
      if (order.state !== 'active') return;
      const node = this.nodeAt(order.chain, order.step_index);
      if (!node || node.state !== 'skipped') return;
      this.passNode(order, node, { outcome: 'skipped' });
    }
  }

  private setState(table: 'jobs' | 'job_chains', key: string, name: string, state: string, kind: 'job' | 'job chain'): void {
    this.write(() => {
      if (this.stmt(`UPDATE ${table} SET state = ? WHERE ${key} = ?`).run(state, name).changes === 0) throw new UnknownEntityError(kind, name);
    });
  }

  private toObservation(row: MemberDbRow, now: number, heartbeatTimeoutMs: number): MemberObservation {
    return {
      member: row.member_id,
      host: row.host,
      pid: row.pid,
      role: row.role,
      backupPrecedence: row.backup_precedence,
      status: row.status,
      alive: row.status !== 'terminated' && now - row.last_heartbeat_ms <= heartbeatTimeoutMs,
      lastHeartbeatAt: new Date(row.last_heartbeat_ms).toISOString(),
      startedAt: new Date(row.started_at_ms).toISOString(),
      statusReason: row.status_reason,
    };
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
