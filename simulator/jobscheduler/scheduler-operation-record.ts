/**
 * The simulated JobScheduler cluster's operation record, `<data dir>/sim/scheduler-operations.jsonl`:
 * the same one-JSON-line-per-operation file as the simulated fleet's (simulator/core/operation-record.ts),
 * with the member, and for a step its order, step and attempt. Member processes, the fleet that
 * starts and disturbs them, and the supervisor's activities all append to it; a test reads it to
 * prove that every step of every order counted once and that a fenced member stopped acting.
 */
import path from 'node:path';
import { OperationRecord, readOperationRecord, type OperationRecordEntry } from '../core/operation-record';

/** Operation words of the scheduler record. */
export type SchedulerOperation =
  | 'start-member'
  | 'stop-member'
  | 'kill-member'
  | 'hang-member'
  | 'resume-member'
  | 'cut-off-member'
  | 'reconnect-member'
  | 'activate-member'
  | 'fence-member'
  | 'stop-acting'
  | 'run-job'
  | 'run-step';

export interface SchedulerOperationEntry extends OperationRecordEntry {
  operation: SchedulerOperation;
  member: string;
  pid?: number;
  /** Passive cluster: the epoch a member acted in, or the one an activation or fence set. */
  epoch?: number;
  order?: string;
  step?: number;
  attempt?: number;
  /** Why a write was refused or a member fenced. */
  reason?: string;
}

export const SCHEDULER_OPERATIONS_FILE = 'scheduler-operations.jsonl';

export function schedulerOperationsFile(simDir: string): string {
  return path.join(simDir, SCHEDULER_OPERATIONS_FILE);
}

export class SchedulerOperationRecord {
  private readonly record: OperationRecord;

  constructor(readonly file: string) {
    this.record = new OperationRecord(file);
  }

  /** Appends one line stamped now; `target` defaults to the member. */
  append(entry: Omit<SchedulerOperationEntry, 'time' | 'target'> & { target?: string }): void {
    const line: SchedulerOperationEntry = { time: new Date().toISOString(), ...entry, target: entry.target ?? entry.member };
    this.record.append(line);
  }

  read(): SchedulerOperationEntry[] {
    return readSchedulerOperations(this.file);
  }
}

export function readSchedulerOperations(file: string): SchedulerOperationEntry[] {
  return readOperationRecord(file) as SchedulerOperationEntry[];
}
