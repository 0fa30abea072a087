/**
 * The spool cleaning of the simulated estate: the Job Service's worker (its durable store at
 * `<data dir>/sim/job-service.sqlite`) and one agent per simulated spooler on the spooler's task
 * queue, running the production activities over the spooler's folder in the data folder. A
 * disconnected spooler's agent refuses as an unreachable spooler would; one set to disconnect
 * before its next command still reports, and goes away as that command comes, before receiving it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { DeleteRequestStore } from '../../activities/spoolcleaning/delete-request-store';
import {
  createCentralSpoolCleaningActivities,
  createSpoolerActivities,
  type DeleteCommand,
  type SpoolCleaningAuditEntry,
} from '../../activities/spoolcleaning/spool-cleaning-activities';
import { parseInput } from '../../machines/core/input-errors';
import { spoolCleaningConfigSchema, type SpoolCleaningConfigInput } from '../../machines/spoolcleaning/spool-cleaning-config';
import type { SpooledJobsPageRequest } from '../../machines/spoolcleaning/spool-jobs';
import { ensureSpoolCleaning } from '../../client/spool-cleaning';
import { JOB_SERVICE_TASK_QUEUE, SPOOL_CLEANING_SCHEDULE_ID } from '../../workflows/spoolcleaning/spool-cleaning-names';
import { hostTaskQueue } from '../../workflows/task-queues';
import type { AgentConnection, RunningAgent } from '../spoc/sim-host-agents';
import { SimSpoolers } from './sim-spoolers';

/** The store of the simulated Job Service. */
export function simJobServiceFile(simDir: string): string {
  return path.join(simDir, 'job-service.sqlite');
}

const HOUR = 3_600_000;

/**
 * The configuration `npm start` keeps the schedule in step with: the product's options, shortened
 * so the simulated estate shows reports, commands and expiries within minutes.
 */
export const SIM_SPOOL_CLEANING_CONFIG: SpoolCleaningConfigInput = {
  spoolers: ['spl-lon-1', 'spl-prg-1'],
  StatusReportingOptions: { ReportingInterval: '00:01:00', MaxJitter: '00:00:15' },
  YmqProxyOptions: { DeleteJobCandidateExpirationTime: '00:10:00' },
  cleaning: { cron: '*/2 * * * *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }, { state: 'failed', olderThan: '1.00:00:00' }, { state: 'waiting', olderThan: '7.00:00:00' }] },
  orphans: { healing: 'report', overdueAfter: '00:30:00' },
};

/** Creates the spoolers of the configuration, each with a few jobs the first time: some old enough to clean, some not. */
export function seedSimSpoolers(spoolers: SimSpoolers, names: readonly string[], now = Date.now()): void {
  for (const spooler of names) {
    if (!spoolers.ensure(spooler)) continue;
    spoolers.putJob(spooler, `${spooler}-printed-old`, 'printed', now - 3 * 24 * HOUR);
    spoolers.putJob(spooler, `${spooler}-failed-old`, 'failed', now - 2 * 24 * HOUR);
    spoolers.putJob(spooler, `${spooler}-printed-new`, 'printed', now - HOUR);
    spoolers.putJob(spooler, `${spooler}-waiting`, 'waiting', now - 2 * 24 * HOUR);
    spoolers.putJob(spooler, `${spooler}-printing`, 'printing', now - 9 * 24 * HOUR);
  }
}

/** The production activities of a simulated spooler's agent, held to its connection in the data folder. */
export function simSpoolerActivities(spoolers: SimSpoolers) {
  const audit = (entry: SpoolCleaningAuditEntry) => spoolers.note(entry.spooler, entry.operation, entry.target, entry.outcome);
  const activities = createSpoolerActivities({ folderOf: (s) => spoolers.folder(s), reachable: (s) => spoolers.connection(s).connected, audit });
  return {
    ...activities,
    async reportSpooledJobs(input: { spooler: string }) {
      const jobs = await activities.reportSpooledJobs(input);
      spoolers.note(input.spooler, 'report', `${jobs.length} jobs`, 'sent');
      return jobs;
    },
    async listSpooledJobsPage(input: SpooledJobsPageRequest) {
      const page = await activities.listSpooledJobsPage(input);
      // A report is sent once its first page is: the record counts reports, not pages.
      if (input.after === null) spoolers.note(input.spooler, 'report', `${page.jobs.length}${page.more ? '+' : ''} jobs`, 'sent');
      return page;
    },
    async deleteSpooledJobs(input: DeleteCommand) {
      if (spoolers.connection(input.spooler).disconnectBeforeCommand) spoolers.disconnect(input.spooler);
      spoolers.reprintIfDue(input.spooler, input.jobIds);
      try {
        return await activities.deleteSpooledJobs(input);
      } catch (err) {
        spoolers.note(input.spooler, 'delete-command', input.jobIds.join(' '), 'not-received');
        throw err;
      }
    },
  };
}

export interface SimSpoolCleaningWorkers {
  workers: RunningAgent[];
  store: DeleteRequestStore;
  spoolers: SimSpoolers;
}

/** The Job Service's worker and the spoolers' agents, not yet running. */
export async function createSimSpoolCleaningWorkers(conn: AgentConnection, simDir: string, names: readonly string[]): Promise<SimSpoolCleaningWorkers> {
  const spoolers = new SimSpoolers(simDir);
  seedSimSpoolers(spoolers, names);
  const store = new DeleteRequestStore(simJobServiceFile(simDir));
  const audit = (entry: SpoolCleaningAuditEntry) => spoolers.note(entry.spooler, entry.operation, entry.target, entry.outcome);
  const jobService = await Worker.create({ ...conn, taskQueue: JOB_SERVICE_TASK_QUEUE, activities: createCentralSpoolCleaningActivities({ store, audit }) });
  const agents = await Promise.all(
    names.map((spooler) => Worker.create({ ...conn, taskQueue: hostTaskQueue(spooler), activities: simSpoolerActivities(spoolers), maxConcurrentActivityTaskExecutions: 4 })),
  );
  return { workers: [jobService, ...agents], store, spoolers };
}

/** False when SPOOLFLOW_SPOOL_CLEANING=off: `npm start` then runs no spool cleaning. */
export function spoolCleaningWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SPOOLFLOW_SPOOL_CLEANING?.trim().toLowerCase() !== 'off';
}

/**
 * The configuration of the simulated spool cleaning: the file SPOOLFLOW_SPOOL_CLEANING_CONFIG names
 * (JSON, validated: a bad one stops the start naming the key), else {@link SIM_SPOOL_CLEANING_CONFIG}.
 */
export function simSpoolCleaningConfig(env: NodeJS.ProcessEnv = process.env): SpoolCleaningConfigInput {
  const file = env.SPOOLFLOW_SPOOL_CLEANING_CONFIG?.trim();
  if (!file) return SIM_SPOOL_CLEANING_CONFIG;
  const config = JSON.parse(readFileSync(file, 'utf8')) as SpoolCleaningConfigInput;
  parseInput(spoolCleaningConfigSchema, `spool cleaning configuration ${file}`, config);
  return config;
}

/** Creates or updates the schedule and starts the spoolers' reporting loops; one line for the log. */
export async function startSimSpoolCleaning(client: Client, config: SpoolCleaningConfigInput, log: (message: string) => void): Promise<void> {
  const setUp = await ensureSpoolCleaning(client, config);
  log(
    `spool cleaning: schedule ${SPOOL_CLEANING_SCHEDULE_ID} ${setUp.schedule} (${config.cleaning?.cron ?? '0 2 * * *'}); ` +
      `reporting ${setUp.spoolers.map((s) => `${s.spooler} ${s.outcome}`).join(', ')}${setUp.ended.length > 0 ? `; ended (no longer configured) ${setUp.ended.join(', ')}` : ''}; npx spoolflow cleaning status`,
  );
}
