// Proves the durable store of delete requests keeps the product's semantics (requests cached by a
// cleaning run, delete commands and TTL renewal on a report, expired requests dropped), survives a
// reopen of its file, applies a report or a run once however often it is retried, and decides
// exactly as the pure model does.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore, REQUESTS_NAMED } from '../../../activities/spoolcleaning/delete-request-store';
import { parseInput } from '../../../machines/core/input-errors';
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
  expect(first).toEqual({ deleteCommands: ['a'], renewed: 1, reissued: 0, orphans: [] });
  expect(store.requestsFor('spl-1', ['a'])[0]?.expiresAt).toBe(10 * DAY);
});

test("a report's outcome is what the loop needs, not every reported job; a cleaning run over thousands of jobs names the first and counts all", () => {
  const cfg = config();
  const jobs = Array.from({ length: REQUESTS_NAMED * 5 }, (_, i) => printed(`job-${String(i).padStart(5, '0')}`));
  const outcome = store.applyReport('r1', { spooler: 'spl-1', at: DAY / 2, jobs }, cfg);
  expect(outcome).toEqual({ deleteCommands: [], renewed: 0, reissued: 0, orphans: [] });
  const run = store.runCleaning('c1', 2 * DAY, cfg);
  expect(run.requestedCount).toBe(jobs.length);
  expect(run.requested.map((r) => r.jobId)).toEqual(jobs.slice(0, REQUESTS_NAMED).map((j) => j.jobId));
  // Every job was asked for all the same: the next report sends a command for each.
  expect(store.applyReport('r2', { spooler: 'spl-1', at: 3 * DAY, jobs }, cfg).deleteCommands).toHaveLength(jobs.length);
});

test('the ids of applied reports are forgotten after 30 days by the reports alone, with no cleaning run', () => {
  const cfg = config();
  store.applyReport('r1', { spooler: 'spl-1', at: 0, jobs: [printed('a')] }, cfg);
  expect(store.applyReport('r1', { spooler: 'spl-1', at: 0, jobs: [printed('a')] }, cfg)).toEqual({ deleteCommands: [], renewed: 0, reissued: 0, orphans: [] });
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
