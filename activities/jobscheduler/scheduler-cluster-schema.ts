/**
 * The tables of a JobScheduler cluster's database and the rows read from them. JobScheduler 1.x
 * keeps its cluster in the database the same way: one row per member with its heartbeat (its
 * SCHEDULER_CLUSTERS table), and the jobs', job chains', nodes' and orders' states beside it, which
 * is why a backup that becomes active knows exactly what the primary left stopped, skipped or
 * suspended.
 *
 * The `...Row` types are what the reads answer; the `...DbRow` types are the tables' columns as
 * SQLite returns them, for the classes that read and write them only.
 */
import type Database from 'better-sqlite3';
import type { SchedulerRole } from './scheduler-cluster-options';
import { NotAClusterDatabaseError } from './scheduler-cluster-errors';

export type MemberStatus = 'standby' | 'active' | 'terminated' | 'fenced';
export type JobState = 'active' | 'stopped';
export type JobChainState = 'active' | 'stopped';
export type NodeState = 'active' | 'stopped' | 'skipped';
export type OrderState = 'active' | 'suspended' | 'done';
/** `unassigned`: taken from a member that died while no other member was alive to take it. */
export type StepStatus = 'unassigned' | 'assigned' | 'running' | 'done';

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

/** Tables every cluster database has; a file without them is someone else's. */
export const CLUSTER_TABLES = ['cluster_members', 'cluster_state', 'jobs', 'job_chains', 'job_chain_nodes', 'orders', 'order_steps'];

/** Reads the schema only (nothing written): refuses a file that is not SQLite or lacks a cluster table. */
export function requireClusterTables(db: Database.Database, name: string): void {
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

export const SCHEMA = `
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

export interface MemberDbRow {
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

export interface StateDbRow {
  active_member: string | null;
  epoch: number;
}

export interface OrderDbRow {
  id: string;
  chain: string;
  state: OrderState;
  step_index: number;
  history: string;
}

export interface NodeDbRow {
  chain: string;
  node: string;
  position: number;
  job: string;
  state: NodeState;
}

export interface StepDbRow {
  order_id: string;
  step_index: number;
  attempt: number;
  member: string | null;
  status: StepStatus;
  result: string | null;
  started_at_ms: number | null;
  ended_at_ms: number | null;
}
