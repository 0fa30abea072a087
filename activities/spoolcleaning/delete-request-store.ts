/**
 * The Job Service's distributed layer, spoolflow's version (docs/spool-cleaning.md#the-durable-store):
 * the delete requests with their TTLs, the Spooler Controller's record of the jobs its spoolers
 * reported, the orphans listed for the operator, and which reports and cleaning runs were already
 * applied. One SQLite file in WAL mode with `synchronous = FULL`: a write acknowledged to Temporal
 * is on disk, so a kill -9 of the worker loses nothing it reported done.
 *
 * A report's cost follows its own jobs: each reported job is looked up by its primary key
 * (spooler, job id), never by a scan of the cache, so a report of k jobs costs O(k log n) however
 * many requests n are cached (`npm run bench` measures it); forgetting the jobs gone from the
 * spooler's disk walks that spooler's own records only. Expired requests are dropped through the
 * index on their expiry.
 *
 * A large spooler's report comes in pages (spool-jobs.ts, REPORT_PAGE_JOBS): the pages before the
 * last are staged, and the last applies the whole report in one transaction.
 *
 * Idempotent: a report or cleaning run is applied once, keyed by its id (the workflow's); applying
 * it again returns what it did the first time and changes nothing, so an activity retried after a
 * crash neither renews a TTL twice nor sends other commands. Times come from the caller (the
 * workflow's clock), never from this host's clock, so Temporal's time skipping moves them too.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { planCleaningRun } from '../../machines/spoolcleaning/cleaning-run';
import { decideOnReport, type Orphan, type ReportDecision } from '../../machines/spoolcleaning/report-decision';
import type { JobState, SpoolCleaningConfig } from '../../machines/spoolcleaning/spool-cleaning-config';
import { compareJobIds, type ControllerJob, type DeleteRequest, type ReportedJob, type SpoolerReport } from '../../machines/spoolcleaning/spool-jobs';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS delete_requests (
  spooler TEXT NOT NULL, job_id TEXT NOT NULL, requested_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, reissued INTEGER NOT NULL,
  PRIMARY KEY (spooler, job_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delete_requests_by_expiry ON delete_requests (expires_at);
CREATE TABLE IF NOT EXISTS controller_jobs (
  spooler TEXT NOT NULL, job_id TEXT NOT NULL, state TEXT NOT NULL, submitted_at INTEGER NOT NULL, delete_requested_at INTEGER,
  PRIMARY KEY (spooler, job_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS controller_jobs_not_requested ON controller_jobs (submitted_at) WHERE delete_requested_at IS NULL;
CREATE TABLE IF NOT EXISTS orphans (
  spooler TEXT NOT NULL, job_id TEXT NOT NULL, reason TEXT NOT NULL, action TEXT NOT NULL, found_at INTEGER NOT NULL,
  PRIMARY KEY (spooler, job_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS applied (id TEXT PRIMARY KEY, at INTEGER NOT NULL, outcome TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS applied_by_time ON applied (at);
CREATE TABLE IF NOT EXISTS staged_report_jobs (
  report_id TEXT NOT NULL, spooler TEXT NOT NULL, job_id TEXT NOT NULL, state TEXT NOT NULL, submitted_at INTEGER NOT NULL, staged_at INTEGER NOT NULL,
  PRIMARY KEY (report_id, job_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS staged_report_jobs_by_time ON staged_report_jobs (staged_at);
`;

/** How long the ids of applied reports and runs are kept: far beyond any retry of their activity. */
const APPLIED_KEPT_MS = 30 * 24 * 3_600_000;
/**
 * How long the pages of a report that was never applied are kept (its spooler went away between
 * pages, so the loop missed the report): long past any retry of the report's activities.
 */
const STAGED_KEPT_MS = 24 * 3_600_000;
/** What the write-ahead log file is cut back to after a checkpoint. */
const WAL_KEPT_BYTES = 16 * 1024 * 1024;

interface RequestRow { spooler: string; job_id: string; requested_at: number; expires_at: number; reissued: number }
interface ControllerJobRow { spooler: string; job_id: string; state: JobState; submitted_at: number; delete_requested_at: number | null }
interface StagedJobRow { job_id: string; state: JobState; submitted_at: number }
interface OrphanRow { spooler: string; job_id: string; reason: Orphan['reason']; action: Orphan['action']; found_at: number }

/** A cleaning run's outcome names at most this many of its requests (its count says all), a report's outcome as many orphans. */
export const REQUESTS_NAMED = 200;

/**
 * What a cleaning run did. It is the activity's result, in the scheduled run's history, and kept
 * for a retry of the run: a first run over a large estate asks for many thousands of jobs, which
 * would pass Temporal's payload limit, so it names the first REQUESTS_NAMED and counts them all.
 */
export interface CleaningRunOutcome {
  at: number;
  /** The first requests the run cached (all of them when there are at most REQUESTS_NAMED). */
  requested: DeleteRequest[];
  requestedCount: number;
  /** Requests dropped because their TTL had passed. */
  expired: number;
  /** Spoolers the configuration no longer lists, whose records the run dropped. */
  spoolersForgotten?: string[];
}

/**
 * What a report did, as the reporting loop needs it and a retry of the report gets it again: the
 * delete commands to send, how many requests were renewed and reissued, the orphans found. The
 * decision's records (every reported job, the requests written) stay in the store: carried in the
 * result they would add a third copy of the report to the loop's history, and a copy to the store
 * for every report.
 */
export interface ReportOutcome {
  deleteCommands: string[];
  /** The commanded jobs as listed (report-decision.ts); absent in outcomes stored before it was kept. */
  asListed?: ReportedJob[];
  /** Jobs whose command waits for the next report (report-decision.ts, DELETE_COMMANDS_PER_REPORT). */
  deferred: number;
  renewed: number;
  reissued: number;
  /** The first REQUESTS_NAMED orphans found (a spooler full of overdue jobs finds thousands). */
  orphans: Orphan[];
  orphanCount: number;
  /**
   * The first IMPLAUSIBLE_NAMED jobs listed with a submission time that cannot be true, kept
   * (report-decision.ts), and how many there were; absent in outcomes stored before.
   */
  implausible?: ReportedJob[];
  implausibleCount?: number;
}

/** A report's outcome names at most this many jobs with an implausible submission time (the loop's status shows them). */
export const IMPLAUSIBLE_NAMED = 20;

/** The store's content for `spoolflow cleaning status`. */
export interface StoreSnapshot {
  requests: DeleteRequest[];
  orphans: Orphan[];
  controllerJobs: ControllerJob[];
}

const toRequest = (r: RequestRow): DeleteRequest => ({ jobId: r.job_id, spooler: r.spooler, requestedAt: r.requested_at, expiresAt: r.expires_at, reissued: r.reissued === 1 });
const toControllerJob = (r: ControllerJobRow): ControllerJob => ({ jobId: r.job_id, spooler: r.spooler, state: r.state, submittedAt: r.submitted_at, deleteRequestedAt: r.delete_requested_at });
const toOrphan = (r: OrphanRow): Orphan => ({ jobId: r.job_id, spooler: r.spooler, reason: r.reason, action: r.action, foundAt: r.found_at });

/** Everything the store holds, in (spooler, job id) order. */
function snapshotOf(db: Database.Database): StoreSnapshot {
  return {
    requests: (db.prepare('SELECT * FROM delete_requests ORDER BY spooler, job_id').all() as RequestRow[]).map(toRequest),
    orphans: (db.prepare('SELECT * FROM orphans ORDER BY spooler, job_id').all() as OrphanRow[]).map(toOrphan),
    controllerJobs: (db.prepare('SELECT * FROM controller_jobs ORDER BY spooler, job_id').all() as ControllerJobRow[]).map(toControllerJob),
  };
}

/**
 * The store's content read without writing a byte, for the operator's `spoolflow cleaning status`
 * beside the running central worker (its only writer): the file must exist, no table is created.
 */
export function readStoreSnapshot(file: string): StoreSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return snapshotOf(db);
  } finally {
    db.close();
  }
}

function outcomeOf(decision: ReportDecision): ReportOutcome {
  const reissued = decision.putRequests.filter((r) => r.reissued).length;
  return {
    deleteCommands: decision.deleteCommands,
    ...(decision.asListed ? { asListed: decision.asListed } : {}),
    deferred: decision.deferred ?? 0,
    renewed: decision.putRequests.length - reissued,
    reissued,
    orphans: decision.orphans.slice(0, REQUESTS_NAMED),
    orphanCount: decision.orphans.length,
    ...(decision.implausible?.length ? { implausible: decision.implausible.slice(0, IMPLAUSIBLE_NAMED), implausibleCount: decision.implausible.length } : {}),
  };
}

/**
 * A report's outcome as stored, in today's shape: a report applied before the outcome was cut to
 * what the loop needs stored the whole decision (no `renewed`), and one applied before commands
 * were deferred or orphans counted has neither count; a retry of it gets the same commands.
 */
function asReportOutcome(stored: ReportOutcome | ReportDecision): ReportOutcome {
  if ('putRequests' in stored) return outcomeOf(stored);
  return { ...stored, deferred: stored.deferred ?? 0, orphanCount: stored.orphanCount ?? stored.orphans.length };
}

export class DeleteRequestStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** Opens the store's file, creating it and its tables when missing. */
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // The write-ahead log keeps the size of its largest transaction (a large report) once checkpointed: cut it back.
    this.db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Applies one spooler report (decideOnReport) and returns what it did: the delete commands to
   * send, the requests renewed and reissued, the orphans. Applied once per `reportId`.
   */
  applyReport(reportId: string, lastPage: SpoolerReport, config: SpoolCleaningConfig): ReportOutcome {
    const outcome = this.once<ReportOutcome | ReportDecision>(reportId, lastPage.at, () => {
      const report = this.withStagedPages(reportId, lastPage);
      const requests = new Map<string, DeleteRequest>();
      const controllerJobs = new Map<string, ControllerJob>();
      const getRequest = this.stmt('SELECT * FROM delete_requests WHERE spooler = ? AND job_id = ?');
      const getJob = this.stmt('SELECT * FROM controller_jobs WHERE spooler = ? AND job_id = ?');
      for (const { jobId } of report.jobs) {
        const request = getRequest.get(report.spooler, jobId) as RequestRow | undefined;
        if (request) requests.set(jobId, toRequest(request));
        const job = getJob.get(report.spooler, jobId) as ControllerJobRow | undefined;
        if (job) controllerJobs.set(jobId, toControllerJob(job));
      }
      const decision = decideOnReport(report, { requests, controllerJobs }, config);
      const drop = this.stmt('DELETE FROM delete_requests WHERE spooler = ? AND job_id = ?');
      for (const jobId of decision.dropRequests) drop.run(report.spooler, jobId);
      for (const request of decision.putRequests) this.putRequest(request);
      const putJob = this.stmt(
        `INSERT INTO controller_jobs (spooler, job_id, state, submitted_at, delete_requested_at) VALUES (@spooler, @jobId, @state, @submittedAt, @deleteRequestedAt)
         ON CONFLICT (spooler, job_id) DO UPDATE SET state = excluded.state, submitted_at = excluded.submitted_at, delete_requested_at = excluded.delete_requested_at`,
      );
      for (const job of decision.putControllerJobs) putJob.run(job);
      const putOrphan = this.stmt(
        `INSERT INTO orphans (spooler, job_id, reason, action, found_at) VALUES (@spooler, @jobId, @reason, @action, @foundAt)
         ON CONFLICT (spooler, job_id) DO NOTHING`,
      );
      for (const orphan of decision.orphans) if (orphan.action === 'reported') putOrphan.run(orphan);
      this.forgetJobsGoneFrom(report);
      this.stmt('DELETE FROM staged_report_jobs WHERE report_id = ? OR staged_at < ?').run(reportId, report.at - STAGED_KEPT_MS);
      return outcomeOf(decision);
    });
    return asReportOutcome(outcome);
  }

  /**
   * Keeps one page of a report until the report is whole (applyReport with its last page): a
   * page staged again (a retried activity) replaces itself. Nothing is decided before the last
   * page, so a report whose spooler goes away between pages changes nothing; its pages go after
   * STAGED_KEPT_MS.
   */
  stageReportPage(reportId: string, spooler: string, at: number, jobs: readonly ReportedJob[]): void {
    const put = this.stmt(
      `INSERT INTO staged_report_jobs (report_id, spooler, job_id, state, submitted_at, staged_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (report_id, job_id) DO UPDATE SET state = excluded.state, submitted_at = excluded.submitted_at`,
    );
    this.db.transaction(() => {
      for (const job of jobs) put.run(reportId, spooler, job.jobId, job.state, job.submittedAt, at);
    })();
  }

  /** The whole report: the pages staged for it, then its last page, in job id order. */
  private withStagedPages(reportId: string, lastPage: SpoolerReport): SpoolerReport {
    const staged = this.stmt('SELECT job_id, state, submitted_at FROM staged_report_jobs WHERE report_id = ? AND spooler = ?').all(reportId, lastPage.spooler) as StagedJobRow[];
    if (staged.length === 0) return lastPage;
    const byId = new Map<string, ReportedJob>(staged.map((r) => [r.job_id, { jobId: r.job_id, state: r.state, submittedAt: r.submitted_at }]));
    for (const job of lastPage.jobs) byId.set(job.jobId, job);
    return { ...lastPage, jobs: [...byId.values()].sort((a, b) => compareJobIds(a.jobId, b.jobId)) };
  }

  /**
   * The controller's record of a spooler is what the spooler reports: a job no longer on its disk
   * (deleted on a command, removed by the spooler or by hand) is forgotten, and so is its listed
   * orphan, else both tables would keep every job ever reported. Walks only this spooler's rows
   * (the primary key's prefix): a report still costs what its spooler's jobs cost. A job reported
   * again later is a new job to the controller, which the cleaning may ask to delete once more.
   */
  private forgetJobsGoneFrom(report: SpoolerReport): void {
    const reported = JSON.stringify(report.jobs.map((job) => job.jobId));
    // A report that stopped at `listedThrough` says nothing of the jobs after it: those stay.
    const through = report.listedThrough ?? null;
    for (const table of ['controller_jobs', 'orphans']) {
      this.stmt(`DELETE FROM ${table} WHERE spooler = ? AND (? IS NULL OR job_id <= ?) AND job_id NOT IN (SELECT value FROM json_each(?))`).run(report.spooler, through, through, reported);
    }
  }

  /** Drops the jobs a spooler deleted from the operator's list of orphans (they are orphans no more). */
  jobsDeleted(spooler: string, jobIds: readonly string[]): void {
    const drop = this.stmt('DELETE FROM orphans WHERE spooler = ? AND job_id = ?');
    this.db.transaction(() => jobIds.forEach((jobId) => drop.run(spooler, jobId)))();
  }

  /**
   * One run of the cleaning at `at`: forgets the spoolers no longer configured, drops the expired
   * requests, then caches a request for every job the controller knows, has not asked to delete
   * yet, and the rule allows deleting.
   */
  runCleaning(runId: string, at: number, config: SpoolCleaningConfig): CleaningRunOutcome {
    return this.once(runId, at, () => {
      const spoolersForgotten = this.forgetSpoolersNotIn(config.spoolers);
      const expired = this.stmt('DELETE FROM delete_requests WHERE expires_at <= ?').run(at).changes;
      const candidates = (this.stmt('SELECT * FROM controller_jobs WHERE delete_requested_at IS NULL').all() as ControllerJobRow[]).map(toControllerJob);
      const { requests } = planCleaningRun(candidates, config.cleaning.rule, config.YmqProxyOptions.DeleteJobCandidateExpirationTime, at);
      const mark = this.stmt('UPDATE controller_jobs SET delete_requested_at = ? WHERE spooler = ? AND job_id = ?');
      for (const request of requests) {
        this.putRequest(request);
        mark.run(at, request.spooler, request.jobId);
      }
      return { at, requested: requests.slice(0, REQUESTS_NAMED), requestedCount: requests.length, expired, ...(spoolersForgotten.length > 0 ? { spoolersForgotten } : {}) };
    });
  }

  /**
   * Drops everything the store holds of spoolers the configuration no longer lists (their
   * reporting loops were ended when they left it): their jobs, requests and orphans would
   * otherwise stay for ever, and the cleaning would keep asking to delete jobs no report will
   * ever confirm. A spooler listed again starts afresh: its next report tells the controller its
   * jobs, and the cleaning asks for the deletable ones once more.
   */
  private forgetSpoolersNotIn(spoolers: readonly string[]): string[] {
    const listed = JSON.stringify(spoolers);
    const gone = (this.stmt('SELECT DISTINCT spooler FROM controller_jobs WHERE spooler NOT IN (SELECT value FROM json_each(?)) ORDER BY spooler').all(listed) as { spooler: string }[]).map((r) => r.spooler);
    for (const table of ['controller_jobs', 'delete_requests', 'orphans', 'staged_report_jobs']) {
      this.stmt(`DELETE FROM ${table} WHERE spooler NOT IN (SELECT value FROM json_each(?))`).run(listed);
    }
    return gone;
  }

  /** The requests cached for these jobs of a spooler (looked up by key). */
  requestsFor(spooler: string, jobIds: readonly string[]): DeleteRequest[] {
    const get = this.stmt('SELECT * FROM delete_requests WHERE spooler = ? AND job_id = ?');
    return jobIds.flatMap((jobId) => {
      const row = get.get(spooler, jobId) as RequestRow | undefined;
      return row ? [toRequest(row)] : [];
    });
  }

  requestCount(): number {
    return (this.stmt('SELECT count(*) AS n FROM delete_requests').get() as { n: number }).n;
  }

  /** Everything, for the operator's status (not for the reports' path). */
  snapshot(): StoreSnapshot {
    return snapshotOf(this.db);
  }

  /** Caches requests as given (a bench or a migration fills the cache this way). */
  putRequests(requests: readonly DeleteRequest[]): void {
    this.db.transaction(() => requests.forEach((request) => this.putRequest(request)))();
  }

  private putRequest(request: DeleteRequest): void {
    this.stmt(
      `INSERT INTO delete_requests (spooler, job_id, requested_at, expires_at, reissued) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (spooler, job_id) DO UPDATE SET requested_at = excluded.requested_at, expires_at = excluded.expires_at, reissued = excluded.reissued`,
    ).run(request.spooler, request.jobId, request.requestedAt, request.expiresAt, request.reissued ? 1 : 0);
  }

  /**
   * Runs `apply` in one write transaction, once per id: again, it returns the first outcome. The
   * ids older than APPLIED_KEPT_MS go in the same transaction (by the index on their time), so the
   * table is bounded by reports and runs of that long, whether or not the cleaning's schedule runs.
   */
  private once<T>(id: string, at: number, apply: () => T): T {
    return this.db.transaction(() => {
      const done = this.stmt('SELECT outcome FROM applied WHERE id = ?').get(id) as { outcome: string } | undefined;
      if (done) return JSON.parse(done.outcome) as T;
      const outcome = apply();
      this.stmt('INSERT INTO applied (id, at, outcome) VALUES (?, ?, ?)').run(id, at, JSON.stringify(outcome));
      this.stmt('DELETE FROM applied WHERE at < ?').run(at - APPLIED_KEPT_MS);
      return outcome;
    }).immediate();
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
