/**
 * The activities of a real host's agent: the production SPOC host activities, JobScheduler host
 * activities and a spooler's spool cleaning activities (spooler-activities.ts), wired to this machine (Windows' own programs run from %SystemRoot%\System32 with no
 * shell, the real disk), and held to the agent's configuration.
 *
 * A step is refused, non-retryably and before anything is touched, when it names an install folder
 * the configuration does not give this agent (`spocSiteServer.installDir`, one of
 * `jobScheduler.installs`), or asks for a role the host does not have (`spoolFolder` for the spool cleaning). The activities themselves
 * refuse steps meant for another host and protected or non-vendor services. Every refusal, and every
 * failure that halts a step, is written to the agent's log (host, action, why) as it is thrown.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isNonRetryableErrorType } from '../activities/core/non-retryable-errors';
import { createHostAgentActivities } from '../activities/spoc/spoc-host-activities';
import { createSchedulerHostActivities } from '../activities/jobscheduler/scheduler-host-activities';
import { createSchedulerActivities } from '../activities/jobscheduler/scheduler-activities';
import { SchedulerDbPool } from '../activities/jobscheduler/scheduler-db-pool';
import { createScExeServiceControl } from '../activities/windows/service-control/sc-exe-service-control';
import { createWindowsOsControl } from '../activities/windows/os-control/windows-os-control';
import { sameName } from '../machines/core/names';
import type { ActivitiesOf, FlexiSpoolerActionWord, JobSchedulerActionWord, SpocActionWord } from '../machines/actions';
import type { AgentConfig } from './agent-config';
import { agentCommandRunner, agentLocalPath } from './agent-machine';
import { allowedJobSchedulerInstall, allowedSpocInstall } from './configured-folders';
import { localMemberProcesses } from './local-member-processes';
import { createAgentSpoolerActivities } from './spooler-activities';
import type { SpoolerActivities } from '../activities/spoolcleaning/spool-cleaning-activities';

/** What the agent writes down: each change it made on the host, and why it refused a step. */
export type AgentLog = (line: string) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any effect type
type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/** `activities`, each first checked by `check` (which throws to refuse) before it runs. */
function checkedFirst<A extends Activities>(activities: A, check: (effect: unknown) => void): A {
  const checked: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    checked[name] = async (effect: unknown, ...rest: unknown[]) => {
      check(effect);
      return activity(effect, ...rest);
    };
  }
  return checked as A;
}

/** The failures by which an agent refuses a step before touching anything (the rest halt a step that did run). */
const REFUSALS: ReadonlySet<string> = new Set([
  'OutsideAgentConfigError',
  'InvalidEffectError',
  'ProtectedServiceError',
  'NotVendorServiceError',
  'UnsafeCachePathError',
  'SpocNotStoppedError',
  'OsRestartRefusedError',
  'PreflightFailedError',
]);

/** What a step asked, in the words of the log: `stop-service (step memberStopSpoc) for spoc-lon-2`. */
function askedStep(effect: unknown, activity: string): string {
  const { action, step, host } = (effect ?? {}) as { action?: unknown; step?: unknown; host?: unknown };
  const words = [typeof action === 'string' ? action : activity, ...(typeof step === 'string' ? [`(step ${step})`] : []), ...(typeof host === 'string' ? [`for ${host}`] : [])];
  return words.join(' ');
}

/**
 * `activities`, each writing to the log why it refused a step or failed it for good, as the failure
 * goes back to the workflow; a failure Temporal will retry is not a verdict yet and is not logged.
 */
function loggingRefusals<A extends Activities>(activities: A, log: AgentLog): A {
  const logged: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    logged[name] = async (effect: unknown, ...rest: unknown[]) => {
      try {
        return await activity(effect, ...rest);
      } catch (err) {
        if (err instanceof ApplicationFailure && (err.nonRetryable || isNonRetryableErrorType(err.type ?? undefined))) {
          const verdict = err.type && REFUSALS.has(err.type) ? 'refused' : 'failed for good';
          log(`${verdict} ${askedStep(effect, name)}: ${err.type ?? 'Error'}: ${err.message}`);
        }
        throw err;
      }
    };
  }
  return logged as A;
}

/** The failure of a step outside the configuration: names what was asked, the field, and what it says. */
export function outsideConfig(host: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${host}: ${message}; nothing was done`, 'OutsideAgentConfigError');
}

function installDirOf(effect: unknown): string | undefined {
  const value = (effect as { installDir?: unknown } | null)?.installDir;
  return typeof value === 'string' ? value : undefined;
}

/** The SPOC site server's activities, or refusals when the host has no such role. */
function spocActivities(config: AgentConfig, log: AgentLog): ActivitiesOf<'host', SpocActionWord> {
  const localPath = agentLocalPath(config);
  const run = agentCommandRunner(localPath);
  const activities = createHostAgentActivities({
    host: config.host,
    services: createScExeServiceControl(run),
    os: createWindowsOsControl(run),
    vendorServices: config.spocSiteServer?.vendorServices,
    // The log waits anchor to the SPOC's logs under this folder, noted when the agent starts the SPOC.
    ...(config.spocSiteServer ? { spocInstallDir: config.spocSiteServer.installDir } : {}),
    ...(config.spocSiteServer?.logLineFormat !== undefined ? { spocLogFormat: config.spocSiteServer.logLineFormat } : {}),
    localPath,
    stateDir: localPath(config.notesFolder),
    pollMs: config.pollMs,
    heartbeatEveryMs: config.heartbeatEveryMs,
    audit: (entry) => log(`${entry.operation} ${entry.target}: ${entry.outcome}`),
  });
  const site = config.spocSiteServer;
  return checkedFirst(activities, (effect) => {
    if (!site) throw outsideConfig(config.host, 'this agent has no spocSiteServer in its configuration, so it runs no SPOC step');
    const asked = installDirOf(effect);
    if (asked !== undefined && !allowedSpocInstall(site.installDir, asked)) {
      throw outsideConfig(config.host, `the install folder "${asked}" is not this site server's (spocSiteServer.installDir is "${site.installDir}")`);
    }
  }) satisfies ActivitiesOf<'host', SpocActionWord>;
}

/** The JobScheduler host's activities, or refusals when the host has no such role. */
function jobSchedulerActivities(config: AgentConfig, log: AgentLog): ActivitiesOf<'host', JobSchedulerActionWord> {
  const scheduler = config.jobScheduler;
  const localPath = agentLocalPath(config);
  const onHost = createSchedulerHostActivities({
    host: config.host,
    run: agentCommandRunner(localPath),
    localPath,
    pollMs: config.pollMs,
    audit: (entry) => log(`${entry.operation} ${entry.target} (${entry.member}): ${entry.outcome}`),
  });
  const checkedOnHost = checkedFirst(onHost, (effect) => {
    if (!scheduler) throw outsideConfig(config.host, 'this agent has no jobScheduler in its configuration, so it runs no JobScheduler step');
    const asked = installDirOf(effect);
    const os = (effect as { os?: unknown } | null)?.os;
    if (asked !== undefined && !allowedJobSchedulerInstall(scheduler.installs, os, asked)) {
      const configured = scheduler.installs.map((i) => `${i.installDir} (${i.os})`).join(', ');
      throw outsideConfig(config.host, `the JobScheduler install folder "${asked}" (${String(os)}) is not one this agent may touch (jobScheduler.installs[].installDir: ${configured})`);
    }
  });
  const databaseFolder = scheduler?.clusterDatabaseFolder;
  const terminate = databaseFolder
    ? createSchedulerActivities({ processes: localMemberProcesses(config.host), databases: new SchedulerDbPool({ folder: localPath(databaseFolder) }) }).terminateMember
    : undefined;
  const terminateMember: ActivitiesOf<'host', JobSchedulerActionWord>['terminateMember'] = async (effect) => {
    const host: unknown = (effect as { host?: unknown } | null)?.host;
    if (typeof host !== 'string') throw ApplicationFailure.nonRetryable('host: required, the host the member to end runs on (a text)', 'InvalidEffectError');
    if (!sameName(host, config.host)) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${config.host}, not ${effect.host}: refusing to act for another host`, 'InvalidEffectError');
    }
    if (!terminate) throw outsideConfig(config.host, 'ending a JobScheduler member needs its cluster database: set jobScheduler.clusterDatabaseFolder');
    return terminate(effect);
  };
  return { ...checkedOnHost, terminateMember } satisfies ActivitiesOf<'host', JobSchedulerActionWord>;
}

/**
 * A FlexiSpooler Client's steps are refused on a real agent: the vendor's client delivers its jobs
 * itself, and its protocol is not public (docs/flexispooler-failover.md#what-was-not-invented).
 */
function flexiSpoolerRefusals(config: AgentConfig): ActivitiesOf<'host', FlexiSpoolerActionWord> {
  const refuse = () => Promise.reject(outsideConfig(config.host, 'a FlexiSpooler Client delivers its jobs itself on a real estate; spoolflow runs FlexiSpooler deliveries only on the simulated network'));
  return { discoverSpoolerControllers: refuse, deliverToSpoolerController: refuse, deliverThroughPublicServer: refuse };
}

/** Every host activity, as the host task queue's worker registers them: the catalog's, and a spooler's of the spool cleaning. */
export function createAgentActivities(config: AgentConfig, log: AgentLog): ActivitiesOf<'host'> & SpoolerActivities {
  const spooler = createAgentSpoolerActivities(config, (message) => outsideConfig(config.host, message), log);
  return loggingRefusals({ ...spocActivities(config, log), ...jobSchedulerActivities(config, log), ...flexiSpoolerRefusals(config), ...spooler }, log);
}
