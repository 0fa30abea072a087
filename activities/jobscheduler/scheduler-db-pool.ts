/**
 * The cluster databases the central worker may open: only files in its cluster database folder
 * (SPOOLFLOW_CLUSTER_DB_DIR; the simulated clusters' folder by default), named by their file
 * name. An input cannot point the supervisor at any other file of the central host, a database
 * that is not there is refused rather than created (a typo must not look like an empty cluster),
 * and a file without spoolflow's tables is refused untouched. Errors name the database by its
 * name, never the folder: they become halt reasons and workflow history.
 *
 * One open connection per database for the worker's lifetime: the supervisor's activities poll
 * every few hundred milliseconds, and opening SQLite each time would cost more than the query.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { clusterDatabaseNameProblem } from '../../machines/jobscheduler/jobscheduler-cluster-input';
import { SchedulerClusterDb } from './scheduler-cluster-db';
import { NotAClusterDatabaseError } from './scheduler-cluster-errors';
import type { SchedulerClusterDbOptions } from './scheduler-cluster-store';

export class ClusterDatabaseNotFoundError extends Error {
  override readonly name = 'ClusterDatabaseNotFoundError';
}

/** The name given is not a plain file name inside the folder. */
export class InvalidClusterDatabaseNameError extends Error {
  override readonly name = 'InvalidClusterDatabaseNameError';
}

export interface SchedulerDbPoolOptions extends Omit<SchedulerClusterDbOptions, 'create'> {
  /** The folder the cluster databases are in. */
  folder: string;
}

export class SchedulerDbPool {
  private readonly open = new Map<string, SchedulerClusterDb>();
  readonly folder: string;

  constructor(private readonly options: SchedulerDbPoolOptions) {
    this.folder = path.resolve(options.folder);
  }

  /** The open database named `name` (a file name in the folder). */
  get(name: string): SchedulerClusterDb {
    let db = this.open.get(name);
    if (!db) {
      const file = this.locate(name);
      // A link in the folder resolves to another file name: refusals still name the database as asked.
      try {
        db = new SchedulerClusterDb(file, { busyTimeoutMs: this.options.busyTimeoutMs, clock: this.options.clock });
      } catch (err) {
        if (err instanceof NotAClusterDatabaseError) throw new NotAClusterDatabaseError(err.message.replace(`"${path.basename(file)}"`, `"${name}"`));
        throw err;
      }
      this.open.set(name, db);
    }
    return db;
  }

  /** The file of `name` in the folder; refuses a name that is not a plain file name in it, or a file that is not there. */
  locate(name: string): string {
    const problem = clusterDatabaseNameProblem(name);
    if (problem !== undefined) throw new InvalidClusterDatabaseNameError(`database: ${problem}`);
    const file = path.join(this.folder, name);
    const notFound = () =>
      new ClusterDatabaseNotFoundError(
        `no cluster database "${name}" in the cluster database folder (SPOOLFLOW_CLUSTER_DB_DIR); check the name, or set the cluster up first`,
      );
    if (!existsSync(file)) throw notFound();
    // A link inside the folder must not lead out of it.
    const real = realpathSync(file);
    const relative = path.relative(realpathSync(this.folder), real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new InvalidClusterDatabaseNameError(`database: "${name}" leads outside the cluster database folder`);
    if (!statSync(real).isFile()) throw notFound();
    return real;
  }

  closeAll(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}
