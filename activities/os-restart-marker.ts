/**
 * The host's own note of an OS restart it was asked for, so that a retried step never restarts a
 * host twice. Temporal retries an activity whose answer was lost (the host went down before the
 * agent could report), with the same activity id; the note is keyed by it. It is written before
 * the restart is requested ("requesting") and completed after ("requested"): a note left at
 * "requesting" means the request may or may not have reached Windows, which the boot time tells.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface OsRestartNote {
  state: 'requesting' | 'requested';
  /** Host clock, ISO: when the restart was asked for. */
  requestedAt: string;
  /** Host clock, ISO: the boot time before the restart. */
  bootBefore: string;
  workflowId: string;
  step: string;
}

/** A file name for the request key that is safe on Windows and POSIX file systems. */
export function noteFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 180)}.json`;
}

export function readOsRestartNote(dir: string, key: string): OsRestartNote | undefined {
  const file = path.join(dir, noteFileName(key));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OsRestartNote) : undefined;
}

export function writeOsRestartNote(dir: string, key: string, note: OsRestartNote): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, noteFileName(key));
  writeFileSync(`${file}.tmp`, JSON.stringify(note));
  renameSync(`${file}.tmp`, file);
}
