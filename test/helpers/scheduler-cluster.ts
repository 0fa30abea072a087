/**
 * A simulated JobScheduler cluster for a test: a cluster database in a temp folder, the fleet that
 * starts members there as real processes with fast timings, the operation record, and cleanup that
 * kills every member the test started (so no process outlives the test file).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerClusterDb } from '../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet, type MemberProcessInfo } from '../../simulator/jobscheduler/scheduler-fleet';
import type { SchedulerOperationEntry } from '../../simulator/jobscheduler/scheduler-operation-record';

/** Fast enough for tests, slow enough that a loaded machine does not miss heartbeats. */
export const TIMING = {
  heartbeatMs: 50,
  heartbeatTimeoutMs: 500,
  jobIntervalMs: 50,
  stepMs: 300,
  pollMs: 30,
} as const;

export interface TestCluster {
  /** The database file, for the member processes (a JobScheduler's own database configuration). */
  database: string;
  /** The folder the database is in: the supervisor's cluster database folder. */
  databaseDir: string;
  /** The database as a cluster definition and the supervisor's activities name it. */
  databaseName: string;
  simDir: string;
  /** The test's own connection, as the supervisor's would be. */
  db: SchedulerClusterDb;
  fleet: SchedulerFleet;
  start(member: string, options: string): Promise<MemberProcessInfo>;
  record(): SchedulerOperationEntry[];
  /** Kills every member still running and closes the database. */
  cleanup(): Promise<void>;
}

export function createTestCluster(): TestCluster {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-scheduler-'));
  // Each test's cluster has a database of its own name, as two clusters of one estate do: the
  // supervisors lease their database by name on the one server of a test file, and a lease whose
  // holder the test before just ended is handed back within 10 s, which a loaded machine can miss.
  const databaseName = `cluster-${path.basename(dir).replace(/[^A-Za-z0-9]/g, '')}.sqlite`;
  const database = path.join(dir, databaseName);
  const simDir = path.join(dir, 'sim');
  const db = SchedulerClusterDb.create(database);
  const fleet = new SchedulerFleet(simDir);
  return {
    database,
    databaseDir: dir,
    databaseName,
    simDir,
    db,
    fleet,
    start: (member, options) =>
      fleet.start({ member, database, options, host: `${member}-host`, heartbeatMs: TIMING.heartbeatMs, jobIntervalMs: TIMING.jobIntervalMs, stepMs: TIMING.stepMs, pollMs: TIMING.pollMs }),
    record: () => fleet.record.read(),
    cleanup: async () => {
      await fleet.killAll();
      db.close();
    },
  };
}

/** Polls until `check` returns something other than undefined or false; fails saying what it waited for. */
export async function waitUntil<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000, pollMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function aliveOf(db: SchedulerClusterDb, member: string): boolean {
  return db.observe(TIMING.heartbeatTimeoutMs).members.find((m) => m.member === member)?.alive ?? false;
}
