/**
 * A simulated host of one JobScheduler cluster member: its install folder as real files
 * (scheduler-host-files.ts), its member as a real process of the scheduler fleet, and a command
 * runner that answers the programs the host agent runs the way the real ones do, so the production
 * activities (activities/jobscheduler/scheduler-host-activities.ts) and their parsers run unchanged against it:
 *
 *   Unix      /bin/sh -c 'cd -- "$1" && exec ./bin/jobscheduler.sh "$2"' ... start|stop|status
 *               start   starts the member process with the options the start script gives now
 *                       (read with activities/jobscheduler/cluster-option-file.ts's reader, as the script
 *                       sources the file at every start)
 *               stop    SIGTERM, a normal termination, and returns at once (the process ends a
 *                       little later, marking itself terminated in the cluster database)
 *               status  exit 0 with the pid while the process runs, 3 when it does not (LSB)
 *             ps -o args= -p <pid>   the JobScheduler command line, with the options it runs with
 *   Windows   cmd.exe /d /v:off /c cd /d <folder> && call .\bin\jobscheduler.cmd install|remove
 *               install registers the service with the options the start script gives NOW, under
 *                       the name those options give (`sos_scheduler_<id>[_backup]`)
 *               remove  deletes the service named after the start script's options now (so the
 *                       script must still give the options it was installed with)
 *             sc.exe query|stop|start <service>   simulator/windows/sc-exe-emulator.ts over the service table
 *             sc.exe qc <service>                 the service's command line (BINARY_PATH_NAME)
 *
 * A started service starts the member with the options it was INSTALLED with
 * (scheduler-service-table.ts): editing the start script without removing and installing the
 * service again changes nothing, as on Windows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readClusterOptionsFromText, START_SCRIPT, startScriptPathOf } from '../../activities/jobscheduler/cluster-option-file';
import { JOBSCHEDULER_SH_LINE } from '../../activities/jobscheduler/jobscheduler-unix-script';
import { jobSchedulerServiceName } from '../../activities/jobscheduler/jobscheduler-windows-service';
import type { SchedulerHostDeps } from '../../activities/jobscheduler/scheduler-host-activities';
import type { CommandResult, CommandRunner } from '../../activities/windows/service-control/service-control';
import { formatClusterOptions, parseClusterOptions } from '../../machines/jobscheduler/cluster-options';
import type { JobSchedulerMember } from '../../machines/jobscheduler/jobscheduler-cluster-input';
import { emulateScExe } from '../windows/sc-exe-emulator';
import type { MemberProcessInfo, MemberSpec, SchedulerFleet } from './scheduler-fleet';
import { installSchedulerFiles, schedulerHostFsRoot, schedulerHostLocalPath } from './scheduler-host-files';
import { SchedulerServiceTable } from './scheduler-service-table';
import { schedulerSimDir } from './member-files';

/** One simulated member host. The member's id in the cluster database is its host. */
export interface SimulatedSchedulerHostConfig {
  host: string;
  os: 'unix' | 'windows';
  installDir: string;
  jobSchedulerId: string;
  /**
   * The cluster database: the SQLite file every simulated member shares; a bare name (as a cluster
   * definition gives it) is a file in the simulated clusters' folder, `<sim dir>/scheduler`.
   */
  database: string;
  /** SCHEDULER_CLUSTER_OPTIONS as the installer writes it into a new install folder. */
  options: string;
  /** The member process's timings (scheduler-fleet.ts defaults otherwise). */
  timing?: Pick<MemberSpec, 'heartbeatMs' | 'jobIntervalMs' | 'stepMs' | 'pollMs'>;
}

/** The config of a member of a cluster definition whose `database` is the simulated SQLite file. */
export function simulatedHostConfigOf(member: JobSchedulerMember, timing?: SimulatedSchedulerHostConfig['timing']): SimulatedSchedulerHostConfig {
  return {
    host: member.host,
    os: member.os,
    installDir: member.installDir,
    jobSchedulerId: member.jobSchedulerId,
    database: member.database,
    options: formatClusterOptions(member.clusterOptions),
    ...(timing ? { timing } : {}),
  };
}

const CRLF = '\r\n';
const result = (exitCode: number, stdout: string, stderr = ''): CommandResult => ({ exitCode, stdout, stderr });

export class SimulatedSchedulerHost {
  readonly host: string;
  /** The member's id in the cluster database. */
  readonly member: string;
  readonly fsRoot: string;
  readonly localPath: (hostPath: string) => string;
  /** Windows only: the emulated service control manager. */
  readonly services: SchedulerServiceTable | undefined;
  /** The host's programs, as the agent runs them. */
  readonly run: CommandRunner;

  constructor(
    readonly simDir: string,
    readonly fleet: SchedulerFleet,
    readonly config: SimulatedSchedulerHostConfig,
  ) {
    this.host = config.host;
    this.member = config.host;
    this.fsRoot = schedulerHostFsRoot(simDir, config.host);
    this.localPath = schedulerHostLocalPath(this.fsRoot, config.os);
    this.services =
      config.os === 'windows'
        ? new SchedulerServiceTable(path.join(schedulerSimDir(simDir), 'hosts', config.host, 'services.json'), fleet, this.memberSpec())
        : undefined;
    this.run = (file, args) => this.runProgram(file, args);
  }

  /**
   * Lays out the install folder as the installer leaves it (existing files are kept) and, on
   * Windows, installs the service from it as the installer does.
   */
  async install(): Promise<void> {
    installSchedulerFiles(this.localPath, { os: this.config.os, installDir: this.config.installDir, jobSchedulerId: this.config.jobSchedulerId, options: this.config.options });
    if (this.config.os === 'windows' && Object.keys(this.services?.services() ?? {}).length === 0) await this.jobschedulerCmd('install');
  }

  /** Starts the member as the host does at boot: the start script on Unix, the service on Windows. Resolves once it runs. */
  async boot(): Promise<void> {
    if (this.config.os === 'unix') {
      const started = await this.jobschedulerSh('start');
      if (started.exitCode !== 0) throw new Error(`${this.host}: jobscheduler.sh start failed: ${started.stderr || started.stdout}`);
      return;
    }
    const [service] = Object.keys(this.services?.services() ?? {});
    if (service === undefined) throw new Error(`${this.host}: no JobScheduler service is installed; install() first`);
    this.services?.requestStart(service);
    await this.services?.settled();
    if (this.services?.lastStartError) throw new Error(`${this.host}: the service did not start: ${this.services.lastStartError}`);
  }

  /** The agent's dependencies for this host (scheduler-host-activities.ts); `overrides` for tests. */
  deps(overrides: Partial<SchedulerHostDeps> = {}): SchedulerHostDeps {
    return { host: this.host, run: this.run, localPath: this.localPath, pollMs: this.config.timing?.pollMs ?? 50, ...overrides };
  }

  /** The member process as the fleet knows it, when it was ever started. */
  process(): MemberProcessInfo | undefined {
    try {
      return this.fleet.info(this.member);
    } catch {
      return undefined;
    }
  }

  /** The start script, as this machine's path. */
  startScriptFile(): string {
    return this.localPath(startScriptPathOf(this.config.installDir, this.config.os).script);
  }

  private memberSpec(): Omit<MemberSpec, 'options'> {
    return { member: this.member, host: this.host, database: path.resolve(schedulerSimDir(this.simDir), this.config.database), ...this.config.timing };
  }

  private async runProgram(file: string, args: string[]): Promise<CommandResult> {
    const base = file.split(/[\\/]/).pop()?.toLowerCase() ?? '';
    if (this.config.os === 'unix') {
      if (base === 'sh' && args[0] === '-c' && args[1] === JOBSCHEDULER_SH_LINE) return this.shInFolder(args[3], args[4]);
      if (base === 'ps') return this.ps(args);
    } else {
      if (base === 'cmd.exe' || base === 'cmd') return this.cmd(args);
      if (base === 'sc.exe' || base === 'sc') return args[0] === 'qc' ? this.scQc(args) : emulateScExe(args, this.requireServices());
    }
    throw new Error(`the simulated ${this.config.os} host ${this.host} does not emulate \`${file} ${args.join(' ')}\``);
  }

  private requireServices(): SchedulerServiceTable {
    if (!this.services) throw new Error(`${this.host} is a Unix host: it has no service control manager`);
    return this.services;
  }

  // ------------------------------------------------------------------------------- Unix

  private async shInFolder(folder: string | undefined, verb: string | undefined): Promise<CommandResult> {
    let local: string;
    try {
      local = this.localPath(folder ?? '');
    } catch {
      return result(2, '', `jobscheduler.sh: 1: cd: can't cd to ${folder ?? ''}\n`);
    }
    if (!existsSync(local)) return result(2, '', `jobscheduler.sh: 1: cd: can't cd to ${folder ?? ''}\n`);
    if (!existsSync(path.join(local, 'bin', 'jobscheduler.sh'))) return result(127, '', 'jobscheduler.sh: 1: exec: ./bin/jobscheduler.sh: not found\n');
    return this.jobschedulerSh(verb ?? '');
  }

  private async jobschedulerSh(verb: string): Promise<CommandResult> {
    const id = this.config.jobSchedulerId;
    const running = this.process();
    const pid = running?.running ? running.pid : undefined;
    switch (verb) {
      case 'status':
        return pid !== undefined ? result(0, `JobScheduler ${id} is running (pid ${pid})\n`) : result(3, `JobScheduler ${id} is not running\n`);
      case 'stop':
        if (pid === undefined) return result(0, `JobScheduler ${id} is not running\n`);
        // SIGTERM goes out before terminate's first await; the script does not wait for the exit.
        void this.fleet.terminate(this.member, 120_000).catch(() => undefined);
        return result(0, `Terminating JobScheduler ${id} (pid ${pid})\n`);
      case 'start': {
        if (pid !== undefined) return result(0, `JobScheduler ${id} is already running (pid ${pid})\n`);
        const options = this.startScriptOptions();
        if (!options.ok) return result(1, '', `${options.problem}\n`);
        try {
          const info = await this.fleet.start({ ...this.memberSpec(), options: options.value });
          return result(0, `Starting JobScheduler ${id} with ${options.value} (pid ${info.pid})\n`);
        } catch (err) {
          return result(1, '', `JobScheduler ${id} did not start: ${(err as Error).message}\n`);
        }
      }
      default:
        return result(2, '', `usage: ./bin/jobscheduler.sh start|stop|status\n`);
    }
  }

  private ps(args: string[]): CommandResult {
    const [o, format, p, pidText, ...rest] = args;
    if (o !== '-o' || format !== 'args=' || p !== '-p' || pidText === undefined || rest.length > 0) {
      throw new Error(`the simulated host ${this.host} emulates only \`ps -o args= -p <pid>\`, not \`ps ${args.join(' ')}\``);
    }
    const info = this.process();
    if (!info?.running || info.pid !== Number(pidText)) return result(1, '');
    const dir = this.config.installDir;
    return result(0, `${dir}/bin/scheduler -sos.ini=${dir}/config/sos.ini -ini=${dir}/config/factory.ini -id=${this.config.jobSchedulerId} ${info.options}\n`);
  }

  /** SCHEDULER_CLUSTER_OPTIONS as the start script gives it now, read as the script would be. */
  private startScriptOptions(): { ok: true; value: string } | { ok: false; problem: string } {
    const kind = START_SCRIPT[this.config.os].kind;
    try {
      const found = readClusterOptionsFromText(readFileSync(this.startScriptFile()).toString('latin1'), kind, path.basename(this.startScriptFile()));
      if (found === undefined) return { ok: false, problem: 'SCHEDULER_CLUSTER_OPTIONS is not set in the start script: a simulated JobScheduler runs only in a cluster' };
      return { ok: true, value: found.value };
    } catch (err) {
      return { ok: false, problem: (err as Error).message };
    }
  }

  // ---------------------------------------------------------------------------- Windows

  private async cmd(args: string[]): Promise<CommandResult> {
    const [d, v, c, cd, cdD, folder, and, call, script, verb, ...rest] = args;
    const shape = [d, v, c, cd, cdD, and, call, script].join(' ') === '/d /v:off /c cd /d && call .\\bin\\jobscheduler.cmd';
    if (!shape || folder === undefined || (verb !== 'install' && verb !== 'remove') || rest.length > 0) {
      throw new Error(`the simulated host ${this.host} emulates only \`cmd.exe /d /v:off /c cd /d <folder> && call .\\bin\\jobscheduler.cmd install|remove\`, not \`cmd.exe ${args.join(' ')}\``);
    }
    let local: string;
    try {
      local = this.localPath(folder);
    } catch {
      return result(1, '', `The filename, directory name, or volume label syntax is incorrect.${CRLF}`);
    }
    if (!existsSync(local)) return result(1, '', `The system cannot find the path specified.${CRLF}`);
    if (!existsSync(path.join(local, 'bin', 'jobscheduler.cmd'))) {
      return result(1, '', `'.\\bin\\jobscheduler.cmd' is not recognized as an internal or external command,${CRLF}operable program or batch file.${CRLF}`);
    }
    return this.jobschedulerCmd(verb);
  }

  /** What `.\bin\jobscheduler.cmd install|remove` does: scheduler.exe -install-service|-remove-service with the start script's options. */
  private async jobschedulerCmd(verb: 'install' | 'remove'): Promise<CommandResult> {
    const table = this.requireServices();
    const script = this.startScriptOptions();
    const options = script.ok ? script.value : '';
    const parsed = parseClusterOptions(options);
    const service = jobSchedulerServiceName(this.config.jobSchedulerId, parsed.ok ? parsed.options : { role: 'primary' });
    if (verb === 'install') {
      const dir = this.config.installDir;
      const binaryPath = `"${dir}\\bin\\scheduler.exe" -service=${service} -id=${this.config.jobSchedulerId} -sos.ini="${dir}\\config\\sos.ini" ${options}`.trim();
      return table.install(service, { binaryPath, options })
        ? result(0, `SCHEDULER-I  service ${service} installed${CRLF}`)
        : result(1, `SCHEDULER-290  MSWIN-00000431  The specified service already exists. [CreateService] [${service}]${CRLF}`);
    }
    return table.remove(service)
      ? result(0, `SCHEDULER-I  service ${service} removed${CRLF}`)
      : result(1, `SCHEDULER-290  MSWIN-00000424  The specified service does not exist as an installed service. [OpenService] [${service}]${CRLF}`);
  }

  private scQc(args: string[]): CommandResult {
    const [, service, ...rest] = args;
    if (service === undefined || rest.length > 1) throw new Error(`the simulated host ${this.host} emulates only \`sc.exe qc <service> [bufsize]\``);
    const entry = this.requireServices().config(service);
    if (!entry) {
      return result(1060, ['[SC] OpenService FAILED 1060:', '', 'The specified service does not exist as an installed service.', '', ''].join(CRLF));
    }
    const row = (label: string, value: string) => `        ${label.padEnd(19)}: ${value}`;
    return result(
      0,
      [
        '[SC] QueryServiceConfig SUCCESS',
        '',
        `SERVICE_NAME: ${service}`,
        row('TYPE', '10  WIN32_OWN_PROCESS '),
        row('START_TYPE', '2   AUTO_START'),
        row('ERROR_CONTROL', '1   NORMAL'),
        row('BINARY_PATH_NAME', entry.binaryPath),
        row('LOAD_ORDER_GROUP', ''),
        row('TAG', '0'),
        row('DISPLAY_NAME', `SOS JobScheduler -id=${this.config.jobSchedulerId}`),
        row('DEPENDENCIES', 'Tcpip'),
        row('SERVICE_START_NAME', 'LocalSystem'),
        '',
      ].join(CRLF),
    );
  }
}
