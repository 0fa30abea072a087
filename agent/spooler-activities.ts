/**
 * A spooler's side of the spool cleaning on a real host's agent (docs/spool-cleaning.md#where-each-part-runs):
 * `listSpooledJobsPage` lists the job folders of the configured spool folder a page at a time
 * (`reportSpooledJobs` all at once, for reporting loops begun before pages), `deleteSpooledJobs`
 * removes the job folders the Job Service commands, with the production activities
 * (activities/spoolcleaning/spool-cleaning-activities.ts), which check every job id before it
 * becomes a path, so a command cannot reach outside the spool folder.
 *
 * Refused, non-retryably and before anything is touched: any of them on an agent without
 * `spoolFolder` in its configuration, a request for another spooler than this host, and a spool
 * folder that is not there (a report of no jobs would hide the mistake). Every refusal names why.
 */
import { existsSync, statSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { createSpoolerActivities, type SpoolerActivities } from '../activities/spoolcleaning/spool-cleaning-activities';
import { SpoolFolder } from '../activities/spoolcleaning/spool-folder';
import { sameName } from '../machines/core/names';
import type { AgentConfig } from './agent-config';
import { agentLocalPath } from './agent-machine';

/** Why this agent refuses a step: the caller wraps it as the agent's refusal (OutsideAgentConfigError). */
type Refuse = (message: string) => ApplicationFailure;

/** What a spooler's activity is asked for: the spooler it names. */
function spoolerOf(input: unknown): unknown {
  return (input as { spooler?: unknown } | null)?.spooler;
}

/** The spool cleaning's spooler activities of this host, or refusals when it has no spool folder. */
export function createAgentSpoolerActivities(config: AgentConfig, refuse: Refuse, log: (line: string) => void): SpoolerActivities {
  const spoolFolder = config.spoolFolder;
  const local = spoolFolder === undefined ? undefined : agentLocalPath(config)(spoolFolder);
  const activities = createSpoolerActivities({
    folderOf: () => new SpoolFolder(local ?? ''),
    audit: (entry) => log(`${entry.operation} ${entry.target}: ${entry.outcome}`),
  });
  const check = (input: unknown): void => {
    if (spoolFolder === undefined || local === undefined) {
      throw refuse('this agent has no spoolFolder in its configuration, so it serves no spool cleaning report or delete command');
    }
    const spooler = spoolerOf(input);
    if (typeof spooler === 'string' && !sameName(spooler, config.host)) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${config.host}, not ${spooler}: refusing to report or delete jobs of another spooler`, 'InvalidEffectError');
    }
    if (!existsSync(local) || !statSync(local).isDirectory()) {
      throw refuse(`the spool folder "${spoolFolder}" (spoolFolder) is not a folder on this host: correct spoolFolder`);
    }
  };
  return {
    reportSpooledJobs: async (input) => {
      check(input);
      return activities.reportSpooledJobs(input);
    },
    listSpooledJobsPage: async (input) => {
      check(input);
      return activities.listSpooledJobsPage(input);
    },
    deleteSpooledJobs: async (input) => {
      check(input);
      return activities.deleteSpooledJobs(input);
    },
  };
}
