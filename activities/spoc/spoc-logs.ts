/**
 * Reading the SPOC's logs on the host: the last lifecycle status in `spoc_lifecycle.log`, and the
 * cache rescue line in `spoc.log`. Only lines stamped at or after `since` count, so an ONLINE or a
 * rescue line left by an earlier run proves nothing. A log rotated since (`<name>.1`) is read too,
 * and a truncated one simply has fewer lines.
 *
 * Line format (log4j-style): `2026-11-22 01:28:34,123 INFO  [Thread] message`; the timestamp is
 * the host's local time, which is why these checks run on the host's own agent.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';

export const RESCUE_FINISHED_MARKER = "RescueCache| Rescue process for SPOC's cache finished.";
export const RECOVERY_FINISHED_MARKER = "Recovery process for SPOC's cache finished.";

/** How much of the end of a log is read: status lines of interest are recent. */
const TAIL_BYTES = 1024 * 1024;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,3}))?/;
const STATUS = /Lifecycle status:\s*([A-Z_]+)\s*$/;

/** Formats a time as the SPOC logs do (host local time, milliseconds after a comma). */
export function formatLogTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** The time a log line was written, or undefined for continuation lines (stack traces). */
export function parseLogTimestamp(line: string): number | undefined {
  const m = TIMESTAMP.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0'))).getTime();
}

/** Lines of the log (and its rotated predecessor) written at or after `since`, oldest first. */
export function linesSince(file: string, since: number): string[] {
  const lines: string[] = [];
  for (const candidate of [`${file}.1`, file]) {
    for (const line of readTail(candidate).split(/\r?\n/)) {
      const at = parseLogTimestamp(line);
      if (at !== undefined && at >= since) lines.push(line);
    }
  }
  return lines;
}

/** The last lifecycle status written at or after `since`, if any. */
export function lastLifecycleStatusSince(file: string, since: number): { status: string; at: number } | undefined {
  let last: { status: string; at: number } | undefined;
  for (const line of linesSince(file, since)) {
    const status = STATUS.exec(line)?.[1];
    const at = parseLogTimestamp(line);
    if (status && at !== undefined) last = { status, at };
  }
  return last;
}

/** When the rescue-finished line was written at or after `since`, if it was. */
export function rescueFinishedSince(file: string, since: number): number | undefined {
  const line = linesSince(file, since).find((l) => l.includes(RESCUE_FINISHED_MARKER));
  return line ? parseLogTimestamp(line) : undefined;
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
