/**
 * The configuration file of one host's agent (`spoolflow agent --config <file>`): which host it is,
 * what it may touch there (the SPOC site server's install folder and vendor services, the
 * JobScheduler install folders, a spooler's spool folder), where it keeps its notes, and how often it polls. Validated
 * before the agent connects to anything: every error names the field and the rule, and unknown
 * fields are refused (a misspelled folder must not silently widen or narrow what the agent does).
 *
 * The Temporal connection is not here: the agent connects the way the rest of spoolflow does
 * (agent-connection.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spocLogFormat } from '../activities/spoc/spoc-log-format';
import { z } from 'zod';
import { hostNameSchema } from '../machines/core/input-rules';
import { installFolderProblem, normalInstallFolder } from '../machines/spoc/install-folder';
import { DEFAULT_VENDOR_SERVICE_PREFIXES } from '../machines/spoc/spoc-services';
import { INSTALL_DIR_RULES } from '../machines/jobscheduler/jobscheduler-cluster-input';

/** How often the agent polls a service or a log while a step waits, by default. */
export const DEFAULT_POLL_MS = 1000;

/** How often a running activity heartbeats, by default (activities/core/host-activity.ts). */
export const DEFAULT_HEARTBEAT_EVERY_MS = 2000;

/** An absolute folder of this machine (where the agent runs), not relative to whatever folder it was started in. */
function absoluteLocalFolder(what: string) {
  return z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .refine((dir) => path.isAbsolute(dir) || path.win32.isAbsolute(dir), `must be an absolute folder (${what})`)
    .refine((dir) => !dir.split(/[\\/]+/).includes('..'), 'must not contain ".."');
}

const prefixList = (what: string) => z.array(z.string().min(1, `a ${what} prefix must not be empty`)).min(1, `give at least one ${what} prefix`);

const spocSiteServerSchema = z.strictObject({
  installDir: z
    .string()
    .superRefine((dir, ctx) => {
      const problem = installFolderProblem(dir);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be an absolute Windows path: ${problem}` });
    })
    .transform(normalInstallFolder)
    .describe('The Dispatcher Paragon install folder of this site server; every step naming another folder is refused.'),
  vendorServices: z
    .strictObject({ keyPrefixes: prefixList('service key'), displayPrefixes: prefixList('display name') })
    .default({ keyPrefixes: [...DEFAULT_VENDOR_SERVICE_PREFIXES.keyPrefixes], displayPrefixes: [...DEFAULT_VENDOR_SERVICE_PREFIXES.displayPrefixes] })
    .describe("How the vendor's services are recognised (step 3's other services); default YSoft… keys, Dispatcher Paragon …/YSoft SafeQ … display names."),
  logLineFormat: z
    .string()
    .min(1, 'must not be empty')
    .superRefine((source, ctx) => {
      try {
        spocLogFormat(source);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message.replace(/^spocLogFormat: /, '') : String(err) });
      }
    })
    .optional()
    .describe('A regular expression for a line of the SPOC logs, naming (?<message>) and the time ((?<timestamp>) or year, month, day, hour, minute, second); default the log4j-style format the vendor ships.'),
});

const jobSchedulerInstallSchema = z
  .strictObject({
    os: z.enum(['unix', 'windows']),
    installDir: z.string().min(1, 'is required'),
  })
  .superRefine((install, ctx) => {
    const broken = INSTALL_DIR_RULES[install.os](install.installDir);
    if (broken !== undefined) ctx.addIssue({ code: 'custom', path: ['installDir'], message: broken });
  });

const jobSchedulerSchema = z.strictObject({
  installs: z.array(jobSchedulerInstallSchema).min(1, 'list the JobScheduler install folders this agent may touch'),
  clusterDatabaseFolder: absoluteLocalFolder('the folder of the cluster databases')
    .optional()
    .describe("The folder of the clusters' databases, where a supervisor's normal termination of a member looks up its process; without it that step is refused."),
});

export const agentConfigSchema = z
  .strictObject({
    host: hostNameSchema.describe('This host, as the procedures name it; the agent polls spoolflow-host-<host>.'),
    notesFolder: absoluteLocalFolder('the notes folder').describe('Where the agent keeps its notes (OS restart requests); must survive a reboot.'),
    spocSiteServer: spocSiteServerSchema.optional(),
    jobScheduler: jobSchedulerSchema.optional(),
    spoolFolder: absoluteLocalFolder('the spool folder')
      .optional()
      .describe("A spooler's spool folder, one folder per job (docs/spool-cleaning.md): the spool cleaning's reports list it and its delete commands remove job folders there, nowhere else; without it they are refused."),
    pollMs: z.number().int().min(50).max(60_000).default(DEFAULT_POLL_MS),
    heartbeatEveryMs: z.number().int().min(100).max(5_000).default(DEFAULT_HEARTBEAT_EVERY_MS),
    machineNameCheck: z
      .strictObject({
        skip: z.literal(true, 'must be true (leave machineNameCheck out to have the machine\'s name checked)'),
        reason: z.string().trim().min(1, 'is required: say why this machine\'s name differs from host (it is printed at every start)'),
      })
      .optional()
      .describe("Only where the machine's own name differs from host (an alias, a test running every host's agent on one machine): skips the check that this is the machine host names, with the reason."),
    emulatedWindowsDrives: absoluteLocalFolder('the emulated Windows drives folder')
      .optional()
      .describe('Only on a machine that is not Windows (tests): the folder holding one sub-folder per drive letter (C/...), standing for the Windows drives, Windows\\System32 included.'),
  })
  .superRefine((config, ctx) => {
    if (!config.spocSiteServer && !config.jobScheduler && config.spoolFolder === undefined) {
      ctx.addIssue({ code: 'custom', path: ['spocSiteServer'], message: 'give the host a role: spocSiteServer, jobScheduler, spoolFolder (a spooler of the spool cleaning), or several' });
    }
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** The configuration could not be used; the message names every field and its rule. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

function fieldOf(pathParts: readonly PropertyKey[]): string {
  return pathParts.reduce<string>((at, part) => (typeof part === 'number' ? `${at}[${part}]` : at === '' ? String(part) : `${at}.${String(part)}`), '') || '(the file)';
}

function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${fieldOf([...issue.path, key])}: unknown field, not allowed (misspelled?)`)
      : [`${fieldOf(issue.path)}: ${issue.message}`],
  );
}

/** Why `folder` is not an absolute folder of a machine of `platform` (a drive letter there only on Windows or its emulated drives). */
function localFolderProblem(folder: string, platform: NodeJS.Platform, emulatedDrives: boolean): string | undefined {
  const driveLetter = /^[A-Za-z]:[\\/]/.test(folder);
  if (platform === 'win32') return driveLetter ? undefined : `must be an absolute Windows folder with a drive letter on this machine, e.g. C:\\ProgramData\\spoolflow\\agent`;
  if (driveLetter && !emulatedDrives) return `is a Windows folder, but the agent runs on ${platform}: give an absolute folder such as /var/lib/spoolflow-agent`;
  return undefined;
}

/**
 * The configuration in `value`, checked for the platform the agent runs on: a site server's
 * Windows paths are only local on Windows, so elsewhere (tests) `emulatedWindowsDrives` must say
 * where the drives are, and on Windows it is refused (the real drives are there).
 */
export function parseAgentConfig(value: unknown, platform: NodeJS.Platform = process.platform): AgentConfig {
  const parsed = agentConfigSchema.safeParse(value);
  const problems = parsed.success ? [] : problemsOf(parsed.error.issues);
  if (parsed.success) {
    const config = parsed.data;
    const windowsPaths = config.spocSiteServer !== undefined || config.jobScheduler?.installs.some((i) => i.os === 'windows') === true;
    if (platform === 'win32' && config.emulatedWindowsDrives !== undefined) {
      problems.push('emulatedWindowsDrives: must not be set on Windows, where the agent works on the real drives');
    }
    const folders = [
      ['notesFolder', config.notesFolder],
      ['jobScheduler.clusterDatabaseFolder', config.jobScheduler?.clusterDatabaseFolder],
      ['spoolFolder', config.spoolFolder],
    ] as const;
    for (const [field, folder] of folders) {
      const problem = folder === undefined ? undefined : localFolderProblem(folder, platform, config.emulatedWindowsDrives !== undefined);
      if (problem) problems.push(`${field}: ${problem}`);
    }
    if (platform !== 'win32' && windowsPaths && config.emulatedWindowsDrives === undefined) {
      problems.push(`emulatedWindowsDrives: is required on ${platform} for a Windows role (spocSiteServer or a windows JobScheduler install): run the agent of a Windows server on that server`);
    }
  }
  if (problems.length > 0) throw new AgentConfigError(`agent config: ${problems.join('; ')}`);
  return (parsed as { data: AgentConfig }).data;
}

/** Reads and validates the configuration file. */
export function readAgentConfig(file: string, platform: NodeJS.Platform = process.platform): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentConfigError(`agent config: cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AgentConfigError(`agent config: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseAgentConfig(value, platform);
}
