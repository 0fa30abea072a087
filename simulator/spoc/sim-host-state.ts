/**
 * What a simulated site server remembers, and the file it keeps it in (`state.json` in the host's
 * folder): saved after every change, so a simulated host survives a restart of spoolflow, and read
 * again when another process (`spoolflow sim ...`) changed it.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceState } from '../../activities/windows/service-control/service-control';

/** Faults a test or an operator can inject; see README "Simulated fleet". */
export interface SimFaults {
  /** Per service display name. */
  services?: Record<string, 'wont-stop' | 'wont-start'>;
  /** The SPOC starts but never reports ONLINE. */
  neverOnline?: boolean;
  /** The cache rescue never finishes. */
  rescueNeverFinishes?: boolean;
  /** Multiplies every simulated duration on this host. */
  slowFactor?: number;
}

export type Scheduled =
  | { at: number; kind: 'service-state'; service: string; to: ServiceState }
  | { at: number; kind: 'group-autostart'; run: number }
  | { at: number; kind: 'lifecycle'; status: string; run: number }
  | { at: number; kind: 'spoc-log'; line: string; run: number }
  | { at: number; kind: 'cache-recovered'; jobs: number; run: number }
  | { at: number; kind: 'os-shutdown' }
  | { at: number; kind: 'os-boot'; services: string[] };

/** Whether Windows runs: `shutting-down` between an accepted restart and the services stopping. */
export type PowerState = 'up' | 'shutting-down' | 'down';

export interface SimHostState {
  host: string;
  services: Record<string, ServiceState>;
  scheduled: Scheduled[];
  lifecycle: string;
  /** Increases with every SPOC start, so a stop cancels what the previous run scheduled. */
  spocRun: number;
  activeJobs: number;
  /** Jobs the Management Server holds for this SPOC: what a recovery downloads again. */
  jobsOnManagementServer: number;
  faults: SimFaults;
  draws: number;
  /** Absent in state files of older versions: up. */
  power?: PowerState;
  /** When Windows last booted (host clock, ms). */
  lastBootAt?: number;
  /** When the lifecycle last became ONLINE, while it is ONLINE: what the Management Server shows. */
  onlineSince?: number | null;
}

/** The state file of one simulated host. */
export class SimHostStateFile {
  private readonly stateFile: string;
  private lastSeen: string | undefined;

  constructor(private readonly root: string) {
    this.stateFile = path.join(root, 'state.json');
  }

  /** The saved state; undefined for a host that has none yet. */
  load(): SimHostState | undefined {
    if (this.fileStamp() === undefined) return undefined;
    const data = JSON.parse(readFileSync(this.stateFile, 'utf8')) as SimHostState;
    this.lastSeen = this.fileStamp();
    return data;
  }

  save(data: SimHostState): void {
    mkdirSync(this.root, { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.stateFile);
    this.lastSeen = this.fileStamp();
  }

  /**
   * `spoolflow sim ...` changes a host (a fault, load) from another process by writing its state
   * file; the process that runs the fleet notices the file changed and takes the new state.
   * Undefined when the file is as this process last saw it.
   */
  changedOutside(): SimHostState | undefined {
    const stamp = this.fileStamp();
    if (stamp === undefined || stamp === this.lastSeen) return undefined;
    const data = JSON.parse(readFileSync(this.stateFile, 'utf8')) as SimHostState;
    this.lastSeen = stamp;
    return data;
  }

  private fileStamp(): string | undefined {
    const stat = statSync(this.stateFile, { throwIfNoEntry: false });
    return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : undefined;
  }
}
