/**
 * One open connection per cluster database file for the worker's lifetime: the supervisor's
 * activities poll every few hundred milliseconds, and opening SQLite each time would cost more
 * than the query. A file that does not exist is refused rather than created: a mistyped path must
 * not look like an empty cluster with no members.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SchedulerClusterDb, type SchedulerClusterDbOptions } from './scheduler-cluster-db';

export class ClusterDatabaseNotFoundError extends Error {
  override readonly name = 'ClusterDatabaseNotFoundError';
}

export class SchedulerDbPool {
  private readonly open = new Map<string, SchedulerClusterDb>();

  constructor(private readonly options: SchedulerClusterDbOptions = {}) {}

  get(file: string): SchedulerClusterDb {
    const key = path.resolve(file);
    let db = this.open.get(key);
    if (!db) {
      if (!existsSync(key)) throw new ClusterDatabaseNotFoundError(`no cluster database at ${key}; check the path, or start a member to create it`);
      db = new SchedulerClusterDb(key, this.options);
      this.open.set(key, db);
    }
    return db;
  }

  closeAll(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}
