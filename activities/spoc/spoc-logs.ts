/**
 * Reading the SPOC's logs on the host: the last lifecycle status in `spoc_lifecycle.log`, and the
 * cache rescue line in `spoc.log`, counting only lines written after the SPOC start a step waits
 * for, so an ONLINE or a rescue line left by an earlier run proves nothing.
 *
 * Two ways to tell a new line (docs/spoc-group-maintenance.md#log-checks-trust-only-new-lines):
 * - by position, when the agent noted the log's identity and size as it started the SPOC: only
 *   bytes appended after that count, following a rotation (spoc-log-follower.ts). The time a line
 *   shows is a second check that only refuses lines stamped more than {@link STAMP_TOLERANCE_MS}
 *   before the start (a log replaced by an older one), never a line of an hour the clock repeated;
 * - by timestamp alone, when there is no note (a procedure started before the agent noted
 *   positions, a start made by someone else, a lost notes folder): lines stamped at or after the
 *   start, read in the host's local time, from the log and its rotated predecessor `<name>.1`.
 *
 * Lines the line pattern (spoc-log-format.ts) cannot read are counted, one kept as an example.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { readLogLine, type SpocLogFormat, spocLogFormat } from './spoc-log-format';
import { LogFollower, type LogPosition } from './spoc-log-follower';

export { formatLogTimestamp, parseLogTimestamp } from './spoc-log-format';

export const RESCUE_FINISHED_MARKER = "RescueCache| Rescue process for SPOC's cache finished.";
export const RECOVERY_FINISHED_MARKER = "Recovery process for SPOC's cache finished.";

/**
 * How far before the start a line after the noted position may be stamped and still count: more
 * than a clock going back for the end of summer time (one hour, two in a few places), so the
 * position decides and the time only catches a log replaced by an older one.
 */
export const STAMP_TOLERANCE_MS = 3 * 3600_000;

/** How much of the end of a log the timestamp rule reads: status lines of interest are recent. */
const TAIL_BYTES = 1024 * 1024;

/** How long an example of an unreadable line may be in a message. */
const EXAMPLE_CHARS = 200;

const STATUS = /Lifecycle status:\s*([A-Z_]+)\s*$/;

/** A line that counts: when it was written (host local time) and its message. */
export interface CountedLine {
  at: number;
  message: string;
}

/** How a wait told new lines from old ones and what it could not read; in the answer, the heartbeat and a timeout's reason. */
export interface LogCheckReport {
  basis: 'position noted at the start' | 'timestamps';
  /** In the operator's words: why this basis, and what happened to the log during the wait. */
  detail: string;
  unreadableLines: number;
  unreadableExample?: string;
  /** Lines after the noted position stamped more than the tolerance before the start (not counted). */
  stampedLongBeforeStart?: number;
}

/** Where a wait starts: the position noted at the start, or why there is none. */
export type LogWatchFrom = { position: LogPosition } | { noPositionBecause: string };

/**
 * One log watched during one wait. `poll` gives the lines that count: by position only the new
 * ones since the last poll; by timestamp every one that counts (`all`), read again each time.
 */
export class SpocLogWatch {
  private readonly follower: LogFollower | undefined;
  private unreadable = 0;
  private example: string | undefined;
  private readable = 0;
  private stampedLongBefore = 0;

  constructor(
    private readonly file: string,
    private readonly since: number,
    private readonly from: LogWatchFrom,
    private readonly format: SpocLogFormat = spocLogFormat(),
  ) {
    this.follower = 'position' in from ? new LogFollower(from.position) : undefined;
  }

  poll(): { lines: CountedLine[]; all: boolean } {
    if (!this.follower) {
      this.unreadable = 0;
      this.readable = 0;
      return { lines: this.readLines([`${this.file}.1`, this.file].flatMap((f) => readTail(f).split(/\r?\n/)), (readings) => (readings[0] as number) >= this.since), all: true };
    }
    const lines = this.readLines(this.follower.read(), (readings) => {
      if ((readings[readings.length - 1] as number) >= this.since - STAMP_TOLERANCE_MS) return true;
      this.stampedLongBefore += 1;
      return false;
    });
    return { lines, all: false };
  }

  /** True when the log had lines to read and the pattern read none of them: the format is probably wrong. */
  onlyUnreadable(): boolean {
    return this.unreadable > 0 && this.readable === 0;
  }

  report(): LogCheckReport {
    const events = [...new Set(this.follower?.events ?? [])];
    const detail =
      'position' in this.from
        ? `by position: only lines appended after the position noted when the agent started the SPOC${events.length ? ` (during the wait the log was ${events.join(', ')})` : ''}`
        : `by their timestamps alone (at or after the start, host local time): ${this.from.noPositionBecause}; a line written in an hour the clock repeated may be missed`;
    return {
      basis: 'position' in this.from ? 'position noted at the start' : 'timestamps',
      detail,
      unreadableLines: this.unreadable,
      ...(this.example !== undefined ? { unreadableExample: this.example } : {}),
      ...('position' in this.from ? { stampedLongBeforeStart: this.stampedLongBefore } : {}),
    };
  }

  /** The report as sentences for a timeout's reason or a log line. */
  describe(): string {
    const r = this.report();
    const parts = [`Lines were judged ${r.detail}.`];
    if (r.stampedLongBeforeStart) parts.push(`${r.stampedLongBeforeStart} line(s) after the noted position are stamped more than ${STAMP_TOLERANCE_MS / 3600_000} h before the start and were not counted (was the log replaced by an older one?).`);
    if (r.unreadableLines > 0) {
      parts.push(`${r.unreadableLines} line(s) did not match the line pattern, for example: ${JSON.stringify(r.unreadableExample)}.`);
      if (this.onlyUnreadable()) {
        parts.push(
          `No line could be read: the log's format is probably not the one the agent expects (${this.format.configured ? 'the configured' : 'the default'} pattern ${this.format.source}). ` +
            "Set spocSiteServer.logLineFormat in the agent's configuration to a regular expression naming (?<timestamp>...) and (?<message>...) (docs/spoc-group-maintenance.md#log-checks-trust-only-new-lines).",
        );
      }
    }
    return parts.join(' ');
  }

  private readLines(raw: string[], stampCounts: (readings: number[]) => boolean): CountedLine[] {
    const counted: CountedLine[] = [];
    for (const text of raw) {
      const reading = readLogLine(this.format, text);
      if (reading?.kind === 'unreadable') {
        this.unreadable += 1;
        this.example ??= text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS)}…` : text;
      }
      if (reading?.kind !== 'read') continue;
      this.readable += 1;
      const { readings, message } = reading.line;
      if (!stampCounts(readings)) continue;
      // A line of an hour the clock repeated reads as its later instant when the earlier is before the start.
      counted.push({ at: readings.find((r) => r >= this.since) ?? (readings[readings.length - 1] as number), message });
    }
    return counted;
  }
}

/** The lifecycle status a line reports, if it reports one. */
export function lifecycleStatusOf(line: CountedLine): string | undefined {
  return STATUS.exec(line.message)?.[1];
}

/** Whether a line says the cache rescue finished. */
export function saysRescueFinished(line: CountedLine): boolean {
  return line.message.includes(RESCUE_FINISHED_MARKER);
}

/** The last lifecycle status written at or after `since` by the timestamp rule, if any. */
export function lastLifecycleStatusSince(file: string, since: number, format?: SpocLogFormat): { status: string; at: number } | undefined {
  let last: { status: string; at: number } | undefined;
  for (const line of new SpocLogWatch(file, since, { noPositionBecause: 'asked by time' }, format).poll().lines) {
    const status = lifecycleStatusOf(line);
    if (status) last = { status, at: line.at };
  }
  return last;
}

/** When the rescue-finished line was written at or after `since` by the timestamp rule, if it was. */
export function rescueFinishedSince(file: string, since: number, format?: SpocLogFormat): number | undefined {
  return new SpocLogWatch(file, since, { noPositionBecause: 'asked by time' }, format).poll().lines.find(saysRescueFinished)?.at;
}

function readTail(file: string): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
