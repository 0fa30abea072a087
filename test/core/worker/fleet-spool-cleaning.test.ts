/**
 * The fleet configuration's `spoolCleaning` section: checked by the spool cleaning's own schema
 * (each error naming the key under the section) plus the Job Service's store file, and handed to
 * the central worker as written, with the store's path resolved beside the configuration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveFleetConfig } from '../../../worker/fleet-config';

const FILE = path.join('/etc', 'spoolflow', 'fleet.json');

const section = (over: Record<string, unknown> = {}) => ({
  spoolers: ['spl-lon-1', 'spl-prg-1'],
  StatusReportingOptions: { ReportingInterval: '03:00:00', MaxJitter: '00:15:00' },
  cleaning: { cron: '0 2 * * *' },
  jobServiceStore: 'state/job-service.sqlite',
  ...over,
});

function refusal(spoolCleaning: unknown): string {
  try {
    resolveFleetConfig({ spoolCleaning }, FILE);
  } catch (err) {
    expect((err as Error).name).toBe('FleetConfigError');
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

test('an estate with a spool cleaning only is accepted: the section as written, the store beside the file, the spoolers among the hosts', () => {
  const fleet = resolveFleetConfig({ spoolCleaning: section() }, FILE);
  expect(fleet.spoolCleaning).toEqual({
    config: { spoolers: ['spl-lon-1', 'spl-prg-1'], StatusReportingOptions: { ReportingInterval: '03:00:00', MaxJitter: '00:15:00' }, cleaning: { cron: '0 2 * * *' } },
    storeFile: path.join('/etc', 'spoolflow', 'state', 'job-service.sqlite'),
    spoolers: ['spl-lon-1', 'spl-prg-1'],
  });
  expect(fleet.hosts).toEqual(['spl-lon-1', 'spl-prg-1']);
  expect(resolveFleetConfig({ jobScheduler: { hosts: ['js-1'] } }, FILE).spoolCleaning).toBeUndefined();
});

test("each rule of the spool cleaning's configuration is refused naming its key under spoolCleaning", () => {
  expect(refusal(section({ StatusReportingOptions: { MaxJitter: '15' } }))).toMatch(/spoolCleaning\.StatusReportingOptions\.MaxJitter: /);
  expect(refusal(section({ StatusReportingOptions: { ReportingInterval: '00:00:00' } }))).toMatch(/spoolCleaning\.StatusReportingOptions\.ReportingInterval: /);
  expect(refusal(section({ YmqProxyOptions: { DeleteJobCandidateExpirationTime: '7 days' } }))).toMatch(/spoolCleaning\.YmqProxyOptions\.DeleteJobCandidateExpirationTime: /);
  expect(refusal(section({ cleaning: { cron: 'every night' } }))).toMatch(/spoolCleaning\.cleaning\.cron: must be five CRON fields/);
  expect(refusal(section({ cleaning: { rule: [{ state: 'printing', olderThan: '1.00:00:00' }] } }))).toMatch(/spoolCleaning\.cleaning\.rule\.0\.state: must be one of waiting, printed, failed/);
  expect(refusal(section({ orphans: { healing: 'delete' } }))).toMatch(/spoolCleaning\.orphans\.healing: must be one of keep, reissue, report/);
  expect(refusal(section({ spoolers: [] }))).toMatch(/spoolCleaning\.spoolers: at least one spooler/);
  expect(refusal(section({ spoolers: ['spl-1', 'SPL-1.'] }))).toMatch(/spoolCleaning\.spoolers\.1: /);
  expect(refusal(section({ StatusReportingOptions: { ReportingIntervall: '03:00:00' } }))).toMatch(/spoolCleaning\.StatusReportingOptions\.ReportingIntervall: unknown field/);
});

test("the Job Service's store is required, and must name a file", () => {
  const { jobServiceStore: _store, ...withoutStore } = section();
  expect(refusal(withoutStore)).toMatch(/spoolCleaning\.jobServiceStore: /);
  expect(refusal(section({ jobServiceStore: '  ' }))).toMatch(/spoolCleaning\.jobServiceStore: must not be blank/);
  expect(refusal(section({ jobServiceStore: '/var/lib/spoolflow/' }))).toMatch(/spoolCleaning\.jobServiceStore: must be a file, not a folder/);
});

test("the example of a real estate's spool cleaning is accepted as its section alone", () => {
  const example = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'deploy', 'fleet.example.json'), 'utf8')) as { spoolCleaning: unknown };
  const fleet = resolveFleetConfig({ spoolCleaning: example.spoolCleaning }, FILE);
  expect(fleet.spoolCleaning?.storeFile).toBe('/var/lib/spoolflow/job-service.sqlite');
  expect(fleet.spoolCleaning?.config).not.toHaveProperty('jobServiceStore');
});
