/**
 * How the agent reads one line of a SPOC log: a regular expression with named groups for the
 * time the line was written and its message. The vendor does not document the format; the default
 * is the log4j layout seen on site servers (`2026-11-22 01:28:34,123 INFO  [Thread] message`), and
 * an estate whose SPOC writes another layout configures its own pattern (the agent's
 * `spocLogFormat`). A line the pattern does not match is counted and shown, never skipped in
 * silence; continuation lines of a stack trace are expected and not counted.
 *
 * Times are the host's local time. On the night clocks go back an hour of local times repeats, so
 * a time may have two readings an hour apart; both are returned, earlier first.
 */

/** The default line pattern: log4j's `%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%t] %m`. */
export const DEFAULT_SPOC_LOG_PATTERN = String.raw`^(?<timestamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)\s+(?<message>.*)$`;

/** The time groups a pattern may name instead of one `timestamp` group. */
const TIME_PART_GROUPS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?/;

/** Lines that belong to the line before them (a stack trace), not lines of their own. */
const CONTINUATION = /^(?:\s|Caused by:|\.\.\. \d+ more|[\w$]+(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b)/;

export interface SpocLogFormat {
  pattern: RegExp;
  /** The pattern as configured, for messages. */
  source: string;
  /** True when the agent's configuration set it. */
  configured: boolean;
}

/** A line the pattern read: its possible times (host local time, two on a repeated hour) and its message. */
export interface ReadLogLine {
  readings: number[];
  message: string;
}

export type LineReading = { kind: 'read'; line: ReadLogLine } | { kind: 'unreadable'; why: string } | { kind: 'continuation' };

/**
 * The format for a configured pattern (or the default). Throws, naming `spocLogFormat` and the
 * rule, when the pattern is no regular expression or lacks the groups the checks need.
 */
export function spocLogFormat(source?: string): SpocLogFormat {
  if (source === undefined) return { pattern: new RegExp(DEFAULT_SPOC_LOG_PATTERN), source: DEFAULT_SPOC_LOG_PATTERN, configured: false };
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch (err) {
    throw new Error(`spocLogFormat: is not a valid regular expression (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const groups = new Set([...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]));
  if (!groups.has('message')) throw new Error('spocLogFormat: must name the message with a group (?<message>...)');
  const parts = TIME_PART_GROUPS.filter((g) => groups.has(g));
  if (!groups.has('timestamp') && parts.length !== TIME_PART_GROUPS.length) {
    throw new Error(
      `spocLogFormat: must name the time a line was written, either as (?<timestamp>...) in the form 2026-11-22 01:28:34,123, or as the groups ${TIME_PART_GROUPS.join(', ')} (and optionally fraction)${parts.length ? `; it names only ${parts.join(', ')}` : ''}`,
    );
  }
  return { pattern, source, configured: true };
}

/** Formats a time as the SPOC logs do by default (host local time, milliseconds after a comma). */
export function formatLogTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** The time a line of the default format was written (its earlier reading), or undefined for another line. */
export function parseLogTimestamp(line: string): number | undefined {
  const m = TIMESTAMP.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = m;
  return localTimeReadings(timeParts(y, mo, d, h, mi, s, fraction))?.[0];
}

/** Reads one line: its time and message, or why it cannot be read, or that it continues the line before. */
export function readLogLine(format: SpocLogFormat, line: string): LineReading | undefined {
  if (line.trim() === '') return undefined;
  const groups = format.pattern.exec(line)?.groups;
  if (!groups) return CONTINUATION.test(line) ? { kind: 'continuation' } : { kind: 'unreadable', why: 'does not match the line pattern' };
  const readings = groups.timestamp !== undefined ? timestampReadings(groups.timestamp) : partsReadings(groups);
  if (!readings) return { kind: 'unreadable', why: 'its time is not understood' };
  return { kind: 'read', line: { readings, message: groups.message ?? '' } };
}

function timestampReadings(text: string): number[] | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = m;
  return localTimeReadings(timeParts(y, mo, d, h, mi, s, fraction));
}

function partsReadings(groups: Record<string, string | undefined>): number[] | undefined {
  return localTimeReadings(timeParts(groups.year, groups.month, groups.day, groups.hour, groups.minute, groups.second, groups.fraction));
}

type TimeParts = [number, number, number, number, number, number, number];

function timeParts(...texts: (string | undefined)[]): TimeParts {
  const [y, mo, d, h, mi, s, fraction] = texts;
  const ms = Number((fraction ?? '0').slice(0, 3).padEnd(3, '0'));
  return [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms];
}

/**
 * The instants a local wall-clock time may mean: one, or two an hour (the shift) apart when the
 * clock went back over it; undefined for a time that is no date (month 13).
 */
export function localTimeReadings([y, mo, d, h, mi, s, ms]: TimeParts): number[] | undefined {
  if ([y, mo, d, h, mi, s, ms].some((n) => !Number.isInteger(n))) return undefined;
  const first = new Date(y, mo - 1, d, h, mi, s, ms);
  if (first.getFullYear() !== y || first.getMonth() !== mo - 1 || first.getDate() !== d) return undefined;
  const t = first.getTime();
  // JavaScript reads a repeated local time as its earlier instant; the later one is the shift
  // after it, when the clock went back within the next few hours and shows the same time there.
  const shiftMs = (first.getTimezoneOffset() - new Date(t + 3 * 3600_000).getTimezoneOffset()) * -60_000;
  if (shiftMs > 0) {
    const later = new Date(t + shiftMs);
    if (later.getHours() === h && later.getMinutes() === mi && later.getDate() === d) return [t, later.getTime()];
  }
  return [t];
}
