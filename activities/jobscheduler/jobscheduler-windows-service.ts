/**
 * The Windows service steps around a change of cluster options (docs/jobscheduler-cluster.md#on-windows):
 * stop the JobScheduler service, `.\bin\jobscheduler.cmd remove`, edit the options,
 * `.\bin\jobscheduler.cmd install`, start the service. The service has to be removed and installed
 * again because the options become part of the service's command line when it is installed.
 *
 * Stop and start are the sc.exe {@link ServiceControl}; remove and install run the vendor's script
 * from the install folder, exactly as the runbook has the operator do, through the same injected
 * {@link CommandRunner}, so all of it is testable without Windows.
 *
 * What jobscheduler.cmd prints is not relied on: whether it propagates the exit code of
 * scheduler.exe is not documented. The Service Control Manager is asked instead, before (to do
 * nothing when there is nothing to do) and after (to know it worked). The script's exit code and an
 * `MSWIN-xxxxxxxx` code in its output, when present, only make the error message better.
 */
import type { CommandResult, CommandRunner, ServiceControl, ServiceState } from '../windows/service-control/service-control';
import { createScExeServiceControl } from '../windows/service-control/sc-exe-service-control';
import { windowsProgram } from '../windows/service-control/windows-programs';
import type { ClusterStartOptions } from '../../machines/jobscheduler/cluster-options';

/** The two verbs of `.\bin\jobscheduler.cmd` the procedure uses. */
export type JobSchedulerCmdVerb = 'install' | 'remove';

/** Characters cmd.exe would interpret in the install folder even inside quotes (or after `call`). */
const CMD_SPECIAL = /["%^!&|<>]/;

/** A refusal or failure of remove/install; `name` is the wire name retry policies match on. */
export class JobSchedulerServiceError extends Error {
  override readonly name: string = 'JobSchedulerServiceError';
  constructor(
    message: string,
    readonly verb: JobSchedulerCmdVerb,
    readonly service: string,
    /** What the script printed, stdout then stderr, for the operator. */
    readonly output: string,
    /** The Win32 code found in the output (`MSWIN-00000431` is 1073), when there was one. */
    readonly win32Code?: number,
  ) {
    super(message);
  }
}

/** The service is running (or pausing, or paused): it must be stopped before it is removed. Not retryable. */
export class JobSchedulerServiceNotStoppedError extends JobSchedulerServiceError {
  override readonly name: string = 'JobSchedulerServiceNotStoppedError';
}

/** The install folder cannot be handed to cmd.exe safely. Not retryable. */
export class UnsafeInstallFolderError extends JobSchedulerServiceError {
  override readonly name: string = 'UnsafeInstallFolderError';
}

/**
 * The program and arguments that run `.\bin\jobscheduler.cmd <verb>` from the install folder:
 * `cmd.exe /d /v:off /c cd /d "<install folder>" && call .\bin\jobscheduler.cmd <verb>`.
 *
 * A batch file cannot be started without cmd.exe. Because the line after `/c` starts with `cd` and
 * not with a quote, cmd.exe keeps the quotes that execFile puts around a folder with spaces (also
 * "Program Files (x86)"); `/d` skips AutoRun macros, `/v:off` delayed expansion. Characters cmd.exe
 * would still interpret inside quotes are refused.
 */
export function jobSchedulerCmdCommand(installDir: string, verb: JobSchedulerCmdVerb, cmdExe = windowsProgram('cmd.exe')): { file: string; args: string[] } {
  const folder = installDir.replace(/[\\/]+$/, '');
  const refuse = (why: string) =>
    new UnsafeInstallFolderError(`the install folder "${installDir}" ${why}; jobscheduler.cmd ${verb} was not run`, verb, '', '');
  if (!/^[A-Za-z]:[\\/]/.test(folder)) throw refuse('is not an absolute Windows path with a drive letter');
  if (folder.split(/[\\/]+/).includes('..')) throw refuse('contains ".."');
  if (CMD_SPECIAL.test(folder)) throw refuse('contains one of " % ^ ! & | < >, which cmd.exe would interpret');
  return { file: cmdExe, args: ['/d', '/v:off', '/c', 'cd', '/d', folder.replace(/\//g, '\\'), '&&', 'call', '.\\bin\\jobscheduler.cmd', verb] };
}

/** The Win32 code in a JobScheduler error line such as `MSWIN-00000431 ...`, or undefined. */
export function win32CodeInOutput(output: string): number | undefined {
  const hex = /\bMSWIN-([0-9A-Fa-f]{8})\b/.exec(output)?.[1];
  return hex === undefined ? undefined : parseInt(hex, 16);
}

/** What one run of jobscheduler.cmd said, reduced to what an error message needs. */
export interface JobSchedulerCmdAnswer {
  exitCode: number;
  output: string;
  win32Code?: number;
}

/** Reads one run of jobscheduler.cmd. */
export function readJobSchedulerCmdResult(result: CommandResult): JobSchedulerCmdAnswer {
  const output = result.stderr.length > 0 ? `${result.stdout}\n${result.stderr}` : result.stdout;
  const win32Code = win32CodeInOutput(output);
  return win32Code === undefined ? { exitCode: result.exitCode, output } : { exitCode: result.exitCode, output, win32Code };
}

/**
 * The service key name JobScheduler 1.x uses: `sos_scheduler_<id>` (the engine's service name), with
 * `_backup` appended for a backup of a passive cluster (as SOS's PowerShell CLI names it). Check it
 * against `sc.exe query` on a host before relying on it; a wrong name makes stop, start and install
 * fail with the name in the message, and remove still runs the script.
 */
export function jobSchedulerServiceName(jobSchedulerId: string, options: ClusterStartOptions): string {
  return `sos_scheduler_${jobSchedulerId}${options.role === 'backup' ? '_backup' : ''}`;
}

/** Both names a member of this JobScheduler ID may have its service under: as a primary, as a backup. */
export function jobSchedulerServiceNames(jobSchedulerId: string): [primary: string, backup: string] {
  return [jobSchedulerServiceName(jobSchedulerId, { role: 'primary' }), jobSchedulerServiceName(jobSchedulerId, { role: 'backup', precedence: 1, precedenceGiven: false })];
}

/** The Windows service of one JobScheduler member. Every method is idempotent. */
export interface JobSchedulerWindowsService {
  stop(): ReturnType<ServiceControl['stop']>;
  start(): ReturnType<ServiceControl['start']>;
  /** `.\bin\jobscheduler.cmd remove`; the service must be stopped. */
  remove(): Promise<'removed' | 'already-removed'>;
  /**
   * `.\bin\jobscheduler.cmd install`, unless the service is installed already. An installed
   * service keeps the options it was installed with, so remove it before the options are edited.
   */
  install(): Promise<'installed' | 'already-installed'>;
}

/** Where and what: the member's install folder and the key name of its service. */
export interface JobSchedulerServiceTarget {
  installDir: string;
  serviceName: string;
}

/** Options for {@link createJobSchedulerWindowsService}. */
export interface JobSchedulerWindowsServiceOptions {
  /** Program for the service control. Default `%SystemRoot%\System32\sc.exe`. */
  scExe?: string;
  /** Program that runs the batch file. Default `%SystemRoot%\System32\cmd.exe`. */
  cmdExe?: string;
}

/**
 * The service steps of one member over `run`. Stop and start are those of
 * {@link createScExeServiceControl}, with its errors.
 */
export function createJobSchedulerWindowsService(
  run: CommandRunner,
  target: JobSchedulerServiceTarget,
  opts: JobSchedulerWindowsServiceOptions = {},
): JobSchedulerWindowsService {
  const services = createScExeServiceControl(run, opts.scExe === undefined ? {} : { scExe: opts.scExe });
  const { serviceName: service, installDir } = target;

  async function script(verb: JobSchedulerCmdVerb): Promise<JobSchedulerCmdAnswer> {
    const { file, args } = jobSchedulerCmdCommand(installDir, verb, opts.cmdExe);
    return readJobSchedulerCmdResult(await run(file, args));
  }

  const said = (answer: JobSchedulerCmdAnswer) =>
    `jobscheduler.cmd exited with ${answer.exitCode}` + (answer.win32Code === undefined ? '' : `, win32 error ${answer.win32Code}`);

  return {
    stop: () => services.stop(service),
    start: () => services.start(service),

    async remove() {
      const before = await services.query(service);
      if (before !== 'NOT_INSTALLED' && before !== 'STOPPED') {
        throw new JobSchedulerServiceNotStoppedError(
          `service "${service}" is ${before}; it must be stopped before \`.\\bin\\jobscheduler.cmd remove\`. ` +
            'Stop it (the step before this one), then retry.',
          'remove',
          service,
          '',
        );
      }
      // Run even when the name is not found: the script knows its own service name, and removing a
      // service that is gone only fails harmlessly. What counts is the SCM afterwards.
      const answer = await script('remove');
      const after = await services.query(service);
      if (after === 'NOT_INSTALLED') return before === 'NOT_INSTALLED' ? 'already-removed' : 'removed';
      throw new JobSchedulerServiceError(
        `service "${service}" is still registered after \`.\\bin\\jobscheduler.cmd remove\` (${said(answer)}). ` +
          (answer.win32Code === 1072 || answer.exitCode === 0
            ? 'Windows deletes a service only when no program holds it open: close services.msc and the Event Viewer on the host, then retry.'
            : 'Read the output below; run the script as a local administrator (elevated), then retry.'),
        'remove',
        service,
        answer.output,
        answer.win32Code,
      );
    },

    async install() {
      if ((await services.query(service)) !== 'NOT_INSTALLED') return 'already-installed';
      const answer = await script('install');
      const after: ServiceState | 'NOT_INSTALLED' = await services.query(service);
      if (after !== 'NOT_INSTALLED') return 'installed';
      throw new JobSchedulerServiceError(
        `service "${service}" is not registered after \`.\\bin\\jobscheduler.cmd install\` (${said(answer)}). ` +
          (answer.win32Code === 1073
            ? 'A service already exists under another name: check the service key name (`sc.exe query type= service | findstr sos_scheduler`).'
            : 'Read the output below; run the script as a local administrator (elevated), then retry.'),
        'install',
        service,
        answer.output,
        answer.win32Code,
      );
    },
  };
}
