/**
 * The activities a JobScheduler member's host agent runs to set its cluster option
 * (docs/jobscheduler-cluster.md#set-the-cluster-option): stop and start the JobScheduler, remove and install its Windows service,
 * and set `SCHEDULER_CLUSTER_OPTIONS` in its start script. Each takes the effect object of
 * machines/core/effects.ts, validates it, refuses effects for another host, and is idempotent: a step
 * retried after it took effect reports what it finds and changes nothing.
 *
 *   Unix      `./bin/jobscheduler.sh stop|start|status` from the install folder
 *             (jobscheduler-unix-script.ts); stopped and running are told by `status`, and the
 *             options of the running process by `ps`.
 *   Windows   the service over sc.exe, `.\bin\jobscheduler.cmd remove|install`
 *             (jobscheduler-windows-service.ts); the options a service runs with by `sc.exe qc`.
 *   Both      the start script edit of cluster-option-file.ts.
 *
 * Which Windows service: JobScheduler 1.x names it after the JobScheduler ID, with `_backup` for a
 * backup, so a member changing between primary and backup changes service names. Stop, remove and
 * start act on the one of the two names that is installed (two installed at once is refused);
 * install expects the name the start script's options give.
 *
 * Checks beyond the runbook, because they are what the runbook's order is for:
 * - install refuses a service that is still installed with other options than the start script's
 *   (it was not removed before the edit), instead of reporting it "already installed";
 * - start reads the options the member runs with and fails the step when they are not the start
 *   script's: on Windows a service started without being installed again after the edit runs with
 *   its old options. The member is left running; the step says what to do.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EffectOf, EffectOutputs } from '../../machines/core/effects';
import type { ActivitiesOf, JobSchedulerActionWord } from '../../machines/actions';
import { describeIssues } from '../../machines/core/input-errors';
import { parseClusterOptions, type ClusterStartOptions } from '../../machines/jobscheduler/cluster-options';
import { setClusterOptionsInFile, startScriptPathOf, type ClusterOptionsEdit } from './cluster-option-file';
import { jobSchedulerServiceName } from './jobscheduler-windows-service';
import { OptionsNotAppliedError, SchedulerMemberPreflightError, SchedulerServiceOutdatedError, SchedulerStartFailedError } from './scheduler-host-errors';
import { memberControls, type MemberControl, type OptionsSource } from './scheduler-member-control';
import { asHostActivities } from '../core/host-activity';
import { NON_RETRYABLE_ERRORS } from '../core/non-retryable-errors';
import type { CommandRunner } from '../windows/service-control/service-control';
import { windowsProgram } from '../windows/service-control/windows-programs';

/** What the agent of one host needs. */
export interface SchedulerHostDeps {
  /** The host this agent runs on; effects for any other host are refused. */
  host: string;
  /** Runs a program on the host (execFile semantics: no shell, exit code never thrown). */
  run: CommandRunner;
  /** This machine's path of a path on the host: identity on the host itself (default), a folder for a simulated host. */
  localPath?: (hostPath: string) => string;
  /** How often a stop or start is checked while waiting. Default 1000 ms. */
  pollMs?: number;
  /** Programs, when PATH is not to be trusted. Defaults: /bin/sh, ps, sc.exe, cmd.exe. */
  programs?: { sh?: string; ps?: string; scExe?: string; cmdExe?: string };
  /** Told of every change on the host (the simulator writes them to its operation record). */
  audit?: (entry: SchedulerHostAuditEntry) => void;
  /** Default: the activity's heartbeat; nothing outside an activity. */
  heartbeat?: (details?: unknown) => void;
  /** Default: the activity's cancellable sleep; a plain timer outside an activity. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface SchedulerHostAuditEntry {
  operation: 'stop-scheduler' | 'start-scheduler' | 'remove-scheduler-service' | 'install-scheduler-service' | 'set-cluster-options';
  host: string;
  member: string;
  target: string;
  outcome: string;
}

/** The answer of `setClusterOptions`: the effect's output, and the line as it was. */
export type SetClusterOptionsOutput = EffectOutputs['set-cluster-options'] & {
  /** The live line before the change; null when there was none. */
  before: string | null;
  /** 1-based number of the live line now. */
  lineNumber: number;
  action: ClusterOptionsEdit['action'];
};

export type StartSchedulerOutput = EffectOutputs['start-scheduler'] & { optionsSource: OptionsSource };

/** Failure types a retry cannot fix: the one list of activities/core/non-retryable-errors.ts. */
const NON_RETRYABLE = new Set<string>(NON_RETRYABLE_ERRORS);

const memberEffect = z.object({
  step: z.string().min(1),
  title: z.string(),
  host: z.string().min(1),
  member: z.string().min(1),
  os: z.enum(['unix', 'windows']),
  installDir: z.string().min(1).max(1024),
  database: z.string(),
  jobSchedulerId: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a JobScheduler ID (letters, digits, "_", "." and "-")'),
});
const timedEffect = memberEffect.extend({ timeoutSeconds: z.number().positive().max(7200) });
const optionsEffect = memberEffect.extend({ options: z.string() });

type MemberEffect = z.infer<typeof memberEffect>;

const STOP_SENT = 'stop-sent';

export function createSchedulerHostActivities(deps: SchedulerHostDeps) {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 1000;
  const local = deps.localPath ?? ((hostPath: string) => hostPath);
  const programs = { sh: '/bin/sh', ps: 'ps', scExe: windowsProgram('sc.exe'), cmdExe: windowsProgram('cmd.exe'), ...deps.programs };
  const { controlOf, startScriptOptions, installedService, serviceOptions, noService, noServiceToStop, windowsService } = memberControls({ host: deps.host, run: deps.run, local, programs });

  /**
   * The options the running member runs with, read from its process or service; null when it does
   * not run or they cannot be read. A reading that fails never fails the preflight: the option
   * change then runs its whole runbook, whose steps say what is wrong.
   */
  async function optionsRunningWith(e: Parameters<typeof controlOf>[0]): Promise<string | null> {
    try {
      const control = controlOf(e);
      if ((await control.state()) !== 'running') return null;
      const running = await control.runningOptions();
      return running.source === 'start-script' ? null : running.options;
    } catch {
      return null;
    }
  }

  /** The options the start script gives, or undefined when they cannot be read (the set step says why). */
  function startScriptOptionsIfReadable(e: Parameters<typeof startScriptOptions>[0]): string | undefined {
    try {
      return startScriptOptions(e).options;
    } catch {
      return undefined;
    }
  }

  const context = (): Context | undefined => {
    try {
      return Context.current();
    } catch {
      return undefined;
    }
  };
  const heartbeat = deps.heartbeat ?? ((details?: unknown) => context()?.heartbeat(details));
  const sleep = deps.sleep ?? ((ms: number) => context()?.sleep(ms) ?? new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** The absolute deadline of a wait: fixed when the step was first scheduled, so retries do not extend it. */
  const deadline = (timeoutSeconds: number) => Number(context()?.info.scheduledTimestampMs ?? now()) + timeoutSeconds * 1000;

  function accept<T extends z.ZodType>(schema: T, effect: unknown, windowsOnly = false): z.infer<T> {
    const parsed = schema.safeParse(effect);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid step input: ${describeIssues(parsed.error.issues)}`, 'InvalidEffectError');
    const e = parsed.data as MemberEffect;
    if (e.host.toLowerCase() !== deps.host.toLowerCase()) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${deps.host}, not ${e.host}: refusing to act for another host`, 'InvalidEffectError');
    }
    if (windowsOnly && e.os !== 'windows') {
      throw ApplicationFailure.nonRetryable(`${e.member} runs on Unix, where JobScheduler has no Windows service to remove or install`, 'InvalidEffectError');
    }
    return parsed.data;
  }

  /** Runs an activity body; errors a retry cannot fix become non-retryable failures that name the host. */
  async function guarded<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      if (err instanceof ApplicationFailure || !(err instanceof Error) || !NON_RETRYABLE.has(err.name)) throw err;
      const output = (err as { output?: unknown }).output;
      throw ApplicationFailure.nonRetryable(`${deps.host}: ${err.message}`, err.name, ...(typeof output === 'string' && output !== '' ? [{ output }] : []));
    }
  }

  const audit = (e: MemberEffect, operation: SchedulerHostAuditEntry['operation'], target: string, outcome: string) =>
    deps.audit?.({ operation, host: deps.host, member: e.member, target, outcome });

  function parsedOrPrimary(options: string): ClusterStartOptions {
    const parsed = parseClusterOptions(options);
    // A start script without cluster options starts a JobScheduler alone, named like a primary.
    return parsed.ok ? parsed.options : { role: 'primary' };
  }

  async function waitFor(e: MemberEffect, control: MemberControl, wanted: 'running' | 'stopped', until: number, timeoutSeconds: number, details: unknown): Promise<void> {
    for (;;) {
      const state = await control.state();
      if (state === wanted || (wanted === 'stopped' && state === 'not-installed')) return;
      if (wanted === 'running' && (state === 'stopped' || state === 'not-installed') && (e.os === 'windows' || control.failedOutput() !== '')) {
        // A service falls back to STOPPED when its program exits; a start script that failed has said why.
        throw new SchedulerStartFailedError(
          `the JobScheduler of ${e.member} did not start (it is ${state}). ` +
            (control.failedOutput() || 'Read its log (logs\\scheduler.log in its data folder) and the Windows event log, fix the cause, then retry the step.'),
        );
      }
      if (now() >= until) {
        throw ApplicationFailure.nonRetryable(
          `the JobScheduler of ${e.member} on ${deps.host} is not ${wanted} within ${timeoutSeconds} s (it is ${state})` +
            (wanted === 'stopped' ? ': a normal termination waits for running tasks; retry to wait longer, or end them by hand.' : '.') +
            (control.failedOutput() ? `\n${control.failedOutput()}` : ''),
          'StepTimedOutError',
        );
      }
      heartbeat(details);
      await sleep(pollMs);
    }
  }

  /** What is wrong with a path on the host that must be a folder or a file; undefined when it is one. */
  function missing(hostPath: string, kind: 'folder' | 'file', what: string): string | undefined {
    let stat;
    try {
      stat = statSync(local(hostPath));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? `${what} ${hostPath} does not exist` : `${what} ${hostPath} cannot be read (${code ?? 'error'})`;
    }
    if (kind === 'folder' ? !stat.isDirectory() : !stat.isFile()) return `${what} ${hostPath} is not a ${kind}`;
    return undefined;
  }

  // Heartbeating on a timer too: one sc.exe or jobscheduler.cmd call may outlast the heartbeat timeout.
  return asHostActivities(deps.host, {
    /**
     * Preflight, read-only: the install folder, the control script the runbook runs
     * (`./bin/jobscheduler.sh` or `.\bin\jobscheduler.cmd`) and the start script the option is set
     * in exist. That this answers at all shows the host's agent is up. It also says what the start
     * script gives and, when the member runs, the options it runs with as read from its process or
     * service (null when they cannot be read): a member that has the requested options already is
     * left running (set-cluster-option.ts).
     */
    async checkSchedulerMember(effect: EffectOf<'check-scheduler-member'>): Promise<EffectOutputs['check-scheduler-member']> {
      const e = accept(memberEffect, effect);
      return guarded(async () => {
        const { installDir, binDir, script } = startScriptPathOf(e.installDir, e.os);
        const controlScript = e.os === 'unix' ? path.posix.join(binDir, 'jobscheduler.sh') : path.win32.join(binDir, 'jobscheduler.cmd');
        const folderProblem = missing(installDir, 'folder', 'the install folder');
        const problems = folderProblem
          ? [folderProblem]
          : [missing(controlScript, 'file', 'the control script'), missing(script, 'file', 'the start script')].filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
          throw new SchedulerMemberPreflightError(`${e.member} is not ready for the change, nothing was stopped: ${problems.join('; ')}. Check installDir and os in the cluster definition.`);
        }
        heartbeat({ checked: e.member });
        const scriptOptions = startScriptOptionsIfReadable(e);
        return { installDir, controlScript, startScript: script, ...(scriptOptions !== undefined ? { startScriptOptions: scriptOptions } : {}), runningWith: await optionsRunningWith(e) };
      });
    },

    /** Unix 1 / Windows 1: a normal termination, confirmed; a member found stopped is reported, not stopped again. */
    async stopScheduler(effect: EffectOf<'stop-scheduler'>): Promise<EffectOutputs['stop-scheduler']> {
      const e = accept(timedEffect, effect);
      return guarded(async () => {
        const until = deadline(e.timeoutSeconds);
        const control = controlOf(e);
        // An earlier attempt of this step that sent the stop makes the member stopped by this procedure.
        const sentBefore = (context()?.info.heartbeatDetails as unknown) === STOP_SENT;
        const before = await control.state();
        // On Windows a member is stopped through its service: none found under the names its
        // JobScheduler ID gives means it is not known to be stopped (it may run under another
        // service name), and going on would install and start a second one beside it.
        if (before === 'not-installed' && e.os === 'windows' && !sentBefore) throw noServiceToStop(e);
        if (before === 'stopped' || before === 'not-installed') {
          const outcome = sentBefore ? 'stopped' : 'already-stopped';
          audit(e, 'stop-scheduler', e.member, outcome);
          return { outcome };
        }
        heartbeat(STOP_SENT);
        if (before !== 'stopping') await control.requestStop();
        await waitFor(e, control, 'stopped', until, e.timeoutSeconds, STOP_SENT);
        audit(e, 'stop-scheduler', e.member, 'stopped');
        return { outcome: 'stopped' };
      });
    },

    /**
     * Unix 3 / Windows 5: start, wait until it runs, and read the options it runs with; they must
     * be the start script's (see the file header).
     */
    async startScheduler(effect: EffectOf<'start-scheduler'>): Promise<StartSchedulerOutput> {
      const e = accept(timedEffect, effect);
      return guarded(async () => {
        const until = deadline(e.timeoutSeconds);
        const control = controlOf(e);
        let state = await control.state();
        if (state === 'not-installed') throw noService(e);
        if (state === 'stopping') {
          await waitFor(e, control, 'stopped', until, e.timeoutSeconds, undefined);
          state = 'stopped';
        }
        const outcome = state === 'stopped' ? 'started' : 'already-running';
        if (state === 'stopped') await control.requestStart();
        await waitFor(e, control, 'running', until, e.timeoutSeconds, undefined);
        const running = await control.runningOptions();
        const script = startScriptOptions(e);
        if (running.source !== 'start-script' && running.options !== script.options) {
          throw new OptionsNotAppliedError(
            `${e.member} runs with "${running.options}" (its ${running.source}), but ${script.file} gives "${script.options}". ` +
              (e.os === 'windows'
                ? 'The service keeps the options it was installed with: stop it, remove it (.\\bin\\jobscheduler.cmd remove), install it again (.\\bin\\jobscheduler.cmd install), then retry.'
                : `It was ${outcome === 'already-running' ? 'already running, started before the edit' : 'started with other options'}: stop it (./bin/jobscheduler.sh stop), then retry.`) +
              ' It is left running.',
          );
        }
        audit(e, 'start-scheduler', e.member, `${outcome} with ${running.options || 'no cluster options'}`);
        return { outcome, options: running.options, optionsSource: running.source };
      });
    },

    /** Windows 2: `.\bin\jobscheduler.cmd remove` of the stopped service; gone already is fine. */
    async removeSchedulerService(effect: EffectOf<'remove-scheduler-service'>): Promise<EffectOutputs['remove-scheduler-service']> {
      const e = accept(memberEffect, effect, true);
      return guarded(async () => {
        const service = await installedService(e);
        const outcome = service === undefined ? 'not-installed' : (await windowsService(e, service.name).remove()) === 'removed' ? 'removed' : 'not-installed';
        audit(e, 'remove-scheduler-service', service?.name ?? jobSchedulerServiceName(e.jobSchedulerId, { role: 'primary' }), outcome);
        return { outcome };
      });
    },

    /**
     * Windows 4: `.\bin\jobscheduler.cmd install`, which takes the start script's options; a service
     * installed with them already is fine, one installed with other options is refused.
     */
    async installSchedulerService(effect: EffectOf<'install-scheduler-service'>): Promise<EffectOutputs['install-scheduler-service']> {
      const e = accept(memberEffect, effect, true);
      return guarded(async () => {
        const script = startScriptOptions(e);
        const expected = jobSchedulerServiceName(e.jobSchedulerId, parsedOrPrimary(script.options));
        const existing = await installedService(e);
        if (existing) {
          const options = await serviceOptions(existing.name);
          if (existing.name === expected && options === script.options) {
            audit(e, 'install-scheduler-service', expected, 'already-installed');
            return { outcome: 'already-installed' };
          }
          throw new SchedulerServiceOutdatedError(
            `service "${existing.name}" is installed with "${options}", but ${script.file} gives "${script.options}"` +
              (existing.name === expected ? '' : ` (a service named "${expected}")`) +
              ': it was not removed before the edit. Stop and remove it (.\\bin\\jobscheduler.cmd remove needs the options it was installed with in the start script), then retry.',
          );
        }
        const outcome = await windowsService(e, expected).install();
        const installedWith = await serviceOptions(expected);
        if (installedWith !== script.options) {
          throw new SchedulerServiceOutdatedError(`service "${expected}" was installed with "${installedWith}", not with "${script.options}" of ${script.file}: check the install script's own settings`);
        }
        audit(e, 'install-scheduler-service', expected, outcome);
        return { outcome };
      });
    },

    /** Unix 2 / Windows 3: the one-line edit of the start script; nothing is written when it says so already. */
    async setClusterOptions(effect: EffectOf<'set-cluster-options'>): Promise<SetClusterOptionsOutput> {
      const e = accept(optionsEffect, effect);
      const parsed = parseClusterOptions(e.options);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(`invalid step input: options: ${parsed.problem}`, 'InvalidEffectError');
      return guarded(async () => {
        const result = setClusterOptionsInFile({ installDir: e.installDir, os: e.os, options: parsed.options, localPath: local });
        audit(e, 'set-cluster-options', `${result.file}:${result.line}`, result.changed ? `${result.before ?? '(no line)'} -> ${result.after}` : 'unchanged');
        return { changed: result.changed, file: result.file, line: result.after, before: result.before ?? null, lineNumber: result.line, action: result.action };
      });
    },
    // The member's process is ended by `terminateMember` of the cluster activities (scheduler-activities.ts).
  } satisfies Omit<ActivitiesOf<'host', JobSchedulerActionWord>, 'terminateMember'>);
}

export type SchedulerHostActivities = ReturnType<typeof createSchedulerHostActivities>;
