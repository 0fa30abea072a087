/**
 * A real host's agent as a spooler of the spool cleaning: with `spoolFolder` configured it reports
 * the job folders there and deletes those commanded; without it, for another spooler, over a spool
 * folder that is not there, or for a job id that would leave the folder, it refuses non-retryably
 * before touching anything, naming why, and writes the refusal to its log.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parseAgentConfig, type AgentConfig } from '../../../agent/agent-config';
import { createAgentActivities } from '../../../agent/agent-activities';
import { SpoolFolder } from '../../../activities/spoolcleaning/spool-folder';
import { isNonRetryableErrorType } from '../../../activities/core/non-retryable-errors';

let dir: string;
let logged: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-agent-spooler-'));
  logged = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const spoolPath = () => path.join(dir, 'spool');

function agent(config: Record<string, unknown>): ReturnType<typeof createAgentActivities> {
  const parsed: AgentConfig = parseAgentConfig({ host: 'spl-lon-1', notesFolder: path.join(dir, 'notes'), ...config }, 'linux');
  return createAgentActivities(parsed, (line) => logged.push(line));
}

/** A spooler's agent over a spool folder holding job-1 (printed) and job-2 (waiting). */
function spooler(): ReturnType<typeof createAgentActivities> {
  const folder = new SpoolFolder(spoolPath());
  folder.write({ jobId: 'job-1', state: 'printed', submittedAt: 5 }, '%!PS');
  folder.write({ jobId: 'job-2', state: 'waiting', submittedAt: 6 });
  return agent({ spoolFolder: spoolPath() });
}

async function refusal(attempt: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.nonRetryable).toBe(true);
  expect(isNonRetryableErrorType(failure.type ?? undefined)).toBe(true);
  return failure;
}

test('with a spool folder the agent reports its jobs and deletes the commanded one, once', async () => {
  const activities = spooler();
  expect(await activities.reportSpooledJobs({ spooler: 'SPL-LON-1' })).toEqual([
    { jobId: 'job-1', state: 'printed', submittedAt: 5 },
    { jobId: 'job-2', state: 'waiting', submittedAt: 6 },
  ]);
  expect(await activities.listSpooledJobsPage({ spooler: 'spl-lon-1', after: 'job-1', limit: 10 })).toEqual({ jobs: [{ jobId: 'job-2', state: 'waiting', submittedAt: 6 }], more: false });
  expect(await activities.deleteSpooledJobs({ spooler: 'spl-lon-1', jobIds: ['job-1'] })).toEqual({ 'job-1': 'deleted' });
  expect(await activities.deleteSpooledJobs({ spooler: 'spl-lon-1', jobIds: ['job-1'] })).toEqual({ 'job-1': 'already-gone' });
  expect(existsSync(path.join(spoolPath(), 'job-1'))).toBe(false);
  expect(existsSync(path.join(spoolPath(), 'job-2'))).toBe(true);
  expect(logged).toEqual(['delete-job job-1: deleted', 'delete-job job-1: already-gone']);
});

test('without a spool folder the agent refuses reports and delete commands, naming the missing key', async () => {
  const activities = agent({ jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/jobscheduler/berlin' }] } });
  const report = await refusal(activities.reportSpooledJobs({ spooler: 'spl-lon-1' }));
  expect(report.type).toBe('OutsideAgentConfigError');
  expect(report.message).toContain('no spoolFolder in its configuration');
  const command = await refusal(activities.deleteSpooledJobs({ spooler: 'spl-lon-1', jobIds: ['job-1'] }));
  expect(command.type).toBe('OutsideAgentConfigError');
  expect((await refusal(activities.listSpooledJobsPage({ spooler: 'spl-lon-1', after: null, limit: 10 }))).type).toBe('OutsideAgentConfigError');
  expect(logged.slice(0, 2)).toEqual([`refused reportSpooledJobs: OutsideAgentConfigError: ${report.message}`, `refused deleteSpooledJobs: OutsideAgentConfigError: ${command.message}`]);
  expect(logged[2]).toMatch(/^refused listSpooledJobsPage: OutsideAgentConfigError: /);
});

test('a delete command for another spooler, or for a job id that would leave the spool folder, deletes nothing', async () => {
  const activities = spooler();
  const outside = path.join(dir, 'outside');
  mkdirSync(outside);
  expect((await refusal(activities.deleteSpooledJobs({ spooler: 'spl-prg-1', jobIds: ['job-1'] }))).message).toContain('runs on spl-lon-1, not spl-prg-1');
  expect((await refusal(activities.listSpooledJobsPage({ spooler: 'spl-prg-1', after: null, limit: 10 }))).message).toContain('runs on spl-lon-1, not spl-prg-1');
  expect((await refusal(activities.deleteSpooledJobs({ spooler: 'spl-lon-1', jobIds: ['../outside'] }))).type).toBe('InvalidEffectError');
  expect(existsSync(outside)).toBe(true);
  expect(existsSync(path.join(spoolPath(), 'job-1'))).toBe(true);
});

test('a spool folder that is not there is refused rather than reported empty', async () => {
  const failure = await refusal(agent({ spoolFolder: path.join(dir, 'missing') }).reportSpooledJobs({ spooler: 'spl-lon-1' }));
  expect(failure.type).toBe('OutsideAgentConfigError');
  expect(failure.message).toContain('(spoolFolder) is not a folder on this host');
});

test('the spool folder alone is a role, and is a folder of the machine the agent runs on', () => {
  expect(parseAgentConfig({ host: 'spl-lon-1', notesFolder: '/var/lib/agent', spoolFolder: '/var/spool/safeq' }, 'linux').spoolFolder).toBe('/var/spool/safeq');
  expect(() => parseAgentConfig({ host: 'spl-lon-1', notesFolder: '/var/lib/agent', spoolFolder: 'C:\\SafeQ6\\spool' }, 'linux')).toThrow(/spoolFolder: is a Windows folder, but the agent runs on linux/);
  expect(() => parseAgentConfig({ host: 'spl-lon-1', notesFolder: '/var/lib/agent', spoolFolder: 'spool' }, 'linux')).toThrow(/spoolFolder: must be an absolute folder/);
});
