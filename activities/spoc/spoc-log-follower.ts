/**
 * Following a log from a noted position: the bytes appended after it, in order, across rotations.
 * A log is known by its identity (the file system's device and file id, and a hash of its first
 * bytes, so a file rewritten in place under the same id is not taken for the one noted), and a
 * position (its size when noted). Rotation is what log4j's appenders do:
 *
 * - renamed (`spoc.log` becomes `spoc.log.1`, older ones `.2`, … or dated `spoc.log.2026-11-22`)
 *   and a new file started: the rest of the noted file is read from its new name, then every
 *   newer rotated file, then the new file from its start;
 * - copied and truncated in place: the copy (same first bytes) is read from the position, then the
 *   file from its start;
 * - the noted file is gone (deleted after rotating): the new file is read from its start, since it
 *   was begun after the note; what was between is said to be lost.
 *
 * Only whole lines are given; a line still being written waits for its end (or for the rotation
 * that ends its file).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** How many first bytes of a log identify its content. */
const HEAD_BYTES = 256;
/** How much is read at once. */
const CHUNK_BYTES = 1024 * 1024;

export interface LogFileIdentity {
  /** Device and file id as decimal strings (the file index on NTFS); '0' where the file system has none. */
  dev: string;
  ino: string;
  /** SHA-256 of the first `headLength` bytes. */
  headHash: string;
  headLength: number;
}

/** Where a log stood when noted; no identity when it did not exist yet (then all of it is new). */
export interface LogPosition {
  file: string;
  position: number;
  identity?: LogFileIdentity;
}

/** The log's identity and size now. */
export function noteLogPosition(file: string): LogPosition {
  const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!stat?.isFile()) return { file, position: 0 };
  const size = Number(stat.size);
  return { file, position: size, identity: identityOf(file, stat, Math.min(size, HEAD_BYTES)) };
}

function identityOf(file: string, stat: { dev: bigint; ino: bigint }, headLength: number): LogFileIdentity {
  return { dev: stat.dev.toString(), ino: stat.ino.toString(), headHash: headHash(file, headLength), headLength };
}

function headHash(file: string, length: number): string {
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    const read = readSync(fd, buffer, 0, length, 0);
    return createHash('sha256').update(buffer.subarray(0, read)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Whether `file` holds the content noted as `identity` (same file id when there is one, same first bytes). */
function holds(file: string, identity: LogFileIdentity, sameIdRequired: boolean): boolean {
  const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!stat?.isFile() || Number(stat.size) < identity.headLength) return false;
  const hasId = identity.ino !== '0';
  if (hasId && sameIdRequired && (stat.dev.toString() !== identity.dev || stat.ino.toString() !== identity.ino)) return false;
  return headHash(file, identity.headLength) === identity.headHash;
}

function sameId(file: string, identity: LogFileIdentity): boolean {
  const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
  return !!stat?.isFile() && identity.ino !== '0' && stat.dev.toString() === identity.dev && stat.ino.toString() === identity.ino;
}

function sizeOf(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * The rotated files of a log, oldest first: `<name>.<n>` by falling n (log4j's `.1` is the newest),
 * then dated or otherwise suffixed ones by name.
 */
export function rotatedFilesOf(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (!existsSync(dir)) return [];
  const suffixes = readdirSync(dir)
    .filter((name) => name.length > base.length + 1 && name.toLowerCase().startsWith(`${base.toLowerCase()}.`))
    .map((name) => name.slice(base.length + 1));
  const numbered = suffixes.filter((s) => /^\d+$/.test(s)).sort((a, b) => Number(b) - Number(a));
  const named = suffixes.filter((s) => !/^\d+$/.test(s)).sort();
  return [...named, ...numbered].map((s) => path.join(dir, `${base}.${s}`));
}

/** What the follower met on its way, for the operator. */
export type FollowEvent = 'rotated' | 'truncated or replaced' | 'noted file gone';

export class LogFollower {
  /** The file being followed (its identity) and how far it is read. */
  private cursor: { identity: LogFileIdentity | undefined; offset: number };
  private partial = '';
  private decoder = new StringDecoder('utf8');
  readonly events: FollowEvent[] = [];

  constructor(private readonly from: LogPosition) {
    this.cursor = { identity: from.identity, offset: from.position };
  }

  /** The whole lines appended since the last call (since the noted position on the first). */
  read(): string[] {
    const lines: string[] = [];
    const current = this.from.file;
    const { identity, offset } = this.cursor;
    if (!identity) {
      // The log did not exist when noted: whatever file appears is all new.
      if (!existsSync(current)) return lines;
      this.switchTo(current, 0);
      this.readFrom(current, lines);
      return lines;
    }
    if (holds(current, identity, true) && sizeOf(current) >= offset) {
      this.readFrom(current, lines);
      return lines;
    }
    const rotated = rotatedFilesOf(current);
    if (sameId(current, identity)) {
      // Same file id, shorter or rewritten: truncated in place (its copy, if one was made, holds
      // the rest), or deleted and a new file given the same id; either way it is new from its start.
      this.events.push('truncated or replaced');
      const copy = rotated.find((f) => !sameId(f, identity) && holds(f, identity, false) && sizeOf(f) >= offset);
      if (copy) this.readRest(copy, lines);
      this.switchTo(current, 0);
      this.readFrom(current, lines);
      return lines;
    }
    const at = rotated.findIndex((f) => holds(f, identity, true));
    if (at >= 0) {
      this.events.push('rotated');
      this.readRest(rotated[at] as string, lines);
      for (const newer of rotated.slice(at + 1)) {
        this.switchTo(newer, 0);
        this.readRest(newer, lines);
      }
    } else {
      this.events.push('noted file gone');
      this.flushPartial(lines);
    }
    if (existsSync(current)) {
      this.switchTo(current, 0);
      this.readFrom(current, lines);
    }
    return lines;
  }

  /** Reads a file that will not grow any more (rotated away) to its end, ending its last line. */
  private readRest(file: string, lines: string[]): void {
    this.readFrom(file, lines);
    this.flushPartial(lines);
  }

  private switchTo(file: string, offset: number): void {
    const stat = statSync(file, { bigint: true });
    this.cursor = { identity: identityOf(file, stat, Math.min(Number(stat.size), HEAD_BYTES)), offset };
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  /** Appends the whole lines from the cursor's offset to the file's end; keeps an unfinished last line. */
  private readFrom(file: string, lines: string[]): void {
    const size = sizeOf(file);
    if (size <= this.cursor.offset) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - this.cursor.offset));
      while (this.cursor.offset < size) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.cursor.offset), this.cursor.offset);
        if (read === 0) break;
        this.cursor.offset += read;
        const parts = (this.partial + this.decoder.write(buffer.subarray(0, read))).split(/\r?\n/);
        this.partial = parts.pop() ?? '';
        lines.push(...parts);
      }
    } finally {
      closeSync(fd);
    }
    // A file noted while empty gets its identity from its first bytes once it has some.
    if (this.cursor.identity && this.cursor.identity.headLength < HEAD_BYTES && size > this.cursor.identity.headLength) {
      const stat = statSync(file, { bigint: true });
      this.cursor.identity = identityOf(file, stat, Math.min(Number(stat.size), HEAD_BYTES));
    }
  }

  private flushPartial(lines: string[]): void {
    const rest = this.partial + this.decoder.end();
    if (rest !== '') lines.push(rest);
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }
}
