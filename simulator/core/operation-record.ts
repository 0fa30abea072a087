/**
 * The simulator's operation record: one JSON object a line, for every operation a simulated host
 * receives that changes it (service stop and start, cache deletion, OS restart). Tests read it to
 * prove what an operator cares about: order of steps, what was touched, what was left running.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface OperationRecordEntry {
  /** Host clock, ISO. */
  time: string;
  host: string;
  /** The action word (README vocabulary): stop-service, start-service, delete-cache, ... */
  operation: string;
  target: string;
  /** What happened: accepted, already-stopped, refused, ... */
  outcome: string;
}

export class OperationRecord {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  append(entry: OperationRecordEntry): void {
    // One synchronous append per line: lines stay whole even if the process is killed right after.
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Every entry so far, oldest first. */
  read(): OperationRecordEntry[] {
    return readOperationRecord(this.file);
  }
}

export function readOperationRecord(file: string): OperationRecordEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OperationRecordEntry);
}
