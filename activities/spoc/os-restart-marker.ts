/**
 * The host's own note of an OS restart it was asked for, so that a retried step never restarts a
 * host twice. Temporal retries an activity whose answer was lost (the host went down before the
 * agent could report), with the same activity id; the note is keyed by it (by the runtime's
 * request key when there is one). It is written before
 * the restart is requested ("requesting") and completed after ("requested"): a note left at
 * "requesting" means the request may or may not have reached Windows, which the boot time tells.
 */
import { createHash } from 'node:crypto';
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

/**
 * The note's file name: a short readable prefix of the request key, for whoever looks in the folder,
 * and the SHA-256 of the whole key, so that two keys are two notes however long they are and
 * whatever characters they hold (a cut or a replaced character would let two procedures share a
 * note, and the second host would never be restarted). Safe on Windows and POSIX file systems.
 */
export function noteFileName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48);
  return `${readable}-${createHash('sha256').update(key, 'utf8').digest('hex')}.json`;
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
