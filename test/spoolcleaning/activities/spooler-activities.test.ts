// Proves a spooler's activities: its report lists the job folders on disk, a delete command
// removes a job's folder once (a repeated command deletes nothing), a job id that would leave the
// spool folder is refused before anything is touched, and a disconnected spooler neither reports
// nor receives commands.
import fs, { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('a job that changed since the listing the command was decided on is kept', () => {
  test('printed again, released, or resubmitted since the listing: kept; still as listed: deleted', async () => {
    folder().write({ jobId: 'job-3', state: 'printed', submittedAt: 7 });
    folder().write({ jobId: 'job-4', state: 'failed', submittedAt: 8 });
    // Since the listing: job-1 is printed again, job-2 released and printed, job-3 resubmitted (a new submission time).
    folder().write({ jobId: 'job-1', state: 'printing', submittedAt: 5 });
    folder().write({ jobId: 'job-2', state: 'printed', submittedAt: 6 });
    folder().write({ jobId: 'job-3', state: 'printed', submittedAt: 70 });
    const asListed = [
      { jobId: 'job-1', state: 'printed' as const, submittedAt: 5 },
      { jobId: 'job-2', state: 'waiting' as const, submittedAt: 6 },
      { jobId: 'job-3', state: 'printed' as const, submittedAt: 7 },
      { jobId: 'job-4', state: 'failed' as const, submittedAt: 8 },
    ];
    expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1', 'job-2', 'job-3', 'job-4'], asListed })).toEqual({
      'job-1': 'kept-printing',
      'job-2': 'kept-changed',
      'job-3': 'kept-changed',
      'job-4': 'deleted',
    });
    expect(['job-1', 'job-2', 'job-3', 'job-4'].map((id) => folder().has(id))).toEqual([true, true, true, false]);
    expect(audit.map((e) => `${e.target}: ${e.outcome}`)).toEqual(['job-1: kept-printing', 'job-2: kept-changed', 'job-3: kept-changed', 'job-4: deleted']);
  });

  test('a job being printed is never deleted, also by a command that does not say how the job was listed', async () => {
    folder().write({ jobId: 'job-1', state: 'printing', submittedAt: 5 });
    expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1', 'job-2'] })).toEqual({ 'job-1': 'kept-printing', 'job-2': 'deleted' });
    expect(folder().has('job-1')).toBe(true);
  });

  test('a job folder whose job.json cannot be read now is kept: it is being written', async () => {
    writeFileSync(path.join(dir, 'spl-1', 'job-1', 'job.json'), '{"state": "prin');
    expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'], asListed: [{ jobId: 'job-1', state: 'printed', submittedAt: 5 }] })).toEqual({ 'job-1': 'kept-unreadable' });
    expect(folder().has('job-1')).toBe(true);
  });

  test('a job whose spool data cannot be removed (locked) fails alone and stays listed; the other jobs of the command are deleted', async () => {
    const realRm = fs.rmSync;
    const rm = jest.spyOn(fs, 'rmSync').mockImplementation((target, options) => {
      if (String(target).endsWith(path.join('job-1', 'data.prn'))) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      realRm(target, options);
    });
    try {
      expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1', 'job-2'] })).toEqual({ 'job-1': 'failed', 'job-2': 'deleted' });
    } finally {
      rm.mockRestore();
    }
    // Its job.json goes last, so the job is still listed and a later report commands it again.
    expect(await activities().reportSpooledJobs({ spooler: 'spl-1' })).toEqual([{ jobId: 'job-1', state: 'printed', submittedAt: 5 }]);
  });

  test('the empty folder a delete cut off after its last file leaves is removed by the retried command, which finds the job gone', async () => {
    rmSync(path.join(dir, 'spl-1', 'job-1'), { recursive: true });
    mkdirSync(path.join(dir, 'spl-1', 'job-1'));
    expect(await activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'], asListed: [{ jobId: 'job-1', state: 'printed', submittedAt: 5 }] })).toEqual({ 'job-1': 'already-gone' });
    expect(existsSync(path.join(dir, 'spl-1', 'job-1'))).toBe(false);
  });

  test('a listed job the command does not name is refused naming the field, before anything is deleted', async () => {
    await expect(activities().deleteSpooledJobs({ spooler: 'spl-1', jobIds: ['job-1'], asListed: [{ jobId: 'job-2', state: 'waiting', submittedAt: 6 }] })).rejects.toThrow(
      /asListed\.0\.jobId: job "job-2" is listed but not commanded/,
    );
    expect(folder().has('job-1')).toBe(true);
  });
});
