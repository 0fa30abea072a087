/**
 * The simulated spool servers of SAP systems: work processes of configurable speed handing output
 * requests to a host spool, and management tasks, of which host spool demands can hang. What each
 * work process began and finished is one line in `<data dir>/sim/sap-spool-operations.jsonl`
 * (the operation record), and that record is also the servers' memory: a task begun is never
 * begun again, also after a kill -9 of the process, which is what makes the work processes'
 * activities idempotent (activities/sap/spool-work-process-activities.ts).
 */
import path from 'node:path';
import type { SpoolWorkProcessHost, TaskOnServer } from '../../activities/sap/spool-work-process-activities';
import type { SpoolTask } from '../../machines/sap/spool-tasks';
import { OperationRecord, OperationRecordEntry } from '../core/operation-record';

export interface SimSpoolServerSettings {
  system: string;
  server: string;
  /** Seconds an output request takes on a work process of speed 1. */
  outputSeconds: number;
  /** Seconds a management task takes on a work process of speed 1. */
  managementSeconds: number;
  /** Each work process's speed (2: twice as fast); missing ones are 1. */
  speeds?: number[];
  /** Every nth host spool demand of the server hangs (0 or missing: none). */
  hangEveryNthDemand?: number;
}

/** A line of the SAP spool operation record. */
export interface SapSpoolOperation extends OperationRecordEntry {
  /** `dispatch` (outcome `started`, or `rejoined` by a second attempt) or `finish`. */
  operation: 'dispatch' | 'finish';
  /** The task id. */
  target: string;
  system: string;
  workProcess?: number;
  /** `output`, or the management task. */
  task?: string;
  device?: string;
  sequence?: boolean;
  /** How long it takes; null: it hangs. */
  seconds?: number | null;
}

export const SAP_SPOOL_RECORD = 'sap-spool-operations.jsonl';

export function sapSpoolRecordFile(simDir: string): string {
  return path.join(simDir, SAP_SPOOL_RECORD);
}

interface Known {
  beganAt: number;
  seconds: number | null;
  /** An output request (printed) or a management task (done). */
  output: boolean;
  outcome?: string;
}

/** Every simulated spool server of the estate, sharing one operation record. */
export class SimSpoolServers {
  readonly record: OperationRecord;
  private readonly known = new Map<string, Known>();
  private readonly settings = new Map<string, SimSpoolServerSettings>();
  /** Host spool demands begun per server since this process started. */
  private readonly demands = new Map<string, number>();

  constructor(simDir: string, servers: SimSpoolServerSettings[], private readonly now: () => number = Date.now) {
    this.record = new OperationRecord(sapSpoolRecordFile(simDir));
    for (const s of servers) this.settings.set(key(s.system, s.server), s);
    // What was begun and finished before (an earlier process, killed or not).
    for (const entry of this.record.read() as SapSpoolOperation[]) {
      const k = key(entry.system, entry.host, entry.target);
      if (entry.operation === 'dispatch' && entry.outcome === 'started') this.known.set(k, { beganAt: Date.parse(entry.time), seconds: entry.seconds ?? null, output: entry.task === 'output' });
      if (entry.operation === 'finish') {
        const known = this.known.get(k);
        if (known) known.outcome = entry.outcome;
      }
    }
  }

  host(system: string, server: string): SpoolWorkProcessHost {
    const settings = this.settings.get(key(system, server));
    if (!settings) throw new Error(`no simulated spool server ${server} in SAP system ${system}`);
    return {
      lookup: (id) => this.lookup(key(system, server, id)),
      begin: (task, workProcess) => this.begin(settings, task, workProcess),
      rejoin: (task, workProcess) => this.append(settings, 'dispatch', task.id, 'rejoined', { workProcess }),
      whenDone: (id, signal) => this.whenDone(settings, id, signal),
    };
  }

  private lookup(k: string): TaskOnServer {
    const known = this.known.get(k);
    if (!known) return { state: 'unknown' };
    return known.outcome !== undefined ? { state: 'done', outcome: known.outcome } : { state: 'begun' };
  }

  private begin(settings: SimSpoolServerSettings, task: SpoolTask, workProcess: number): void {
    const k = key(settings.system, settings.server, task.id);
    if (this.known.has(k)) return;
    const speed = settings.speeds?.[workProcess] ?? 1;
    const base = task.kind === 'output' ? settings.outputSeconds : settings.managementSeconds;
    const seconds = this.hangs(settings, task) ? null : base / speed;
    this.known.set(k, { beganAt: this.now(), seconds, output: task.kind === 'output' });
    this.append(settings, 'dispatch', task.id, 'started', {
      workProcess,
      task: task.kind === 'output' ? 'output' : task.task,
      ...(task.kind === 'output' ? { device: task.device, sequence: task.sequence } : {}),
      seconds,
    });
  }

  /** Every nth host spool demand of the server hangs, counted since this process started. */
  private hangs(settings: SimSpoolServerSettings, task: SpoolTask): boolean {
    const every = settings.hangEveryNthDemand ?? 0;
    if (every <= 0 || task.kind !== 'management' || task.task !== 'host-spool-demand') return false;
    this.demands.set(settings.server, (this.demands.get(settings.server) ?? 0) + 1);
    return (this.demands.get(settings.server) ?? 0) % every === 0;
  }
  private async whenDone(settings: SimSpoolServerSettings, id: string, signal: AbortSignal): Promise<string> {
    const k = key(settings.system, settings.server, id);
    const known = this.known.get(k);
    if (!known) throw new Error(`${settings.server}: task ${id} was never begun`);
    for (;;) {
      if (known.outcome !== undefined) return known.outcome;
      if (known.seconds !== null && this.now() >= known.beganAt + known.seconds * 1000) {
        known.outcome = known.output ? 'printed' : 'done';
        this.append(settings, 'finish', id, known.outcome, {});
        return known.outcome;
      }
      const left = known.seconds === null ? 1000 : Math.min(1000, known.beganAt + known.seconds * 1000 - this.now());
      await pause(Math.max(5, left), signal);
    }
  }

  private append(settings: SimSpoolServerSettings, operation: 'dispatch' | 'finish', target: string, outcome: string, extra: Partial<SapSpoolOperation>): void {
    const entry: SapSpoolOperation = { time: new Date(this.now()).toISOString(), host: settings.server, system: settings.system, operation, target, outcome, ...extra };
    this.record.append(entry);
  }
}

const key = (system: string, server: string, id = ''): string => `${system}/${server}/${id}`;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
