/**
 * Following a log from a noted position gives exactly the lines appended after it, whichever way
 * the log rotates (renamed once or more, copied and truncated, deleted), and a line still being
 * written only once it ends. A local time of the hour a clock repeats has two readings.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogFollower, noteLogPosition, rotatedFilesOf } from '../../../activities/spoc/spoc-log-follower';

const dir = mkdtempSync(path.join(os.tmpdir(), 'spoc-log-follower-'));
let n = 0;
const freshLog = (content: string) => {
  n += 1;
  const file = path.join(dir, `log-${n}`, 'spoc.log');
  execFileSync('mkdir', ['-p', path.dirname(file)]);
  writeFileSync(file, content);
  return file;
};

test('only lines appended after the noted position are given, each once', () => {
  const file = freshLog('old 1\r\nold 2\r\n');
  const follower = new LogFollower(noteLogPosition(file));
  expect(follower.read()).toEqual([]);
  appendFileSync(file, 'new 1\r\nnew 2\r\n');
  expect(follower.read()).toEqual(['new 1', 'new 2']);
  appendFileSync(file, 'new 3\n');
  expect(follower.read()).toEqual(['new 3']);
});

test('a line still being written is given once it ends', () => {
  const file = freshLog('old\n');
  const follower = new LogFollower(noteLogPosition(file));
  appendFileSync(file, 'Lifecycle status: ONLI');
  expect(follower.read()).toEqual([]);
  appendFileSync(file, 'NE\n');
  expect(follower.read()).toEqual(['Lifecycle status: ONLINE']);
});

test('renamed twice during the wait: the rest of the noted file, the rotated one between, then the new file', () => {
  const file = freshLog('old\n');
  const follower = new LogFollower(noteLogPosition(file));
  appendFileSync(file, 'a\n');
  renameSync(file, `${file}.1`);
  writeFileSync(file, 'b\n');
  renameSync(`${file}.1`, `${file}.2`);
  renameSync(file, `${file}.1`);
  writeFileSync(file, 'c\n');
  expect(rotatedFilesOf(file)).toEqual([`${file}.2`, `${file}.1`]);
  expect(follower.read()).toEqual(['a', 'b', 'c']);
  appendFileSync(file, 'd\n');
  expect(follower.read()).toEqual(['d']);
});

test('copied and truncated in place: the copy is read from the position, then the file from its start', () => {
  const file = freshLog('old line one\n');
  const follower = new LogFollower(noteLogPosition(file));
  appendFileSync(file, 'a\n');
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, 'b\n');
  expect(follower.read()).toEqual(['a', 'b']);
});

test('the noted file gone after rotating: the new file is read from its start', () => {
  const file = freshLog('old\n');
  const follower = new LogFollower(noteLogPosition(file));
  rmSync(file);
  writeFileSync(file, 'fresh\n');
  expect(follower.read()).toEqual(['fresh']);
  // The file system may give the new file the old one's id: then it reads as replaced.
  expect(follower.events).toEqual([expect.stringMatching(/^(noted file gone|truncated or replaced)$/)]);
});

test('a log that did not exist when noted is read whole once it appears', () => {
  const file = path.join(freshLog(''), '..', 'absent.log');
  const follower = new LogFollower(noteLogPosition(file));
  expect(follower.read()).toEqual([]);
  writeFileSync(file, 'first\n');
  expect(follower.read()).toEqual(['first']);
});

test('a local time of the hour the clock repeats has two readings an hour apart; other times one', () => {
  // The zone must be set before the process starts, so this runs in a child process.
  const script = `
    const { localTimeReadings } = require(${JSON.stringify(path.resolve(__dirname, '../../../activities/spoc/spoc-log-format.ts'))});
    console.log(JSON.stringify([localTimeReadings([2026, 10, 25, 2, 30, 0, 0]), localTimeReadings([2026, 10, 25, 1, 30, 0, 0]), localTimeReadings([2026, 10, 25, 3, 30, 0, 0])]));
  `;
  const tsx = path.resolve(__dirname, '../../../node_modules/.bin/tsx');
  const out = JSON.parse(execFileSync(tsx, ['-e', script], { env: { ...process.env, TZ: 'Europe/Prague' } }).toString()) as number[][];
  // 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC (winter time).
  expect(out[0]).toEqual([Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30)]);
  expect(out[1]).toEqual([Date.UTC(2026, 9, 24, 23, 30)]);
  expect(out[2]).toEqual([Date.UTC(2026, 9, 25, 2, 30)]);
});
