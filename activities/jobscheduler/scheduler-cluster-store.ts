/**
 * The database a JobScheduler cluster shares: opening it, reading it, and the row-level steps that
 * both the supervisor (scheduler-cluster-db.ts) and the members (the simulated ones:
 * simulator/jobscheduler/member-cluster-db.ts) write with. Tables and row types are in
 * scheduler-cluster-schema.ts.
 *
 * Here the database is a SQLite file in WAL mode shared by processes on one machine; every write
 * transaction takes the write lock up front (BEGIN IMMEDIATE) and waits up to the busy timeout for it.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { NotAClusterDatabaseError, UnknownEntityError } from './scheduler-cluster-errors';
import {
  requireClusterTables,
  SCHEMA,
  type ClusterSnapshot,
  type JobChainRow,
  type JobChainState,
  type JobRow,
  type JobState,
  type MemberDbRow,
  type MemberObservation,
  type NodeDbRow,
  type OrderDbRow,
  type OrderHistoryEntry,
  type OrderRow,
  type OrderStepRow,
  type StateDbRow,
  type StepDbRow,
  type StepStatus,
} from './scheduler-cluster-schema';

export interface SchedulerClusterDbOptions {
  /** How long a write waits for the lock another member holds; default 5 s. */
  busyTimeoutMs?: number;
  /** Milliseconds since the epoch; injectable so heartbeat ages can be tested. */
  clock?: () => number;
  /** Create the file and its tables when missing; only {@link SchedulerClusterStore.create} sets it. */
  create?: boolean;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class SchedulerClusterStore {
  private readonly db: Database.Database;
  protected readonly clock: () => number;
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * Opens an existing cluster database. Never creates anything: a file that is not there is
   * refused (SQLite would create it), and so is one without spoolflow's tables (an unrelated
   * SQLite file, or not SQLite at all), before anything is written to it, its journal mode
   * included. Only {@link SchedulerClusterStore.create} makes a cluster database.
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
  static create<T extends SchedulerClusterStore>(
    this: new (file: string, options: SchedulerClusterDbOptions) => T,
    file: string,
    options: Omit<SchedulerClusterDbOptions, 'create'> = {},
  ): T {
    return new this(file, { ...options, create: true });
  }

  close(): void {
    if (this.db.open) this.db.close();
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


  /** Steps given to the member and not finished, oldest first. */
  stepsAssignedTo(member: string): { order: string; step: number; attempt: number; status: StepStatus }[] {
    return (
      this.stmt("SELECT order_id, step_index, attempt, status FROM order_steps WHERE member = ? AND status IN ('assigned', 'running') ORDER BY assigned_at_ms, order_id").all(
        member,
      ) as StepDbRow[]
    ).map((r) => ({ order: r.order_id, step: r.step_index, attempt: r.attempt, status: r.status }));
  }

  // --- inside transactions ---

  protected write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  protected stmt(sql: string): Database.Statement {
    return this.prepared(sql, false);
  }

  /** A query whose rows are their first column's value. */
  protected pluck(sql: string): Database.Statement {
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

  protected memberRow(member: string): MemberDbRow | undefined {
    return this.stmt('SELECT * FROM cluster_members WHERE member_id = ?').get(member) as MemberDbRow | undefined;
  }

  protected stateRow(): StateDbRow {
    return this.stmt('SELECT active_member, epoch FROM cluster_state WHERE id = 1').get() as StateDbRow;
  }


  protected stepRow(order: string, step: number): StepDbRow | undefined {
    return this.stmt('SELECT * FROM order_steps WHERE order_id = ? AND step_index = ?').get(order, step) as StepDbRow | undefined;
  }

  protected orderRow(order: string): OrderDbRow {
    const row = this.stmt('SELECT * FROM orders WHERE id = ?').get(order) as OrderDbRow | undefined;
    if (!row) throw new UnknownEntityError('order', order);
    return row;
  }

  protected nodeAt(chain: string, position: number): NodeDbRow | undefined {
    return this.stmt('SELECT * FROM job_chain_nodes WHERE chain = ? AND position = ?').get(chain, position) as NodeDbRow | undefined;
  }

  protected chainState(chain: string): JobChainState | undefined {
    return this.pluck('SELECT state FROM job_chains WHERE name = ?').get(chain) as JobChainState | undefined;
  }

  /** Records the node in the order's history and moves it to the next one (done after the last). */
  protected passNode(order: OrderDbRow, node: NodeDbRow, entry: Omit<OrderHistoryEntry, 'step' | 'node' | 'job' | 'at'>): void {
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
  protected passSkippedNodes(orderId: string): void {
    for (;;) {
      const order = this.orderRow(orderId);
      if (order.state !== 'active') return;
      const node = this.nodeAt(order.chain, order.step_index);
      if (!node || node.state !== 'skipped') return;
      this.passNode(order, node, { outcome: 'skipped' });
    }
  }

  protected toObservation(row: MemberDbRow, now: number, heartbeatTimeoutMs: number): MemberObservation {
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
