/**
 * The agent's notes of where the SPOC's logs stood when it started the SPOC, one note per
 * procedure and host, kept in the agent's notes folder (it survives a reboot). The log waits that
 * follow read only what was appended after the noted positions, so neither a stale ONLINE nor a
 * clock that went back can mislead them (docs/spoc-group-maintenance.md#log-checks-trust-only-new-lines).
 *
 * The procedure is the part of the runtime's request key (`<workflowId>/<firstRunId>/<step>@<host>`)
 * before the step: the same for every step of one procedure, across retries and continue-as-new.
 * A procedure may start a host's SPOC more than once (one block after another); each start step
 * notes its own positions once (its retries keep the first note, so a repeated start never moves
 * the anchor past an ONLINE already written), and a wait follows the latest start.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { noteFileName } from './os-restart-marker';
import type { LogPosition } from './spoc-log-follower';

const logPosition = z.object({
  file: z.string(),
  position: z.number().int().min(0),
  identity: z.object({ dev: z.string(), ino: z.string(), headHash: z.string(), headLength: z.number().int().min(0) }).optional(),
});

const spocStartNote = z.object({
  /** The start step's request key. */
  startKey: z.string(),
  /** Host clock, ISO: when the positions were noted, just before the start was sent. */
  notedAt: z.string(),
  installDir: z.string(),
  /** The SPOC already ran when the start came: its ONLINE may be older than the positions. */
  spocWasRunning: z.boolean(),
  lifecycle: logPosition,
  main: logPosition,
});

const spocLogNote = z.object({
  procedure: z.string(),
  host: z.string(),
  /** The install folder this procedure's preflight checked on this host. */
  installDir: z.string().optional(),
  starts: z.array(spocStartNote),
});

export type SpocStartNote = z.infer<typeof spocStartNote>;
export type SpocLogNote = z.infer<typeof spocLogNote>;
export type SpocLogPositions = { lifecycle: LogPosition; main: LogPosition };

/** The procedure of a request key: all but its last part (`<step>@<host>`); undefined without a key. */
export function procedureOfRequestKey(requestKey: string | undefined): string | undefined {
  if (!requestKey) return undefined;
  const cut = requestKey.lastIndexOf('/');
  return cut > 0 ? requestKey.slice(0, cut) : undefined;
}

function noteFile(stateDir: string, procedure: string, host: string): string {
  return path.join(stateDir, noteFileName(`spoc-logs:${procedure}@${host.toLowerCase()}`));
}

/** The note of this procedure on this host; undefined when none was written or it cannot be read. */
export function readSpocLogNote(stateDir: string, procedure: string, host: string): SpocLogNote | undefined {
  const file = noteFile(stateDir, procedure, host);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = spocLogNote.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function writeSpocLogNote(stateDir: string, note: SpocLogNote): void {
  mkdirSync(stateDir, { recursive: true });
  const file = noteFile(stateDir, note.procedure, note.host);
  writeFileSync(`${file}.tmp`, JSON.stringify(note));
  renameSync(`${file}.tmp`, file);
}

/** Notes the install folder a procedure's preflight checked on this host, for its later starts. */
export function noteProcedureInstallDir(stateDir: string, procedure: string, host: string, installDir: string): void {
  const note = readSpocLogNote(stateDir, procedure, host) ?? { procedure, host, starts: [] };
  if (note.installDir === installDir) return;
  writeSpocLogNote(stateDir, { ...note, installDir });
}

/**
 * Notes a start's log positions unless this start step noted them already (a retry): the first
 * note stands. Returns the note that counts for this start.
 */
export function noteSpocStart(stateDir: string, procedure: string, host: string, start: SpocStartNote): SpocStartNote {
  const note = readSpocLogNote(stateDir, procedure, host) ?? { procedure, host, starts: [] };
  const earlier = note.starts.find((s) => s.startKey === start.startKey);
  if (earlier) return earlier;
  writeSpocLogNote(stateDir, { ...note, starts: [...note.starts, start] });
  return start;
}

/** The latest start of this procedure's SPOC on this host, if the agent noted one. */
export function latestSpocStart(note: SpocLogNote | undefined): SpocStartNote | undefined {
  return note?.starts[note.starts.length - 1];
}
