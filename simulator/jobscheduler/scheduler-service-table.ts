/**
 * The Windows Service Control Manager of a simulated JobScheduler host: which JobScheduler services
 * are installed, with the command line each was installed with, and their state, which is the
 * state of the member process the service started (a real OS process of the scheduler fleet).
 *
 * What makes the runbook's Windows order matter: a service keeps the cluster options it was
 * installed with, and starting it starts the member with THOSE options, whatever the start script
 * says by then. Installed services are kept in `<sim dir>/scheduler/hosts/<host>/services.json`,
 * so they outlive the agent (as the SCM's registry does); a start under way lives in memory only.
 *
 * Plugs into simulator/windows/sc-exe-emulator.ts (`EmulatedServiceTable`), so `sc.exe query|stop|start`
 * answers come out as sc.exe prints them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceState } from '../../activities/windows/service-control/service-control';
import type { EmulatedServiceTable } from '../windows/sc-exe-emulator';
import type { MemberProcessInfo, MemberSpec, SchedulerFleet } from './scheduler-fleet';

/** One installed service, as the registry keeps it. */
export interface InstalledSchedulerService {
  /** BINARY_PATH_NAME: the command line the service runs. */
  binaryPath: string;
  /** The cluster options on that command line (what the member is started with). */
  options: string;
  /** The member process this service started, while it may run. */
  pid?: number;
  /** Deleted while it ran: it goes once it has stopped (Windows' "marked for deletion"). */
  markedForDeletion?: boolean;
}

/** How long a stop may take before the simulated service gives up waiting (the process keeps its state). */
const STOP_WAIT_MS = 120_000;

export class SchedulerServiceTable implements EmulatedServiceTable {
  private starting: { service: string; done: Promise<void> } | undefined;
  /** Pids of member processes sent SIGTERM by a stop that have not exited yet. */
  private readonly stopping = new Set<number>();
  /** Why the last start failed, for the emulated event log. */
  lastStartError: string | undefined;

  constructor(
    private readonly file: string,
    private readonly fleet: SchedulerFleet,
    /** The member process a service starts, without its options (the installed ones are used). */
    private readonly member: Omit<MemberSpec, 'options'>,
  ) {}

  /** Every installed service by key name. */
  services(): Record<string, InstalledSchedulerService> {
    if (!existsSync(this.file)) return {};
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, InstalledSchedulerService>;
  }

  config(service: string): InstalledSchedulerService | undefined {
    this.sweep();
    return this.services()[service];
  }

  /** CreateService: false when a service of that name exists (win32 1073). */
  install(service: string, entry: Omit<InstalledSchedulerService, 'pid' | 'markedForDeletion'>): boolean {
    this.sweep();
    const all = this.services();
    if (all[service]) return false;
    this.save({ ...all, [service]: { ...entry } });
    return true;
  }

  /** DeleteService: gone at once when stopped, else marked for deletion. False when there is no such service (1060). */
  remove(service: string): boolean {
    this.sweep();
    const all = this.services();
    const entry = all[service];
    if (!entry) return false;
    if (this.state(service) === 'STOPPED') {
      delete all[service];
      this.save(all);
    } else {
      this.save({ ...all, [service]: { ...entry, markedForDeletion: true } });
    }
    return true;
  }

  state(service: string): ServiceState | undefined {
    this.sweep();
    const entry = this.services()[service];
    if (!entry) return undefined;
    if (this.starting?.service === service) return 'START_PENDING';
    const process = this.processOf(entry);
    if (!process) return 'STOPPED';
    return this.stopping.has(process.pid) ? 'STOP_PENDING' : 'RUNNING';
  }

  requestStop(service: string): ReturnType<EmulatedServiceTable['requestStop']> {
    const entry = this.services()[service];
    if (!entry) return 'not-started';
    if (this.starting?.service === service) return 'busy';
    const process = this.processOf(entry);
    if (!process) return 'not-started';
    if (this.stopping.has(process.pid)) return 'busy';
    this.stopping.add(process.pid);
    // SIGTERM goes out before the first await inside terminate: a normal termination, not waited for here.
    void this.fleet
      .terminate(this.member.member, STOP_WAIT_MS)
      .catch(() => undefined)
      .finally(() => this.stopping.delete(process.pid));
    return 'accepted';
  }

  requestStart(service: string): ReturnType<EmulatedServiceTable['requestStart']> {
    const entry = this.services()[service];
    if (!entry) return 'busy';
    if (entry.markedForDeletion) return 'busy';
    if (this.starting) return this.starting.service === service ? 'already-running' : 'busy';
    if (this.processOf(entry)) return 'already-running';
    this.lastStartError = undefined;
    const done = this.fleet
      .start({ ...this.member, options: entry.options })
      .then((info) => this.recordPid(service, info))
      .catch((err: unknown) => {
        this.lastStartError = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.starting = undefined;
      });
    this.starting = { service, done };
    return 'accepted';
  }

  /** Resolves once no start is under way (tests and the emulated scripts wait on it). */
  async settled(): Promise<void> {
    await this.starting?.done;
  }

  /** The member process this service started, while it runs. */
  private processOf(entry: InstalledSchedulerService): MemberProcessInfo | undefined {
    if (entry.pid === undefined) return undefined;
    const info = this.memberInfo();
    return info?.running && info.pid === entry.pid ? info : undefined;
  }

  private memberInfo(): MemberProcessInfo | undefined {
    try {
      return this.fleet.info(this.member.member);
    } catch {
      return undefined;
    }
  }

  private recordPid(service: string, info: MemberProcessInfo): void {
    const all = this.services();
    const entry = all[service];
    if (entry) this.save({ ...all, [service]: { ...entry, pid: info.pid } });
  }

  /** Services marked for deletion go once their process has stopped. */
  private sweep(): void {
    const all = this.services();
    const gone = Object.entries(all).filter(([, entry]) => entry.markedForDeletion && !this.processOf(entry));
    if (gone.length === 0) return;
    for (const [name] of gone) delete all[name];
    this.save(all);
  }

  private save(all: Record<string, InstalledSchedulerService>): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(temp, this.file);
  }
}
