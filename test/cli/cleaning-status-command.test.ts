/**
 * `spoolflow cleaning status --fleet <file>` on a real estate: it reads the Job Service's store the
 * fleet configuration names, beside the central worker that writes it, without writing a byte; each
 * configured spooler with the jobs it reported last, the cached requests with their TTL left, the
 * listed orphans. A configuration without the section, or a store it cannot read, is said so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore } from '../../activities/spoolcleaning/delete-request-store';
import { parseInput } from '../../machines/core/input-errors';
import { spoolCleaningConfigSchema } from '../../machines/spoolcleaning/spool-cleaning-config';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');
const DAY = 24 * 3_600_000;

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-cleaning-status-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function spoolflow(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SPOOLFLOW_FLEET: '', SPOOLFLOW_DATA_DIR: path.join(dir, 'data'), ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fleet configuration with only the spool cleaning, its store beside it. */
function fleetFile(spoolers = ['spl-lon-1', 'spl-prg-1']): string {
  const file = path.join(dir, 'fleet.json');
  writeFileSync(file, JSON.stringify({ spoolCleaning: { spoolers, YmqProxyOptions: { DeleteJobCandidateExpirationTime: '2.00:00:00' }, jobServiceStore: 'state/job-service.sqlite' } }));
  return file;
}

const storeFile = () => path.join(dir, 'state', 'job-service.sqlite');

interface EstateStatus {
  jobService: string;
  spoolers: { spooler: string; configured: boolean; reportedJobs: { jobId: string; state: string; age: string; deleteRequestedAt: string | null }[] }[];
  requests: { spooler: string; jobId: string; ttlLeft: string }[];
  orphans: { spooler: string; jobId: string; reason: string }[];
}

test("the estate's store is read while the worker holds it open: each spooler's reported jobs, the requests with their TTL, the orphans", () => {
  const config = parseInput(spoolCleaningConfigSchema, 'c', { spoolers: ['spl-lon-1', 'spl-old'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '2.00:00:00' }, orphans: { healing: 'report', overdueAfter: '7.00:00:00' } });
  const now = Date.now();
  // The central worker's store, open for writing as the worker keeps it.
  const store = new DeleteRequestStore(storeFile());
  try {
    store.applyReport('r1', { spooler: 'spl-lon-1', at: now - DAY, jobs: [{ jobId: 'j-printed', state: 'printed', submittedAt: now - 3 * DAY }, { jobId: 'j-waiting', state: 'waiting', submittedAt: now - DAY }] }, config);
    store.runCleaning('c1', now - DAY, config);
    store.applyReport('r2', { spooler: 'spl-old', at: now - DAY, jobs: [{ jobId: 'j-ancient', state: 'failed', submittedAt: now - 30 * DAY }] }, config);
    const before = statSync(storeFile()).mtimeMs;

    const { code, stdout, stderr } = spoolflow(['cleaning', 'status', '--fleet', fleetFile()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as EstateStatus;
    expect(status.jobService).toBe(storeFile());
    // The configured spoolers in their order, then one the store knows that is configured no more.
    expect(status.spoolers.map((s) => [s.spooler, s.configured, s.reportedJobs.map((j) => j.jobId)])).toEqual([
      ['spl-lon-1', true, ['j-printed', 'j-waiting']],
      ['spl-prg-1', true, []],
      ['spl-old', false, ['j-ancient']],
    ]);
    const printed = status.spoolers[0]!.reportedJobs[0]!;
    // Counted from the command's own clock, a moment after this test's.
    expect(printed).toMatchObject({ state: 'printed', age: expect.stringMatching(/^3\.00:00:0\d/), deleteRequestedAt: new Date(now - DAY).toISOString() });
    expect(status.requests.map((r) => [r.spooler, r.jobId])).toEqual([['spl-lon-1', 'j-printed']]);
    expect(status.requests[0]!.ttlLeft).toMatch(/^23:59:5\d/);
    expect(status.orphans.map((o) => [o.spooler, o.jobId, o.reason])).toEqual([['spl-old', 'j-ancient', 'overdue']]);
    // Read only: the worker's file is as it was.
    expect(statSync(storeFile()).mtimeMs).toBe(before);
  } finally {
    store.close();
  }
});

test('SPOOLFLOW_FLEET chooses the estate as --fleet does; a store not created yet is said so and not created', () => {
  const { code, stdout } = spoolflow(['cleaning', 'status'], { SPOOLFLOW_FLEET: fleetFile(['spl-lon-1']) });
  expect(code).toBe(0);
  const status = JSON.parse(stdout) as EstateStatus;
  expect(status.jobService).toBe(`${storeFile()} (not created yet: the central worker creates it at its first start with this configuration)`);
  expect(status.spoolers).toEqual([{ spooler: 'spl-lon-1', configured: true, reportedJobs: [] }]);
  expect(existsSync(storeFile())).toBe(false);
});

test('a fleet configuration without a spoolCleaning section, or an unreadable store, exits with code 2 saying which', () => {
  const noSection = path.join(dir, 'scheduler-only.json');
  writeFileSync(noSection, JSON.stringify({ jobScheduler: { hosts: ['js-1'] } }));
  const missing = spoolflow(['cleaning', 'status', '--fleet', noSection]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`the fleet configuration ${noSection} has no spoolCleaning section`);

  // A store the command cannot read (here not a database at all) is named with SQLite's reason.
  mkdirSync(path.dirname(storeFile()), { recursive: true });
  writeFileSync(storeFile(), 'not a database, a text file put where the store should be\n'.repeat(20));
  const unreadable = spoolflow(['cleaning', 'status', '--fleet', fleetFile()]);
  expect(unreadable.code).toBe(2);
  expect(unreadable.stderr).toContain(`cannot read the Job Service's store ${storeFile()}: file is not a database`);
});

test('without a fleet configuration it reads the simulated estate, as before', () => {
  const { code, stdout } = spoolflow(['cleaning', 'status']);
  expect(code).toBe(0);
  expect((JSON.parse(stdout) as { jobService: string }).jobService).toContain(`${path.join(dir, 'data', 'sim')}`);
});
