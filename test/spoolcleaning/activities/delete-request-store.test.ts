// Proves the durable store of delete requests keeps the product's semantics (requests cached by a
// cleaning run, delete commands and TTL renewal on a report, expired requests dropped), survives a
// reopen of its file, applies a report or a run once however often it is retried, and decides
// exactly as the pure model does.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore, IMPLAUSIBLE_NAMED, REQUESTS_NAMED } from '../../../activities/spoolcleaning/delete-request-store';
import { createCentralSpoolCleaningActivities } from '../../../activities/spoolcleaning/spool-cleaning-activities';
import { parseInput } from '../../../machines/core/input-errors';
import { DELETE_COMMANDS_PER_REPORT } from '../../../machines/spoolcleaning/report-decision';
import { spoolCleaningConfigSchema, type OrphanHealing, type SpoolCleaningConfig } from '../../../machines/spoolcleaning/spool-cleaning-config';
import type { ReportedJob } from '../../../machines/spoolcleaning/spool-jobs';

const DAY = 24 * 3_600_000;
let dir: string;
let store: DeleteRequestStore;

function config(healing: OrphanHealing = 'keep'): SpoolCleaningConfig {
  return parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['spl-1', 'spl-2'], orphans: { healing } });
}

const printed = (jobId: string): ReportedJob => ({ jobId, state: 'printed', submittedAt: 0 });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-cleaning-store-'));
  store = new DeleteRequestStore(path.join(dir, 'job-service.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a cleaning run caches a request per deletable job once; a report gets its delete commands and renews the TTL', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a'), { jobId: 'b', state: 'waiting', submittedAt: 0 }] }, cfg);
  expect(store.runCleaning('c1', 2 * DAY, cfg).requested.map((r) => r.jobId)).toEqual(['a']);
  expect(store.runCleaning('c2', 3 * DAY, cfg).requested).toEqual([]);
  const decision = store.applyReport('r2', { spooler: 'spl-1', at: 4 * DAY, jobs: [printed('a'), { jobId: 'b', state: 'waiting', submittedAt: 0 }] }, cfg);
  expect(decision.deleteCommands).toEqual(['a']);
  expect(store.requestsFor('spl-1', ['a'])).toEqual([{ jobId: 'a', spooler: 'spl-1', requestedAt: 2 * DAY, expiresAt: 11 * DAY, reissued: false }]);
});

test('a job of the same id on another spooler is another job', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a')] }, cfg);
  store.runCleaning('c1', 2 * DAY, cfg);
  expect(store.applyReport('r2', { spooler: 'spl-2', at: 3 * DAY, jobs: [printed('a')] }, cfg).deleteCommands).toEqual([]);
});

test('a report retried under the same id returns the first decision and does not renew the TTL again', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a')] }, cfg);
  store.runCleaning('c1', 2 * DAY, cfg);
  const first = store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs: [printed('a')] }, cfg);
  const again = store.applyReport('r2', { spooler: 'spl-1', at: 5 * DAY, jobs: [printed('a')] }, cfg);
  expect(again).toEqual(first);
  // The command carries the job as listed: the spooler deletes it only while it is still so.
  expect(first).toEqual({ deleteCommands: ['a'], asListed: [printed('a')], deferred: 0, renewed: 1, reissued: 0, orphans: [], orphanCount: 0 });
  expect(store.requestsFor('spl-1', ['a'])[0]?.expiresAt).toBe(10 * DAY);
});

test("a report's outcome is what the loop needs, not every reported job; a cleaning run over thousands of jobs names the first and counts all", () => {
  const cfg = config();
  const jobs = Array.from({ length: REQUESTS_NAMED * 5 }, (_, i) => printed(`job-${String(i).padStart(5, '0')}`));
  const outcome = store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs }, cfg);
  expect(outcome).toEqual({ deleteCommands: [], asListed: [], deferred: 0, renewed: 0, reissued: 0, orphans: [], orphanCount: 0 });
  const run = store.runCleaning('c1', 2 * DAY, cfg);
  expect(run.requestedCount).toBe(jobs.length);
  expect(run.requested.map((r) => r.jobId)).toEqual(jobs.slice(0, REQUESTS_NAMED).map((j) => j.jobId));
  // Every job was asked for all the same: the next report sends a command for each.
  expect(store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs }, cfg).deleteCommands).toHaveLength(jobs.length);
});

test("a report's outcome names the first jobs listed with a time that cannot be true, and counts them all", () => {
  const at = Date.UTC(2026, 11, 7);
  const inSeconds = Array.from({ length: IMPLAUSIBLE_NAMED + 5 }, (_, i): ReportedJob => ({ jobId: `s-${String(i).padStart(3, '0')}`, state: 'printed', submittedAt: Math.floor(at / 1000) }));
  const outcome = store.applyReport('r1', { spooler: 'spl-1', at, jobs: [...inSeconds, { jobId: 'fine', state: 'printed', submittedAt: at - DAY }] }, config('reissue'));
  expect(outcome.implausibleCount).toBe(inSeconds.length);
  expect(outcome.implausible).toEqual(inSeconds.slice(0, IMPLAUSIBLE_NAMED));
  expect(outcome.orphans).toEqual([]);
  expect(store.runCleaning('c1', at + 1000, config()).requested.map((r) => r.jobId)).toEqual(['fine']);
});

test('a cleaning run that reaches the Job Service hours after its time caches its requests from then: their TTL is whole, and a retry changes nothing', async () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a')] }, cfg);
  let now = 2 * DAY + 5 * 3_600_000;
  const jobService = createCentralSpoolCleaningActivities({ store, clock: () => now });
  // The run's workflow began at day 2; its activity waited five hours for a Job Service worker.
  const outcome = await jobService.runSpoolCleaning({ runId: 'late-run', at: 2 * DAY, config: { spoolers: ['spl-1', 'spl-2'] } });
  expect(outcome.requested).toEqual([{ jobId: 'a', spooler: 'spl-1', requestedAt: now, expiresAt: now + 7 * DAY, reissued: false }]);
  now += 3_600_000;
  expect(await jobService.runSpoolCleaning({ runId: 'late-run', at: 2 * DAY, config: { spoolers: ['spl-1', 'spl-2'] } })).toEqual(outcome);
  // A run on time (or a clock behind the workflow's) keeps the run's own time.
  const onTime = createCentralSpoolCleaningActivities({ store, clock: () => 0 });
  store.applyReport('r2', { spooler: 'spl-2', at: DAY / 2, jobs: [printed('b')] }, cfg);
  expect((await onTime.runSpoolCleaning({ runId: 'on-time', at: 3 * DAY, config: { spoolers: ['spl-1', 'spl-2'] } })).requested.map((r) => r.requestedAt)).toEqual([3 * DAY]);
});

test('the ids of applied reports are forgotten after 30 days by the reports alone, with no cleaning run', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: 0, jobs: [printed('a')] }, cfg);
  expect(store.applyReport('r1', { spooler: 'spl-1', at: 0, jobs: [printed('a')] }, cfg)).toEqual({ deleteCommands: [], asListed: [], deferred: 0, renewed: 0, reissued: 0, orphans: [], orphanCount: 0 });
  store.applyReport('r2', { spooler: 'spl-1', at: 31 * DAY, jobs: [] }, cfg);
  // r1's id is gone: the same id is a new report now (here one that finds the job overdue and keeps it).
  expect(store.applyReport('r1', { spooler: 'spl-1', at: 31 * DAY, jobs: [printed('a')] }, cfg).orphans.map((o) => [o.jobId, o.reason])).toEqual([['a', 'overdue']]);
});

test('requests, controller records and listed orphans survive closing and reopening the file', () => {
  const cfg = config('report');
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a'), printed('z')] }, cfg);
  store.runCleaning('c1', 2 * DAY, cfg);
  store.runCleaning('c2', 10 * DAY, cfg);
  store.applyReport('r2', { spooler: 'spl-1', at: 11 * DAY, jobs: [printed('a')] }, cfg);
  const before = store.snapshot();
  store.close();
  store = new DeleteRequestStore(path.join(dir, 'job-service.sqlite'));
  expect(store.snapshot()).toEqual(before);
  expect(before.orphans).toEqual([{ jobId: 'a', spooler: 'spl-1', reason: 'request-expired', action: 'reported', foundAt: 11 * DAY }]);
});

test("the document's edge case through the store: the request expires while the spooler is away; reissue deletes it on its return", () => {
  const cfg = config('reissue');
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a')] }, cfg);
  store.runCleaning('c1', 2 * DAY, cfg);
  expect(store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs: [printed('a')] }, cfg).deleteCommands).toEqual(['a']); // never arrives
  expect(store.runCleaning('c2', 10 * DAY, cfg).expired).toBe(1);
  const back = store.applyReport('r3', { spooler: 'spl-1', at: 11 * DAY, jobs: [printed('a')] }, cfg);
  expect(back.deleteCommands).toEqual(['a']);
  expect(back.orphans.map((o) => [o.jobId, o.reason, o.action])).toEqual([['a', 'request-expired', 'reissued']]);
  expect(store.runCleaning('c3', 12 * DAY, cfg).requested).toEqual([]);
});

test('a listed orphan leaves the list when its spooler deleted it', () => {
  const cfg = config('report');
  store.applyReport('r1', { spooler: 'spl-1', at: 8 * DAY, jobs: [printed('a')] }, cfg);
  expect(store.snapshot().orphans.map((o) => o.reason)).toEqual(['overdue']);
  store.jobsDeleted('spl-1', ['a']);
  expect(store.snapshot().orphans).toEqual([]);
});

test('the controller forgets a job its spooler no longer reports, and its listed orphan: nothing is kept of jobs long gone', () => {
  const cfg = config('report');
  store.applyReport('r1', { spooler: 'spl-1', at: 8 * DAY, jobs: [printed('a'), printed('b'), printed('c')] }, cfg);
  store.applyReport('r2', { spooler: 'spl-2', at: 8 * DAY, jobs: [printed('a')] }, cfg);
  expect(store.snapshot().orphans.map((o) => [o.spooler, o.jobId])).toEqual([['spl-1', 'a'], ['spl-1', 'b'], ['spl-1', 'c'], ['spl-2', 'a']]);
  // b was removed from spl-1's disk by hand, c deleted on a command: neither is reported again.
  store.applyReport('r3', { spooler: 'spl-1', at: 9 * DAY, jobs: [printed('a')] }, cfg);
  const after = store.snapshot();
  expect(after.controllerJobs.map((j) => [j.spooler, j.jobId])).toEqual([['spl-1', 'a'], ['spl-2', 'a']]);
  expect(after.orphans.map((o) => [o.spooler, o.jobId])).toEqual([['spl-1', 'a'], ['spl-2', 'a']]);
  // The cleaning asks only for jobs still on a disk.
  expect(store.runCleaning('c1', 10 * DAY, cfg).requested.map((r) => [r.spooler, r.jobId])).toEqual([['spl-1', 'a'], ['spl-2', 'a']]);
  // A spooler that reports an empty disk leaves the controller nothing of it.
  store.applyReport('r4', { spooler: 'spl-2', at: 11 * DAY, jobs: [] }, cfg);
  expect(store.snapshot().controllerJobs.map((j) => [j.spooler, j.jobId])).toEqual([['spl-1', 'a']]);
});

test('a report sent in pages decides exactly as the same report sent whole, and leaves no page behind', () => {
  const cfg = config('reissue');
  const jobs = Array.from({ length: 30 }, (_, i) => printed(`job-${String(i).padStart(2, '0')}`));
  const other = new DeleteRequestStore(path.join(dir, 'whole.sqlite'));
  try {
    for (const s of [store, other]) {
      s.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs }, cfg);
      s.runCleaning('c1', 2 * DAY, cfg);
    }
    // Some jobs went from the disk meanwhile, a new one came (no request yet): the same on both.
    const now = jobs.filter((_, i) => i % 4 !== 0).concat([{ jobId: 'late', state: 'printed', submittedAt: 0 }]);
    const whole = other.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs: now }, cfg);
    store.stageReportPage('r2', 'spl-1', 3 * DAY, now.slice(0, 10));
    store.stageReportPage('r2', 'spl-1', 3 * DAY, now.slice(10, 20));
    store.stageReportPage('r2', 'spl-1', 3 * DAY, now.slice(10, 20)); // a retried page replaces itself
    const paged = store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs: now.slice(20) }, cfg);
    expect(paged).toEqual(whole);
    expect(paged.deleteCommands).toEqual(now.filter((j) => j.jobId !== 'late').map((j) => j.jobId));
    expect(store.snapshot()).toEqual(other.snapshot());
    // A retry of the last page gets the first outcome; the staged pages are gone.
    expect(store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs: now.slice(20) }, cfg)).toEqual(whole);
    const staged = store.applyReport('r3', { spooler: 'spl-1', at: 4 * DAY, jobs: [] }, cfg);
    expect(staged.deleteCommands).toEqual([]);
    expect(store.snapshot().controllerJobs).toEqual([]);
  } finally {
    other.close();
  }
});

test("a report that stops at listedThrough forgets only the jobs up to there: those after it are the spooler's still", () => {
  const cfg = config();
  const ids = ['a1', 'a2', 'b1', 'b2', 'c1'];
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: ids.map(printed) }, cfg);
  // a2 went; the report lists up to b1 only: b2 and c1 are not seen and stay, a2 is forgotten.
  store.applyReport('r2', { spooler: 'spl-1', at: DAY, jobs: ['a1', 'b1'].map(printed), listedThrough: 'b1' }, cfg);
  expect(store.snapshot().controllerJobs.map((j) => j.jobId)).toEqual(['a1', 'b1', 'b2', 'c1']);
  store.applyReport('r3', { spooler: 'spl-1', at: DAY, jobs: ['a1', 'b1'].map(printed) }, cfg);
  expect(store.snapshot().controllerJobs.map((j) => j.jobId)).toEqual(['a1', 'b1']);
});

test('a report past the command limit sends the first commands, defers the rest with their requests renewed, and the next report sends them', () => {
  const cfg = config();
  const jobs = Array.from({ length: DELETE_COMMANDS_PER_REPORT + 7 }, (_, i) => printed(`j${String(i).padStart(5, '0')}`));
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs }, cfg);
  expect(store.runCleaning('c1', 2 * DAY, cfg).requestedCount).toBe(jobs.length);
  const first = store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs }, cfg);
  expect(first.deleteCommands).toEqual(jobs.slice(0, DELETE_COMMANDS_PER_REPORT).map((j) => j.jobId));
  expect(first.deferred).toBe(7);
  expect(first.renewed).toBe(jobs.length);
  expect(store.requestsFor('spl-1', [jobs.at(-1)!.jobId])[0]?.expiresAt).toBe(3 * DAY + 7 * DAY);
  // The spooler deleted the first commands; the next report sends the deferred ones.
  const next = store.applyReport('r3', { spooler: 'spl-1', at: 4 * DAY, jobs: jobs.slice(DELETE_COMMANDS_PER_REPORT) }, cfg);
  expect(next.deleteCommands).toEqual(jobs.slice(DELETE_COMMANDS_PER_REPORT).map((j) => j.jobId));
  expect(next.deferred).toBe(0);
});

test('a report outcome stored before the counts, or as the whole decision, reads with its counts', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs: [printed('a')] }, cfg);
  store.runCleaning('c1', 2 * DAY, cfg);
  const db = new Database(path.join(dir, 'job-service.sqlite'));
  const request = { jobId: 'a', spooler: 'spl-1', requestedAt: 2 * DAY, expiresAt: 10 * DAY, reissued: false };
  const asDecision = { deleteCommands: ['a'], putRequests: [request], dropRequests: [], putControllerJobs: [], orphans: [] };
  const beforeCounts = { deleteCommands: ['a'], renewed: 1, reissued: 0, orphans: [] };
  db.prepare('INSERT INTO applied (id, at, outcome) VALUES (?, ?, ?), (?, ?, ?)').run('old-1', 3 * DAY, JSON.stringify(asDecision), 'old-2', 3 * DAY, JSON.stringify(beforeCounts));
  db.close();
  const expected = { deleteCommands: ['a'], deferred: 0, renewed: 1, reissued: 0, orphans: [], orphanCount: 0 };
  expect(store.applyReport('old-1', { spooler: 'spl-1', at: 3 * DAY, jobs: [printed('a')] }, cfg)).toEqual(expected);
  expect(store.applyReport('old-2', { spooler: 'spl-1', at: 3 * DAY, jobs: [printed('a')] }, cfg)).toEqual(expected);
});

test('a cleaning run forgets the spoolers the configuration no longer lists, and only those; one listed again starts afresh', () => {
  const both = config('report');
  store.applyReport('r1', { spooler: 'spl-1', at: 8 * DAY, jobs: [printed('a')] }, both);
  store.applyReport('r2', { spooler: 'spl-2', at: 8 * DAY, jobs: [printed('b'), printed('c')] }, both);
  expect(store.runCleaning('c1', 9 * DAY, both).spoolersForgotten).toBeUndefined();
  const onlyOne = parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['spl-1'], orphans: { healing: 'report' } });
  const run = store.runCleaning('c2', 10 * DAY, onlyOne);
  expect(run.spoolersForgotten).toEqual(['spl-2']);
  const left = store.snapshot();
  for (const rows of [left.controllerJobs, left.requests, left.orphans]) expect(new Set(rows.map((r) => r.spooler))).toEqual(new Set(['spl-1']));
  expect(left.requests.map((r) => r.jobId)).toEqual(['a']);
  // spl-2 listed again: its report tells the controller its jobs, and the cleaning asks for them once more.
  store.applyReport('r3', { spooler: 'spl-2', at: 11 * DAY, jobs: [printed('b')] }, both);
  expect(store.runCleaning('c3', 12 * DAY, both).requested.map((r) => [r.spooler, r.jobId])).toEqual([['spl-2', 'b']]);
});
