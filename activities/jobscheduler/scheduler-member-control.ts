/**
 * Stop, start and look at one JobScheduler member on its host, the same way for both operating
 * systems (the host agent's activities, scheduler-host-activities.ts, drive it):
 *
 *   Unix      `./bin/jobscheduler.sh stop|start|status` from the install folder
 *             (jobscheduler-unix-script.ts); the options of the running process by `ps`.
 *   Windows   the service over sc.exe, `.\bin\jobscheduler.cmd remove|install`
 *             (jobscheduler-windows-service.ts); the options a service runs with by `sc.exe qc`.
 *
 * Which Windows service: JobScheduler 1.x names it after the JobScheduler ID, with `_backup` for a
 * backup; of the two names the one installed is acted on (two installed at once is refused).
 */
import { readFileSync } from 'node:fs';
import { readClusterOptionsFromText, START_SCRIPT, startScriptPathOf, UnsafeScriptPathError } from './cluster-option-file';
import { createJobSchedulerWindowsService, jobSchedulerServiceNames } from './jobscheduler-windows-service';
import { jobSchedulerShCommand, outputOf, psArgsCommand, readJobSchedulerStatus } from './jobscheduler-unix-script';
import { canonicalOptions, clusterOptionsInCommandLine } from './running-cluster-options';
import { OptionsNotAppliedError, SchedulerServiceNotFoundError, SchedulerServiceOfAnotherInstallError } from './scheduler-host-errors';
import { serviceCommandLine } from '../windows/service-control/sc-exe-service-config';
import { isInsideWindowsFolder } from '../windows/windows-folder';
import { createScExeServiceControl } from '../windows/service-control/sc-exe-service-control';
import type { CommandRunner, ServiceState } from '../windows/service-control/service-control';

/** Where the options in a start answer were read: the process, the service, or (when neither tells) the start script. */
export type OptionsSource = 'process' | 'service' | 'start-script';

/** The member a control acts on: the fields of a member effect it reads. */
export interface ControlledMember {
  member: string;
  os: 'unix' | 'windows';
  installDir: string;
  jobSchedulerId: string;
}

/** Where a member is, as its control sees it. */
export type MemberState = 'running' | 'starting' | 'stopping' | 'stopped' | 'not-installed';

/** Stop, start and look at one member, the same way for both operating systems. */
export interface MemberControl {
  state(): Promise<MemberState>;
  requestStop(): Promise<void>;
  requestStart(): Promise<void>;
  /** What the last stop or start command printed, when it failed; '' otherwise. */
  failedOutput(): string;
  /** The options of the running member, and where they were read. */
  runningOptions(): Promise<{ options: string; source: OptionsSource }>;
}

/** What the controls of one host need: resolved by the host agent from its own deps. */
export interface MemberControlDeps {
  host: string;
  run: CommandRunner;
  /** This machine's path of a path on the host. */
  local: (hostPath: string) => string;
  programs: { sh: string; ps: string; scExe: string; cmdExe: string };
}

/** The controls of the members of one host, and the readings of their start scripts and services. */
export function memberControls(deps: MemberControlDeps) {
  const { local, programs } = deps;
  const services = createScExeServiceControl(deps.run, { scExe: programs.scExe });

  // ------------------------------------------------------------------ the start script

  /** The options the member's start script gives now, in the runbook's spelling; '' when it sets none. */
  function startScriptOptions(e: ControlledMember): { file: string; options: string } {
    const { script } = startScriptPathOf(e.installDir, e.os);
    let text: string;
    try {
      text = readFileSync(local(script)).toString('latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UnsafeScriptPathError(`the start script ${script} does not exist: is ${e.installDir} the JobScheduler install folder of ${e.member}?`);
      throw err;
    }
    const found = readClusterOptionsFromText(text, START_SCRIPT[e.os].kind, script);
    return { file: script, options: found === undefined ? '' : canonicalOptions(found.value) };
  }


  // ------------------------------------------------------------------ Unix

  function unixControl(e: ControlledMember): MemberControl {
    let failed = '';
    const script = async (verb: 'start' | 'stop' | 'status') => {
      const { file, args } = jobSchedulerShCommand(e.installDir, verb, programs.sh);
      return deps.run(file, args);
    };
    const status = async () => readJobSchedulerStatus(await script('status'));
    const command = async (verb: 'start' | 'stop') => {
      const result = await script(verb);
      failed = result.exitCode === 0 ? '' : `./bin/jobscheduler.sh ${verb} exited with ${result.exitCode}:\n${outputOf(result)}`;
    };
    return {
      state: async () => ((await status()).running ? 'running' : 'stopped'),
      requestStop: () => command('stop'),
      requestStart: () => command('start'),
      failedOutput: () => failed,
      async runningOptions() {
        const now = await status();
        if (now.running && now.pid !== undefined) {
          const { file, args } = psArgsCommand(now.pid, programs.ps);
          const ps = await deps.run(file, args);
          const commandLine = ps.exitCode === 0 ? ps.stdout.trim() : '';
          if (commandLine !== '') {
            const reading = clusterOptionsInCommandLine(commandLine);
            if (!reading.ok) throw new OptionsNotAppliedError(`process ${now.pid} of ${e.member} runs "${commandLine}", whose cluster options cannot be read: ${reading.problem}`);
            return { options: reading.options, source: 'process' };
          }
        }
        // The process is not to be seen (no pid in the status, or it ended meanwhile): jobscheduler.sh
        // passes the start script's options to the engine at every start, so they are reported.
        return { options: startScriptOptions(e).options, source: 'start-script' };
      },
    };
  }

  // ------------------------------------------------------------------ Windows

  /** The member's installed service, of the two names JobScheduler 1.x may have given it. */
  async function installedService(e: ControlledMember): Promise<{ name: string; state: ServiceState } | undefined> {
    const names = jobSchedulerServiceNames(e.jobSchedulerId);
    const installed: { name: string; state: ServiceState }[] = [];
    for (const name of names) {
      const state = await services.query(name);
      if (state !== 'NOT_INSTALLED') installed.push({ name, state });
    }
    if (installed.length > 1) {
      throw new SchedulerServiceNotFoundError(
        `both ${installed.map((s) => `"${s.name}" (${s.state})`).join(' and ')} are installed for JobScheduler ID "${e.jobSchedulerId}", so which one is ${e.member} cannot be told. ` +
          'Remove the one that is not in use (`.\\bin\\jobscheduler.cmd remove` with its options, or `sc.exe delete`), then retry the step.',
      );
    }
    const found = installed[0];
    if (found) await checkServiceOfInstall(e, found.name);
    return found;
  }

  /**
   * The service named by the step's JobScheduler ID must run its program from the step's install
   * folder: the agent's configuration names the folders it may touch, and an ID of another
   * JobScheduler on the host would otherwise reach that one's service (stop it, or have this
   * install's `jobscheduler.cmd remove` run after that one's service was seen stopped).
   */
  async function checkServiceOfInstall(e: ControlledMember, service: string): Promise<void> {
    const commandLine = await serviceCommandLine(deps.run, service, programs.scExe);
    if (commandLine === 'NOT_INSTALLED') return;
    const program = programOf(commandLine);
    if (!isInsideWindowsFolder(program, e.installDir)) {
      throw new SchedulerServiceOfAnotherInstallError(
        `service "${service}" (JobScheduler ID "${e.jobSchedulerId}") runs ${program}, which is not in the install folder ${e.installDir} this step names: it belongs to another JobScheduler on ${deps.host}. Nothing was touched; correct the member's jobSchedulerId or installDir.`,
      );
    }
  }

  async function serviceOptions(service: string): Promise<string> {
    const commandLine = await serviceCommandLine(deps.run, service, programs.scExe);
    if (commandLine === 'NOT_INSTALLED') throw new SchedulerServiceNotFoundError(`service "${service}" disappeared while it was being read`);
    const reading = clusterOptionsInCommandLine(commandLine);
    if (!reading.ok) throw new OptionsNotAppliedError(`service "${service}" runs "${commandLine}", whose cluster options cannot be read: ${reading.problem}`);
    return reading.options;
  }

  const noService = (e: ControlledMember) =>
    new SchedulerServiceNotFoundError(`no JobScheduler service is installed for JobScheduler ID "${e.jobSchedulerId}" on ${deps.host}: install it (.\\bin\\jobscheduler.cmd install), then retry`);

  /** A stop that finds no service: the member is not known to be stopped (it may run under another service name). */
  const noServiceToStop = (e: ControlledMember) =>
    new SchedulerServiceNotFoundError(
      `no JobScheduler service of ${e.member} is installed on ${deps.host} (looked for ${jobSchedulerServiceNames(e.jobSchedulerId).join(' and ')}, from JobScheduler ID "${e.jobSchedulerId}"), so it is not known to be stopped: ` +
        `it may run under another service name. Nothing was touched. Correct jobSchedulerId; or, if it is not running, install its service (.\\bin\\jobscheduler.cmd install) and retry.`,
    );

  const windowsService = (e: ControlledMember, serviceName: string) =>
    createJobSchedulerWindowsService(deps.run, { installDir: e.installDir, serviceName }, { scExe: programs.scExe, cmdExe: programs.cmdExe });

  function windowsControl(e: ControlledMember): MemberControl {
    const found = async () => {
      const service = await installedService(e);
      if (!service) throw noService(e);
      return service;
    };
    return {
      async state() {
        const service = await installedService(e);
        switch (service?.state) {
          case undefined:
            return 'not-installed';
          case 'STOPPED':
            return 'stopped';
          case 'START_PENDING':
          case 'CONTINUE_PENDING':
            return 'starting';
          case 'STOP_PENDING':
            return 'stopping';
          case 'RUNNING':
          case 'PAUSED':
          case 'PAUSE_PENDING':
          default:
            // Running, or paused (sc.exe stops a paused service; a start refuses it with its own message).
            return 'running';
        }
      },
      async requestStop() {
        await windowsService(e, (await found()).name).stop();
      },
      async requestStart() {
        await windowsService(e, (await found()).name).start();
      },
      failedOutput: () => '',
      async runningOptions() {
        return { options: await serviceOptions((await found()).name), source: 'service' };
      },
    };
  }

  const controlOf = (e: ControlledMember) => (e.os === 'windows' ? windowsControl(e) : unixControl(e));

  return { controlOf, startScriptOptions, installedService, serviceOptions, noService, noServiceToStop, windowsService };
}

/** The program a service's command line runs: its quoted first part, or the part up to ".exe". */
export function programOf(commandLine: string): string {
  const quoted = /^\s*"([^"]+)"/.exec(commandLine);
  if (quoted) return quoted[1]!;
  const exe = /^\s*(.+?\.exe)(?=\s|$)/i.exec(commandLine);
  return exe ? exe[1]! : (commandLine.trim().split(/\s+/)[0] ?? '');
}
