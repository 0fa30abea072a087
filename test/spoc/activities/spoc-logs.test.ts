/**
 * Log checks accept only lines written after the start they wait for: a stale ONLINE or rescue
 * line never counts; a rotated log is read with its predecessor, a truncated one is still read.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatLogTimestamp, lastLifecycleStatusSince, parseLogTimestamp, RESCUE_FINISHED_MARKER, rescueFinishedSince } from '../../../activities/spoc/spoc-logs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'spoc-logs-'));
const T0 = new Date(2026, 10, 22, 1, 0, 0, 0).getTime();
const line = (ms: number, text: string) => `${formatLogTimestamp(ms)} INFO  [SpocLifecycle] ${text}`;
const status = (ms: number, s: string) => line(ms, `Lifecycle status: ${s}`);

test('timestamps round-trip in the host\'s local time, with comma or dot milliseconds', () => {
  expect(parseLogTimestamp(status(T0 + 1234, 'ONLINE'))).toBe(T0 + 1234);
  expect(parseLogTimestamp('2026-11-22 01:00:01.5 INFO x')).toBe(T0 + 1500);
  expect(parseLogTimestamp('\tat java.lang.Thread.run(Thread.java:750)')).toBeUndefined();
});

test('an ONLINE written before the start does not count; the status after it does', () => {
  const file = path.join(dir, 'stale.log');
  writeFileSync(file, [status(T0, 'STARTING'), status(T0 + 1000, 'ONLINE'), status(T0 + 5000, 'STOPPING'), status(T0 + 6000, 'STARTING')].join('\r\n'));
  const since = T0 + 5500;
  expect(lastLifecycleStatusSince(file, since)).toEqual({ status: 'STARTING', at: T0 + 6000 });
  writeFileSync(file, [status(T0, 'STARTING'), status(T0 + 1000, 'ONLINE'), status(T0 + 6000, 'STARTING'), status(T0 + 9000, 'ONLINE')].join('\r\n'));
  expect(lastLifecycleStatusSince(file, since)).toEqual({ status: 'ONLINE', at: T0 + 9000 });
});

test('a stale rescue line from an earlier run is ignored', () => {
  const file = path.join(dir, 'spoc.log');
  writeFileSync(file, [line(T0, RESCUE_FINISHED_MARKER), line(T0 + 2000, 'other')].join('\n'));
  expect(rescueFinishedSince(file, T0 + 1000)).toBeUndefined();
  writeFileSync(file, [line(T0, RESCUE_FINISHED_MARKER), line(T0 + 3000, RESCUE_FINISHED_MARKER)].join('\n'));
  expect(rescueFinishedSince(file, T0 + 1000)).toBe(T0 + 3000);
});

test('a log rotated after the start is read together with its predecessor', () => {
  const file = path.join(dir, 'rotated.log');
  writeFileSync(file, [status(T0 + 1000, 'STARTING'), status(T0 + 2000, 'ONLINE')].join('\n'));
  renameSync(file, `${file}.1`);
  writeFileSync(file, line(T0 + 3000, 'something else'));
  expect(lastLifecycleStatusSince(file, T0 + 500)).toEqual({ status: 'ONLINE', at: T0 + 2000 });
});

test('a truncated log is read from what is left, and a missing one reads as nothing yet', () => {
  const file = path.join(dir, 'truncated.log');
  writeFileSync(file, [status(T0, 'ONLINE'), status(T0 + 1000, 'STOPPING')].join('\n'));
  writeFileSync(file, status(T0 + 4000, 'ONLINE'));
  expect(lastLifecycleStatusSince(file, T0 + 3000)).toEqual({ status: 'ONLINE', at: T0 + 4000 });
  expect(lastLifecycleStatusSince(path.join(dir, 'absent.log'), T0)).toBeUndefined();
});
