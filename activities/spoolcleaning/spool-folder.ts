/**
 * A spooler's jobs on its disk: one folder per job under the spool folder, named by the job id,
 * holding `job.json` (the job's state and submission time) and its spool data. Listing reads
 * `job.json` of every job folder; deleting removes the job's folder. A job id is checked before it
 * becomes a path, so a command can never reach outside the spool folder.
 *
 * A delete command comes a while after the listing it was decided on (seconds; after an outage of
 * the Job Service, hours), and the job may have changed meanwhile: printed again, released. So the
 * spooler reads the job again and deletes it only while it is as the report listed it, and never
 * while it is being printed, whoever commands it. Its spool data goes first and `job.json` last:
 * a file that cannot be removed (locked by a printer) leaves the job listed, commanded again by a
 * later report, never a folder the listing no longer sees.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { JOB_STATES } from '../../machines/spoolcleaning/spool-cleaning-config';
import { compareJobIds, jobIdSchema, type ReportedJob, type SpooledJobsPage } from '../../machines/spoolcleaning/spool-jobs';

const JOB_FILE = 'job.json';

const jobFileSchema = z.object({ state: z.enum(JOB_STATES), submittedAt: z.number().int().nonnegative() });

/**
 * What a delete command did to one job: removed its folder, or found it gone already; or kept it,
 * since it is being printed, changed since the listing, or its `job.json` cannot be read (being
 * written); or failed to remove it (a file locked), the job still listed.
 */
export type DeleteOutcome = 'deleted' | 'already-gone' | 'kept-printing' | 'kept-changed' | 'kept-unreadable' | 'failed';

/** The job as the report listed it, which the command was decided on (absent in commands from before it was sent). */
export type ListedJob = Pick<ReportedJob, 'state' | 'submittedAt'>;

export class SpoolFolder {
  constructor(readonly root: string) {}

  /** The jobs on disk, by id. A folder without a readable `job.json` is being written: not reported yet. */
  list(): ReportedJob[] {
    return this.jobIds().flatMap((jobId) => this.read(jobId));
  }

  /**
   * One page of the listing: the jobs with ids after `after` (null: from the first), at most
   * `limit`, in job id order; `more` says whether job folders after the page's last were there.
   */
  listPage(after: string | null, limit: number): SpooledJobsPage {
    const ids = this.jobIds().filter((jobId) => after === null || compareJobIds(jobId, after) > 0);
    const jobs: ReportedJob[] = [];
    let next = 0;
    while (next < ids.length && jobs.length < limit) jobs.push(...this.read(ids[next++]!));
    return { jobs, more: next < ids.length };
  }

  /** The ids of the job folders on disk, in job id order. */
  private jobIds(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && jobIdSchema.safeParse(entry.name).success)
      .map((entry) => entry.name)
      .sort(compareJobIds);
  }

  /** The job as its `job.json` says, or nothing while that is not readable. */
  private read(jobId: string): ReportedJob[] {
    try {
      const meta = jobFileSchema.parse(JSON.parse(readFileSync(path.join(this.root, jobId, JOB_FILE), 'utf8')));
      return [{ jobId, ...meta }];
    } catch {
      return [];
    }
  }

  has(jobId: string): boolean {
    return existsSync(this.folderOf(jobId));
  }

  /** Writes a job (a spooled print job arrives, or its state changes). The meta file is replaced whole. */
  write(job: ReportedJob, data = ''): void {
    const folder = this.folderOf(job.jobId);
    mkdirSync(folder, { recursive: true });
    if (data !== '' || !existsSync(path.join(folder, 'data.prn'))) writeFileSync(path.join(folder, 'data.prn'), data);
    const temp = path.join(folder, `${JOB_FILE}.tmp`);
    writeFileSync(temp, JSON.stringify({ state: job.state, submittedAt: job.submittedAt }));
    renameSync(temp, path.join(folder, JOB_FILE));
  }

  /**
   * Deletes a job's folder while the job is as `listed` (its state and submission time) and not
   * being printed; a job already gone is left so (a repeated command deletes nothing).
   */
  delete(jobId: string, listed?: ListedJob): DeleteOutcome {
    const folder = this.folderOf(jobId);
    if (!existsSync(folder)) return 'already-gone';
    const [now] = this.read(jobId);
    if (!now) {
      // An empty folder is what a delete cut off after its last file leaves: the job is gone.
      if (readdirSync(folder).length > 0) return 'kept-unreadable';
      rmdirSync(folder);
      return 'already-gone';
    }
    if (now.state === 'printing') return 'kept-printing';
    if (listed && (now.state !== listed.state || now.submittedAt !== listed.submittedAt)) return 'kept-changed';
    try {
      for (const entry of readdirSync(folder)) {
        if (entry !== JOB_FILE) rmSync(path.join(folder, entry), { recursive: true, force: true });
      }
      rmSync(path.join(folder, JOB_FILE), { force: true });
      rmdirSync(folder);
    } catch {
      return existsSync(folder) ? 'failed' : 'deleted';
    }
    return 'deleted';
  }

  private folderOf(jobId: string): string {
    return path.join(this.root, jobIdSchema.parse(jobId));
  }
}
