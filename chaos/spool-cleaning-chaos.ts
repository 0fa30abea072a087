/**
 * The spool cleaning part of a chaos run: two simulated spoolers (their agents in the agents
 * process, the Job Service with its store on the central worker), seeded with jobs the rule deletes
 * and jobs it keeps, the schedule and the reporting loops set up by `ensureSpoolCleaning` with the
 * product's times shortened (a report every 3-5 s, a request's TTL 30 s, a cleaning run every
 * minute and one triggered at the start, 8 s later and when jobs arrive). While the run goes on: spoolers
 * disconnected (now, or as their next delete command comes: the source's edge case), new jobs
 * arriving, and a printed job printed again (a state the rule keeps). At the end the spoolers are
 * reconnected and get two reports' time, the schedule is deleted and the loops terminated (the
 * next run sets up its own), and chaos/spool-cleaning-invariants.ts judges the record.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ensureSpoolCleaning } from '../client/spool-cleaning';
import { readOperationRecord } from '../simulator/core/operation-record';
import { SimSpoolers } from '../simulator/spoolcleaning/sim-spoolers';
import { spoolCleaningConfigSchema, type JobState, type SpoolCleaningConfigInput } from '../machines/spoolcleaning/spool-cleaning-config';
import { SPOOL_CLEANING_RUN_WORKFLOW, SPOOL_CLEANING_SCHEDULE_ID, spoolerReportingWorkflowId } from '../workflows/spoolcleaning/spool-cleaning-names';
import { PassingFaults, pick, retrying, sleep, type ChaosSystem } from './chaos-system';
import type { InvariantBreak } from './invariants';
import { spoolCleaningBreaks, type SpooledJob } from './spool-cleaning-invariants';

export const CHAOS_SPOOLERS = ['spl-lon-1', 'spl-prg-1'] as const;

const CONFIG: SpoolCleaningConfigInput = {
  spoolers: [...CHAOS_SPOOLERS],
  StatusReportingOptions: { ReportingInterval: '00:00:03', MaxJitter: '00:00:02' },
  YmqProxyOptions: { DeleteJobCandidateExpirationTime: '00:00:30' },
  cleaning: { cron: '* * * * *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }, { state: 'failed', olderThan: '1.00:00:00' }, { state: 'waiting', olderThan: '7.00:00:00' }] },
  orphans: { healing: 'report', overdueAfter: '00:30:00' },
};
const HOUR = 3_600_000;
/** The seed of each spooler: name, state, age in hours (deletable: printed and failed past a day, waiting past a week; never printing). */
const SEED: [string, JobState, number][] = [
  ['printed-old', 'printed', 72],
  ['failed-old', 'failed', 48],
  ['printed-new', 'printed', 1],
  ['waiting', 'waiting', 48],
  ['waiting-old', 'waiting', 200],
  ['printing', 'printing', 216],
  ['reprinted', 'printed', 30],
];
const FAULTS_PER_RUN = 6;

type Rng = () => number;

export class SpoolCleaningChaos implements ChaosSystem {
  readonly name = 'spoolcleaning';
  faults = 0;
  private readonly spoolers: SimSpoolers;
  private readonly spooled: SpooledJob[] = [];
  private readonly passing = new PassingFaults();
  private nextEventAt = 0;
  private secondRunAt = 0;
  private arrived = 0;

  constructor(
    private readonly client: () => Client,
    simDir: string,
    private readonly rng: Rng,
    private readonly log: (line: string) => void,
  ) {
    this.spoolers = new SimSpoolers(simDir);
    // Before the agents start: they serve the spoolers that exist.
    const now = Date.now();
    for (const spooler of CHAOS_SPOOLERS) {
      this.spoolers.ensure(spooler);
      for (const [name, state, hours] of SEED) this.put(spooler, `${spooler}-${name}`, state, now - hours * HOUR);
    }
  }

  private put(spooler: string, jobId: string, state: JobState, submittedAt: number): void {
    this.spoolers.putJob(spooler, jobId, state, submittedAt);
    this.spooled.push({ spooler, jobId, state, submittedAt, at: Date.now() });
  }

  async start(): Promise<void> {
    await retrying(() => ensureSpoolCleaning(this.client(), CONFIG));
    await this.trigger();
    this.secondRunAt = Date.now() + 8000;
    this.nextEventAt = Date.now() + 2000 + this.rng() * 4000;
  }

  /** A cleaning run now (the schedule's trigger), so requests are cached within seconds, not at the next minute. */
  private trigger(): Promise<void> {
    return retrying(() => this.client().schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID).trigger(), 20).catch(() => undefined);
  }

  async tick(): Promise<void> {
    for (const what of this.passing.expire()) this.log(`  spool cleaning: ${what} over`);
    // The run at the start found no job reported yet: one more once the spoolers have reported, so a short run deletes too.
    if (this.secondRunAt > 0 && Date.now() >= this.secondRunAt) {
      this.secondRunAt = 0;
      await this.trigger();
    }
    if (Date.now() < this.nextEventAt || this.faults >= FAULTS_PER_RUN) return;
    this.nextEventAt = Date.now() + 2000 + this.rng() * 6000;
    const spooler = pick(this.rng, CHAOS_SPOOLERS);
    const roll = this.rng();
    this.faults += 1;
    if (roll < 0.3) {
      // New jobs: one the rule deletes, one it keeps; the cleaning asks for the first at its next run.
      this.arrived += 1;
      this.put(spooler, `${spooler}-late-${this.arrived}-old`, 'printed', Date.now() - 50 * HOUR);
      this.put(spooler, `${spooler}-late-${this.arrived}-new`, 'failed', Date.now() - 2 * HOUR);
      this.log(`  spool cleaning: two jobs arrive on ${spooler}`);
      await this.trigger();
    } else if (roll < 0.45) {
      const job = this.spooled.find((j) => j.spooler === spooler && j.jobId === `${spooler}-reprinted`);
      if (job && this.spoolers.folder(spooler).has(job.jobId)) {
        this.put(spooler, job.jobId, 'printing', job.submittedAt);
        this.log(`  spool cleaning: ${job.jobId} printed again`);
      }
    } else if (!this.passing.has(`${spooler} away`)) {
      const beforeCommand = roll < 0.7;
      const lastsMs = 3000 + this.rng() * (beforeCommand ? 10_000 : 40_000);
      this.spoolers.disconnect(spooler, { beforeCommand });
      this.passing.add(lastsMs, `${spooler} away`, () => this.spoolers.reconnect(spooler));
      this.log(`  spool cleaning: ${spooler} disconnected${beforeCommand ? ' as its next delete command comes' : ''}, back in ${Math.round(lastsMs / 1000)} s`);
    }
  }

  async settle(): Promise<void> {
    this.passing.expire(true);
    for (const spooler of CHAOS_SPOOLERS) if (!this.spoolers.connection(spooler).connected || this.spoolers.connection(spooler).disconnectBeforeCommand) this.spoolers.reconnect(spooler);
    // Two reports of each spooler (every 3-5 s): the commands of the last decisions go out.
    await sleep(10_000);
  }

  async finish(): Promise<InvariantBreak[]> {
    const client = this.client();
    await retrying(() => client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID).delete(), 10).catch(() => undefined);
    for (const spooler of CHAOS_SPOOLERS) await this.end(spoolerReportingWorkflowId(spooler));
    const runs = await retrying(async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowType = '${SPOOL_CLEANING_RUN_WORKFLOW}' AND ExecutionStatus = 'Running'` })) ids.push(w.workflowId);
      return ids;
    }, 10).catch(() => [] as string[]);
    for (const id of runs) await this.end(id);
    const rule = spoolCleaningConfigSchema.parse(CONFIG).cleaning.rule;
    const onDiskAfter = Object.fromEntries(CHAOS_SPOOLERS.map((s) => [s, this.spoolers.folder(s).list().map((j) => j.jobId)]));
    return spoolCleaningBreaks({ record: this.spoolers.record.read(), spooled: this.spooled, rule, onDiskAfter });
  }

  private async end(workflowId: string): Promise<void> {
    await retrying(async () => {
      try {
        await this.client().workflow.getHandle(workflowId).terminate('chaos run over');
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }, 6).catch(() => undefined);
  }

  summary(): string {
    const record = readOperationRecord(this.spoolers.record.file);
    const count = (operation: string, outcome?: string) => record.filter((e) => e.operation === operation && (outcome === undefined || e.outcome === outcome)).length;
    return `spool cleaning: ${count('report', 'sent')} reports, ${count('cleaning-run')} cleaning runs, ${count('delete-job', 'deleted')} deleted, ${count('delete-command', 'not-received')} commands not received, ${count('orphan')} orphans noted, faults ${this.faults}`;
  }
}
