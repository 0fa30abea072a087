// Proves `spoolflow cleaning status` and `spoolflow sim spooler ...` on a data folder, without
// Temporal: the spoolers with their connection and jobs, the cached requests with the TTL left,
// the orphans; disconnects and reconnects recorded; bad arguments refused naming the rule.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore } from '../../../activities/spoolcleaning/delete-request-store';
import { cleaningStatus, SpoolCleaningUsageError, spoolerCommand } from '../../../cli/spool-cleaning-actions';
import { parseInput } from '../../../machines/core/input-errors';
import { spoolCleaningConfigSchema } from '../../../machines/spoolcleaning/spool-cleaning-config';
import { seedSimSpoolers, simJobServiceFile } from '../../../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers } from '../../../simulator/spoolcleaning/sim-spoolers';

const DAY = 24 * 3_600_000;
const NOW = Date.parse('2026-12-05T12:00:00Z');
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-cleaning-cli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('status shows each spooler with its jobs, the cached requests with the TTL left, and the listed orphans', () => {
  const spoolers = new SimSpoolers(dir);
  seedSimSpoolers(spoolers, ['spl-lon-1'], NOW - DAY);
  const store = new DeleteRequestStore(simJobServiceFile(dir));
  const config = parseInput(spoolCleaningConfigSchema, 'c', { spoolers: ['spl-lon-1'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '2.00:00:00' } });
  store.applyReport('r1', { spooler: 'spl-lon-1', at: NOW - DAY, jobs: spoolers.folder('spl-lon-1').list() }, config);
  store.runCleaning('c1', NOW - DAY, config);
  store.close();
  const status = cleaningStatus(NOW, dir) as { spoolers: { spooler: string; connected: boolean; jobs: { jobId: string; age: string }[] }[]; requests: { jobId: string; ttlLeft: string }[] };
  expect(status.spoolers.map((s) => [s.spooler, s.connected, s.jobs.length])).toEqual([['spl-lon-1', true, 5]]);
  expect(status.spoolers[0]!.jobs.find((j) => j.jobId === 'spl-lon-1-printed-old')?.age).toBe('4.00:00:00');
  expect(status.requests.map((r) => [r.jobId, r.ttlLeft]).sort()).toEqual([
    ['spl-lon-1-failed-old', '1.00:00:00'],
    ['spl-lon-1-printed-old', '1.00:00:00'],
  ]);
});

test('a spooler is disconnected, set to miss its next command, reconnected, and each change is recorded', () => {
  const spoolers = new SimSpoolers(dir);
  spoolers.ensure('spl-1');
  expect(spoolerCommand('disconnect', 'spl-1', [], {}, dir)).toEqual({ spooler: 'spl-1', connected: false, disconnectBeforeCommand: false });
  expect(spoolerCommand('disconnect', 'spl-1', [], { 'before-command': true }, dir)).toEqual({ spooler: 'spl-1', connected: true, disconnectBeforeCommand: true });
  expect(spoolerCommand('reconnect', 'spl-1', [], {}, dir)).toEqual({ spooler: 'spl-1', connected: true, disconnectBeforeCommand: false });
  expect(spoolers.record.read().map((e) => e.operation)).toEqual(['disconnect', 'disconnect-before-command', 'reconnect']);
});

test('add-job puts a job of the given state and age on the spooler', () => {
  new SimSpoolers(dir).ensure('spl-1');
  expect(spoolerCommand('add-job', 'spl-1', ['job-7'], { state: 'failed', age: '2.00:00:00' }, dir)).toEqual({ spooler: 'spl-1', jobId: 'job-7', state: 'failed', age: '2.00:00:00' });
  expect(new SimSpoolers(dir).folder('spl-1').list().map((j) => [j.jobId, j.state])).toEqual([['job-7', 'failed']]);
});

test('an unknown spooler, a bad job id, state or age are refused naming the rule', () => {
  new SimSpoolers(dir).ensure('spl-1');
  expect(() => spoolerCommand('reconnect', 'spl-9', [], {}, dir)).toThrow(/no simulated spooler "spl-9" \(spoolers: spl-1\)/);
  expect(() => spoolerCommand('add-job', 'spl-1', ['../x'], {}, dir)).toThrow(SpoolCleaningUsageError);
  expect(() => spoolerCommand('add-job', 'spl-1', ['j'], { state: 'printing-now' }, dir)).toThrow(/--state must be one of waiting, printing, printed, failed/);
  expect(() => spoolerCommand('add-job', 'spl-1', ['j'], { age: '2 days' }, dir)).toThrow(/--age must be a TimeSpan/);
  expect(() => spoolerCommand('explode', 'spl-1', [], {}, dir)).toThrow(/unknown sim spooler command "explode"/);
});
