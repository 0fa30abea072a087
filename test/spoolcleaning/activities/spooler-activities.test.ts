// Proves a spooler's activities: its report lists the job folders on disk, a delete command
// removes a job's folder once (a repeated command deletes nothing), a job id that would leave the
// spool folder is refused before anything is touched, and a disconnected spooler neither reports
// nor receives commands.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSpoolerActivities, SpoolerUnreachableError, type SpoolCleaningAuditEntry } from '../../../activities/spoolcleaning/spool-cleaning-activities';
import { SpoolFolder } from '../../../activities/spoolcleaning/spool-folder';

let dir: string;
let connected: boolean;
let audit: SpoolCleaningAuditEntry[];
const folder = () => new SpoolFolder(path.join(dir, 'spl-1'));
const activities = () => createSpoolerActivities({ folderOf: () => folder(), reachable: () => connected, audit: (e) => audit.push(e) });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-spool-folder-'));
  connected = true;
  audit = [];
  folder().write({ jobId: 'job-1', state: 'printed', submittedAt: 5 }, '%!PS');
  folder().write({ jobId: 'job-2', state: 'waiting', submittedAt: 6 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the report lists every job folder with its state and submission time; a folder still being written is left out', async () => {
  mkdirSync(path.join(dir, 'spl-1', 'job-3'));
  writeFileSync(path.join(dir, 'spl-1', 'job-3', 'data.prn'), '');
  expect(await activities().reportSpooledJobs({ spooler: 'spl-1' })).toEqual([
    { jobId: 'job-1', state: 'printed', submittedAt: 5 },
    { jobId: 'job-2', state: 'waiting', submittedAt: 6 },
  ]);
});

test('a delete command removes the job folder once; again it deletes nothing', async () => {
  expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'] })).toEqual({ 'job-1': 'deleted' });
  expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'] })).toEqual({ 'job-1': 'already-gone' });
  expect(existsSync(path.join(dir, 'spl-1', 'job-1'))).toBe(false);
  expect(audit.map((e) => e.outcome)).toEqual(['deleted', 'already-gone']);
});

test('a job id that names a path outside the spool folder is refused before anything is deleted', async () => {
  await expect(activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-2', '../spl-2'] })).rejects.toThrow(/jobIds\.1: must be a job id/);
  expect(folder().has('job-2')).toBe(true);
});

test('a disconnected spooler neither reports nor receives delete commands', async () => {
  connected = false;
  await expect(activities().reportSpooledJobs({ spooler: 'spl-1' })).rejects.toThrow(SpoolerUnreachableError);
  await expect(activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'] })).rejects.toThrow(SpoolerUnreachableError);
  expect(folder().has('job-1')).toBe(true);
});

test('a report in pages lists every job once, in job id order, a page at a time; a folder still being written is skipped', async () => {
  for (const id of ['B-7', 'a.1', 'job-0', 'job-10', 'z_9']) folder().write({ jobId: id, state: 'printed', submittedAt: 1 });
  mkdirSync(path.join(dir, 'spl-1', 'job-3'));
  const seen: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const page = await activities().listSpooledJobsPage({ spooler: 'spl-1', after, limit: 2 });
    seen.push(page.jobs.map((j) => j.jobId));
    if (!page.more) break;
    after = page.jobs.at(-1)!.jobId;
  }
  // Code-unit order (upper case before lower), as the Job Service's store orders job ids.
  expect(seen).toEqual([['B-7', 'a.1'], ['job-0', 'job-1'], ['job-10', 'job-2'], ['z_9']]);
  expect(seen.flat()).toEqual((await activities().reportSpooledJobs({ spooler: 'spl-1' })).map((j) => j.jobId));
});

test('a page request past the page size, or with a cursor that is no job id, is refused naming the field', async () => {
  await expect(activities().listSpooledJobsPage({ spooler: 'spl-1', after: null, limit: 5001 })).rejects.toThrow(/limit: .*5000/);
  await expect(activities().listSpooledJobsPage({ spooler: 'spl-1', after: '../x', limit: 10 })).rejects.toThrow(/after: must be a job id/);
  connected = false;
  await expect(activities().listSpooledJobsPage({ spooler: 'spl-1', after: null, limit: 10 })).rejects.toThrow(SpoolerUnreachableError);
});

test.each([
  ['job-1.', /must not end with "\."/],
  ['NUL', /must not be a Windows device name/],
  ['com1.txt', /must not be a Windows device name/],
  ['Lpt9', /must not be a Windows device name/],
])('a delete command for %j, which Windows reads as another name, is refused before anything is deleted', async (jobId, rule) => {
  await expect(activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-2', jobId] })).rejects.toThrow(rule);
  expect(folder().has('job-1')).toBe(true);
  expect(folder().has('job-2')).toBe(true);
  expect(audit).toEqual([]);
});
