/**
 * The simulated JobScheduler members of this machine as real OS processes: start one, end it
 * normally (SIGTERM) or abort it (SIGKILL), freeze it (SIGSTOP: alive but silent, as a hung server)
 * and let it go on, cut it off from the cluster database and reconnect it. What it knows about each
 * process lives under `<sim dir>/scheduler/members/<member>/`, so a CLI in another process can list
 * and disturb the members a running spoolflow started. Every disturbance goes to the operation
 * record. A pid is only ever signalled after checking it is still that member's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../engine/process-alive';
import { projectRoot } from '../../engine/data-dir';
import { sourceDir } from '../../engine/source-dir';
import type { MemberProcessControl, MemberProcessRef } from '../../activities/jobscheduler/member-process-control';
import { MemberWontStopError } from '../../activities/jobscheduler/member-process-control';
import { SchedulerClusterDb } from '../../activities/jobscheduler/scheduler-cluster-db';
import { toMemberArgv, type MemberArgs } from './member-args';
import { memberFiles, schedulerSimDir } from './member-files';
import { SchedulerOperationRecord, schedulerOperationsFile } from './scheduler-operation-record';

// The member runs from its TypeScript source with tsx, also when this module runs compiled from dist/.
const ROOT = projectRoot();
const MEMBER_SCRIPT = path.join(sourceDir(__dirname), 'member-process.ts');

/** What to start: the member's command line without the sim dir (the fleet's own). */
export interface MemberSpec {
  member: string;
  database: string;
  options: string;
  host?: string;
  heartbeatMs?: number;
  jobIntervalMs?: number;
  stepMs?: number;
  pollMs?: number;
}

/** The timings a member process runs with. */
export type MemberTiming = Required<Pick<MemberSpec, 'heartbeatMs' | 'jobIntervalMs' | 'stepMs' | 'pollMs'>>;

/** The fleet's record of a member process, kept on disk. */
export interface MemberProcessState {
  member: string;
  host: string;
  pid: number;
  options: string;
  database: string;
  startedAt: string;
  /** What it was started with, so another process can start it again the same way (absent in older records). */
  timing?: MemberTiming;
}

export interface MemberProcessInfo extends MemberProcessState {
  /** The process exists and is this member's. */
  running: boolean;
  /** Frozen by `hang` until `resume`. */
  hung: boolean;
  cutOff: boolean;
  logFile: string;
}

export interface StartOptions {
  /** How long to wait for the member to register in the cluster database; default 20 s. */
  readyTimeoutMs?: number;
  /**
   * Own process group, outliving its starter (a CLI that starts a member and exits). Default
   * false: the member stays in the starter's group, so Ctrl-C of the starter reaches it.
   */
  detached?: boolean;
}

export class SchedulerFleet implements MemberProcessControl {
  readonly record: SchedulerOperationRecord;
  /** Processes started by this very process: their exit is awaited, not polled. */
  private readonly children = new Map<string, ChildProcess>();

  /**
   * `startDefaults.detached`: every start of this fleet is detached unless the start says
   * otherwise, also the ones a simulated host's start script or service makes (a CLI's fleet).
   */
  constructor(
    readonly simDir: string,
    readonly startDefaults: Pick<StartOptions, 'detached'> = {},
  ) {
    mkdirSync(schedulerSimDir(simDir), { recursive: true });
    this.record = new SchedulerOperationRecord(schedulerOperationsFile(simDir));
  }

  /**
   * Starts a member process and resolves once it has registered in the cluster database. A member
   * whose process runs already is left as it is.
   */
  async start(spec: MemberSpec, options: StartOptions = {}): Promise<MemberProcessInfo> {
    const files = memberFiles(this.simDir, spec.member);
    const current = this.find(spec.member);
    if (current?.running) return current;
    mkdirSync(files.dir, { recursive: true });
    // A hang belongs to the process that hung; being cut off belongs to the host and stays.
    rmSync(files.hangFile, { force: true });
    const heartbeatMs = spec.heartbeatMs ?? 1000;
    const args: MemberArgs = {
      database: path.resolve(spec.database),
      member: spec.member,
      host: spec.host ?? os.hostname(),
      options: spec.options,
      simDir: path.resolve(this.simDir),
      heartbeatMs,
      jobIntervalMs: spec.jobIntervalMs ?? heartbeatMs,
      stepMs: spec.stepMs ?? 1000,
      pollMs: spec.pollMs ?? heartbeatMs,
    };
    const detached = options.detached ?? this.startDefaults.detached ?? false;
    const log = openSync(files.logFile, 'a');
    // tsx's require hook in the member process itself: the tsx CLI would put the member in a
    // grandchild, and a signal to the pid the fleet knows would not reach it.
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', MEMBER_SCRIPT, ...toMemberArgv(args)], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      detached,
    });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start member ${spec.member}: ${process.execPath} did not run`);
    if (detached) child.unref();
    this.children.set(spec.member, child);
    child.once('exit', () => {
      if (this.children.get(spec.member) === child) this.children.delete(spec.member);
    });
    const state: MemberProcessState = {
      member: spec.member,
      host: args.host,
      pid: child.pid,
      options: spec.options,
      database: args.database,
      startedAt: new Date().toISOString(),
      timing: { heartbeatMs, jobIntervalMs: args.jobIntervalMs, stepMs: args.stepMs, pollMs: args.pollMs },
    };
    // Whole or not at all: another process (a chaos run, the CLI) may read it while it is written.
    writeFileSync(`${files.processFile}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${files.processFile}.tmp`, files.processFile);
    // The member records its start itself once registered (member-process.ts), so the record has it even if this process dies while it waits.
    await this.awaitRegistered(state, child, options.readyTimeoutMs ?? 20_000);
    return this.info(spec.member);
  }

  /** Normal termination: SIGTERM, then wait until the process has exited. */
  async terminate(target: MemberProcessRef | string, timeoutMs = 10_000): Promise<'terminated' | 'already-gone'> {
    const info = this.find(memberOf(target));
    if (!info?.running || !isTheProcess(info, target)) return 'already-gone';
    process.kill(info.pid, 'SIGTERM');
    // A frozen process handles the SIGTERM only once it runs again.
    if (info.hung) this.letGo(info);
    if (!(await this.awaitExit(info, timeoutMs))) {
      throw new MemberWontStopError(`${info.member} (pid ${info.pid}) did not exit within ${timeoutMs} ms of SIGTERM; kill it if it must go`);
    }
    return 'terminated';
  }

  /** Abort: SIGKILL; the member writes nothing, its heartbeat just stops. */
  async kill(target: MemberProcessRef | string, timeoutMs = 10_000): Promise<'killed' | 'already-gone'> {
    const info = this.find(memberOf(target));
    if (!info?.running || !isTheProcess(info, target)) return 'already-gone';
    process.kill(info.pid, 'SIGKILL');
    if (!(await this.awaitExit(info, timeoutMs))) throw new MemberWontStopError(`${info.member} (pid ${info.pid}) still runs ${timeoutMs} ms after SIGKILL`);
    this.record.append({ host: info.host, operation: 'kill-member', member: info.member, pid: info.pid, outcome: 'killed' });
    return 'killed';
  }

  /**
   * Freezes the process: it neither heartbeats nor acts, as a hung server. The member stops itself
   * (SIGSTOP) at its next timer, outside any database transaction; a member that does not within
   * `timeoutMs` (its event loop is blocked) is stopped wherever it is.
   */
  async hang(member: string, timeoutMs = 5000): Promise<void> {
    const info = this.running(member);
    writeFileSync(memberFiles(this.simDir, member).hangFile, `${new Date().toISOString()}\n`);
    const until = Date.now() + timeoutMs;
    while (processState(info.pid) !== 'stopped' && processState(info.pid) !== 'unknown' && Date.now() < until) await delay(5);
    if (processState(info.pid) !== 'stopped' && isMemberProcess(info.pid, member)) process.kill(info.pid, 'SIGSTOP');
    this.record.append({ host: info.host, operation: 'hang-member', member, pid: info.pid, outcome: 'hung' });
  }

  /** Lets a frozen process go on (SIGCONT), from exactly where it stopped. */
  resume(member: string): void {
    const info = this.running(member);
    this.letGo(info);
    this.record.append({ host: info.host, operation: 'resume-member', member, pid: info.pid, outcome: 'resumed' });
  }

  /** From now on every database access of the member fails; it keeps running. */
  cutOff(member: string): void {
    const info = this.running(member);
    writeFileSync(memberFiles(this.simDir, member).cutOffFile, `${new Date().toISOString()}\n`);
    this.record.append({ host: info.host, operation: 'cut-off-member', member, pid: info.pid, outcome: 'cut-off' });
  }

  reconnect(member: string): void {
    const files = memberFiles(this.simDir, member);
    const info = this.find(member);
    rmSync(files.cutOffFile, { force: true });
    this.record.append({ host: info?.host ?? os.hostname(), operation: 'reconnect-member', member, pid: info?.pid, outcome: 'reconnected' });
  }

  /** Every member this sim dir has started, with whether its process runs. */
  list(): MemberProcessInfo[] {
    const dir = path.join(schedulerSimDir(this.simDir), 'members');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((member) => this.find(member))
      .filter((info): info is MemberProcessInfo => info !== undefined);
  }

  info(member: string): MemberProcessInfo {
    const info = this.find(member);
    if (!info) throw new Error(`no simulated scheduler member "${member}" under ${schedulerSimDir(this.simDir)}`);
    return info;
  }

  /** Kills every running member (tests' cleanup); nothing is written to the record. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.list()
        .filter((info) => info.running)
        .map(async (info) => {
          process.kill(info.pid, 'SIGKILL');
          await this.awaitExit(info, 10_000);
        }),
    );
  }

  private find(member: string): MemberProcessInfo | undefined {
    const files = memberFiles(this.simDir, member);
    if (!existsSync(files.processFile)) return undefined;
    const state = JSON.parse(readFileSync(files.processFile, 'utf8')) as MemberProcessState;
    const running = isMemberProcess(state.pid, member);
    return { ...state, running, hung: running && existsSync(files.hangFile), cutOff: existsSync(files.cutOffFile), logFile: files.logFile };
  }

  private running(member: string): MemberProcessInfo {
    const info = this.info(member);
    if (!info.running) throw new Error(`${member} is not running (pid ${info.pid} is gone); start it first`);
    return info;
  }

  /** The hang file goes first: a member let go while it is there would freeze itself again. */
  private letGo(info: MemberProcessInfo): void {
    rmSync(memberFiles(this.simDir, info.member).hangFile, { force: true });
    process.kill(info.pid, 'SIGCONT');
  }

  private async awaitRegistered(state: MemberProcessState, child: ChildProcess, timeoutMs: number): Promise<void> {
    const db = new SchedulerClusterDb(state.database);
    try {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (db.member(state.member)?.pid === state.pid) return;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`member ${state.member} exited (${child.exitCode ?? child.signalCode}) before registering; see ${memberFiles(this.simDir, state.member).logFile}:\n${tail(memberFiles(this.simDir, state.member).logFile)}`);
        }
        if (Date.now() > until) {
          child.kill('SIGKILL');
          throw new Error(`member ${state.member} did not register within ${timeoutMs} ms; see ${memberFiles(this.simDir, state.member).logFile}`);
        }
        await delay(10);
      }
    } finally {
      db.close();
    }
  }

  /** True once the process is gone (reaped, or no longer this member's). */
  private async awaitExit(info: MemberProcessInfo, timeoutMs: number): Promise<boolean> {
    const child = this.children.get(info.member);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child ? child.exitCode !== null || child.signalCode !== null : !isMemberProcess(info.pid, info.member)) return true;
      await delay(10);
    }
    return false;
  }
}

function memberOf(target: MemberProcessRef | string): string {
  return typeof target === 'string' ? target : target.member;
}

/** A target named with its pid (as the cluster database knows it) is that process only: one started since is not it, as for a host's agent, which signals the pid. */
function isTheProcess(info: MemberProcessInfo, target: MemberProcessRef | string): boolean {
  return typeof target === 'string' || info.pid === target.pid;
}

/**
 * The pid runs and is this member's process (its command line names the member script and id),
 * so a pid reused by another program after a crash is never signalled. A zombie has no command
 * line: it counts as gone. Without /proc (not Linux), a live pid is trusted.
 */
export function isMemberProcess(pid: number, member: string): boolean {
  if (!isProcessAlive(pid)) return false;
  const procFile = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const args = readFileSync(procFile, 'utf8').split('\0');
    return args.some((a) => a.endsWith('member-process.ts')) && args.includes(`--member=${member}`);
  } catch {
    return false;
  }
}

/** Whether a process is stopped (SIGSTOP), from /proc; `unknown` without /proc. */
function processState(pid: number): 'stopped' | 'other' | 'unknown' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T') ? 'stopped' : 'other';
  } catch {
    return 'unknown';
  }
}

function tail(file: string, lines = 20): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
