/**
 * A model of the spool cleaning for the pure tests: the Job Service's cache and the controller's
 * records as Maps, and spoolers as sets of jobs on disk that can be disconnected. It applies the
 * pure decisions (machines/spoolcleaning/) exactly as the durable store does with SQL, and records
 * every deletion, so tests can check what was deleted, when, and under which rule.
 */
import { planCleaningRun } from '../../machines/spoolcleaning/cleaning-run';
import { decideOnReport, type Orphan, type ReportDecision } from '../../machines/spoolcleaning/report-decision';
import type { JobState, SpoolCleaningConfig } from '../../machines/spoolcleaning/spool-cleaning-config';
import type { ControllerJob, DeleteRequest, ReportedJob } from '../../machines/spoolcleaning/spool-jobs';

export interface Deletion {
  jobId: string;
  spooler: string;
  at: number;
  /** The job as it was on disk when deleted. */
  job: ReportedJob;
}

export class SpoolCleaningModel {
  readonly requests = new Map<string, DeleteRequest>();
  readonly controllerJobs = new Map<string, ControllerJob>();
  readonly orphans = new Map<string, Orphan>();
  readonly disks = new Map<string, Map<string, ReportedJob>>();
  readonly connected = new Map<string, boolean>();
  readonly deletions: Deletion[] = [];
  readonly deleteCommandsSent: { jobId: string; at: number; delivered: boolean }[] = [];

  constructor(readonly config: SpoolCleaningConfig) {
    for (const spooler of config.spoolers) {
      this.disks.set(spooler, new Map());
      this.connected.set(spooler, true);
    }
  }

  submit(spooler: string, jobId: string, state: JobState, submittedAt: number): void {
    this.disk(spooler).set(jobId, { jobId, state, submittedAt });
  }

  setState(spooler: string, jobId: string, state: JobState): void {
    const job = this.disk(spooler).get(jobId);
    if (job) job.state = state;
  }

  cleaningRun(now: number): DeleteRequest[] {
    for (const [jobId, request] of this.requests) if (request.expiresAt <= now) this.requests.delete(jobId);
    const { requests } = planCleaningRun([...this.controllerJobs.values()], this.config.cleaning.rule, this.config.YmqProxyOptions.DeleteJobCandidateExpirationTime, now);
    for (const request of requests) {
      this.requests.set(request.jobId, request);
      this.controllerJobs.set(request.jobId, { ...this.controllerJobs.get(request.jobId)!, deleteRequestedAt: now });
    }
    return requests;
  }

  /**
   * The spooler reports what is on its disk; the decision is applied; the commands reach it unless
   * it is disconnected (or `disconnectBeforeCommand`: it goes away between report and command).
   */
  report(spooler: string, now: number, opts: { disconnectBeforeCommand?: boolean } = {}): ReportDecision | undefined {
    if (!this.connected.get(spooler)) return undefined;
    const jobs = [...this.disk(spooler).values()].map((job) => ({ ...job }));
    const ids = jobs.map((job) => job.jobId);
    const decision = decideOnReport(
      { spooler, at: now, jobs },
      { requests: pick(this.requests, ids), controllerJobs: pick(this.controllerJobs, ids) },
      this.config,
    );
    for (const jobId of decision.dropRequests) this.requests.delete(jobId);
    for (const request of decision.putRequests) this.requests.set(request.jobId, request);
    for (const job of decision.putControllerJobs) this.controllerJobs.set(job.jobId, job);
    for (const orphan of decision.orphans) if (orphan.action === 'reported') this.orphans.set(orphan.jobId, orphan);
    // As the store: the controller's record of the spooler is what it reported (gone jobs forgotten, with their listed orphans).
    for (const [jobId, job] of this.controllerJobs) if (job.spooler === spooler && !ids.includes(jobId)) this.controllerJobs.delete(jobId);
    for (const [jobId, orphan] of this.orphans) if (orphan.spooler === spooler && !ids.includes(jobId)) this.orphans.delete(jobId);
    if (opts.disconnectBeforeCommand) this.connected.set(spooler, false);
    for (const jobId of decision.deleteCommands) this.deliver(spooler, jobId, now);
    return decision;
  }

  private deliver(spooler: string, jobId: string, now: number): void {
    const delivered = this.connected.get(spooler) === true;
    this.deleteCommandsSent.push({ jobId, at: now, delivered });
    if (!delivered) return;
    const job = this.disk(spooler).get(jobId);
    // A command for a job already gone deletes nothing: a repeated command is harmless.
    if (!job) return;
    this.disk(spooler).delete(jobId);
    this.orphans.delete(jobId);
    this.deletions.push({ jobId, spooler, at: now, job: { ...job } });
  }

  private disk(spooler: string): Map<string, ReportedJob> {
    const disk = this.disks.get(spooler);
    if (!disk) throw new Error(`no spooler ${spooler} in the model`);
    return disk;
  }
}

function pick<T>(map: Map<string, T>, ids: string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const id of ids) {
    const value = map.get(id);
    if (value !== undefined) found.set(id, value);
  }
  return found;
}
