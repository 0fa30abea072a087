// Proves the spool cleaning's decisions as the product document describes them (requests cached
// with a TTL by the cleaning run, delete commands on a report and the TTL renewed, the first report
// after the jitter alone) and the document's edge case: a spooler away longer than the TTL keeps
// its job forever, unless spoolflow heals the orphan (reissue) or lists it (report).
import { parseInput } from '../../../machines/core/input-errors';
import { isDeletable, isPlausibleSubmission } from '../../../machines/spoolcleaning/deletion-rule';
import { firstReportDelay, jitter, nextReportDelay } from '../../../machines/spoolcleaning/report-schedule';
import { spoolCleaningConfigSchema, type OrphanHealing, type SpoolCleaningConfig } from '../../../machines/spoolcleaning/spool-cleaning-config';
import { spoolerReportSchema } from '../../../machines/spoolcleaning/spool-jobs';
import { SpoolCleaningModel } from '../../helpers/spool-cleaning-model';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function config(healing: OrphanHealing = 'keep'): SpoolCleaningConfig {
  return parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['spl-1'], orphans: { healing } });
}

/** A printed job submitted at 0, reported once, requested by a cleaning run on day 2. */
function requestedJob(healing: OrphanHealing = 'keep'): SpoolCleaningModel {
  const model = new SpoolCleaningModel(config(healing));
  model.submit('spl-1', 'job-1', 'printed', 0);
  model.report('spl-1', 1 * HOUR);
  expect(model.cleaningRun(2 * DAY)).toEqual([{ jobId: 'job-1', spooler: 'spl-1', requestedAt: 2 * DAY, expiresAt: 9 * DAY, reissued: false }]);
  return model;
}

describe('the report schedule', () => {
  const options = { ReportingInterval: 3 * HOUR, MaxJitter: 15 * 60_000 };

  test('the first report comes after the jitter alone, the next after the interval plus a new jitter', () => {
    expect(firstReportDelay(options, () => 0)).toBe(0);
    expect(firstReportDelay(options, () => 0.5)).toBe(450_000);
    expect(nextReportDelay(options, () => 0.999999999)).toBe(3 * HOUR + 15 * 60_000);
  });

  test('a random source outside [0, 1) is refused rather than stretching the jitter', () => {
    expect(() => jitter(1000, () => 1)).toThrow(/not a number in \[0, 1\)/);
    expect(() => jitter(1000, () => Number.NaN)).toThrow(RangeError);
  });
});

describe('the deletion rule', () => {
  const rule = config().cleaning.rule;

  test('a printed job is deletable from one day after its submission, a waiting one from seven', () => {
    expect(isDeletable({ state: 'printed', submittedAt: 0 }, rule, DAY - 1)).toBe(false);
    expect(isDeletable({ state: 'printed', submittedAt: 0 }, rule, DAY)).toBe(true);
    expect(isDeletable({ state: 'waiting', submittedAt: 0 }, rule, 6 * DAY)).toBe(false);
  });

  test('a job being printed is never deletable', () => {
    expect(isDeletable({ state: 'printing', submittedAt: 0 }, rule, 100 * DAY)).toBe(false);
  });
});

describe('the cleaning run and the reports', () => {
  test('the cleaning asks once per job: a second run caches nothing new', () => {
    const model = requestedJob();
    expect(model.cleaningRun(3 * DAY)).toEqual([]);
  });

  test('on a report the matching request yields a delete command and its TTL is renewed', () => {
    const model = new SpoolCleaningModel(config());
    model.submit('spl-1', 'job-1', 'printed', 0);
    model.submit('spl-1', 'job-2', 'waiting', 0);
    model.report('spl-1', HOUR);
    model.cleaningRun(2 * DAY);
    model.connected.set('spl-1', false);
    model.report('spl-1', 3 * DAY);
    model.connected.set('spl-1', true);
    const decision = model.report('spl-1', 4 * DAY)!;
    expect(decision.deleteCommands).toEqual(['job-1']);
    expect(model.requests.get('job-1')?.expiresAt).toBe(11 * DAY);
    expect(model.deletions.map((d) => d.jobId)).toEqual(['job-1']);
    expect(model.disks.get('spl-1')!.has('job-2')).toBe(true);
  });

  test('a job printed again after its request gets no command while it prints', () => {
    const model = requestedJob();
    model.setState('spl-1', 'job-1', 'printing');
    expect(model.report('spl-1', 3 * DAY)!.deleteCommands).toEqual([]);
    expect(model.deletions).toEqual([]);
  });

  test('a report whose jobs are listed twice is refused naming the job', () => {
    const report = { spooler: 'spl-1', at: 0, jobs: [{ jobId: 'a', state: 'printed', submittedAt: 0 }, { jobId: 'a', state: 'printed', submittedAt: 0 }] };
    expect(() => parseInput(spoolerReportSchema, 'spooler report', report)).toThrow(/jobs\.1\.jobId: job "a" is listed twice/);
  });
});

describe('a submission time that cannot be true', () => {
  const NOW = Date.UTC(2026, 11, 7, 9);

  test('a job listed in seconds, not ms, is neither asked for by the cleaning nor commanded on a report, and is named', () => {
    const model = new SpoolCleaningModel(config('reissue'));
    const inSeconds = Math.floor((NOW - 2 * DAY) / 1000);
    model.submit('spl-1', 'in-seconds', 'printed', inSeconds);
    model.submit('spl-1', 'in-ms', 'printed', NOW - 2 * DAY);
    const first = model.report('spl-1', NOW)!;
    expect(first.implausible).toEqual([{ jobId: 'in-seconds', state: 'printed', submittedAt: inSeconds }]);
    expect(model.cleaningRun(NOW + HOUR).map((r) => r.jobId)).toEqual(['in-ms']);
    // Reissue heals orphans overdue by a year: the job in seconds looks 56 years overdue, and is still kept.
    const later = model.report('spl-1', NOW + 2 * HOUR)!;
    expect(later.deleteCommands).toEqual(['in-ms']);
    expect(later.orphans).toEqual([]);
    expect(model.deletions.map((d) => d.jobId)).toEqual(['in-ms']);
  });

  test('a job whose request is cached, listed again with its time in seconds, gets no command while it reads so', () => {
    const model = new SpoolCleaningModel(config());
    model.submit('spl-1', 'job-1', 'waiting', NOW - 2 * DAY);
    model.report('spl-1', NOW);
    model.setState('spl-1', 'job-1', 'printed');
    model.report('spl-1', NOW + HOUR);
    expect(model.cleaningRun(NOW + 2 * HOUR).map((r) => r.jobId)).toEqual(['job-1']);
    // The spooler, updated, now writes its times in seconds: the request is alive, the age means nothing.
    model.submit('spl-1', 'job-1', 'printed', Math.floor((NOW - 2 * DAY) / 1000));
    const decision = model.report('spl-1', NOW + 3 * HOUR)!;
    expect(decision.deleteCommands).toEqual([]);
    expect(decision.implausible?.map((j) => j.jobId)).toEqual(['job-1']);
    expect(model.deletions).toEqual([]);
  });

  test('a job from more than a day ahead of the report is named; one from within a day is not', () => {
    expect(isPlausibleSubmission({ state: 'printed', submittedAt: NOW + DAY }, NOW)).toBe(true);
    expect(isPlausibleSubmission({ state: 'printed', submittedAt: NOW + DAY + 1 }, NOW)).toBe(false);
    expect(isPlausibleSubmission({ state: 'printed', submittedAt: NOW - 10 * 366 * DAY }, NOW)).toBe(true);
    expect(isPlausibleSubmission({ state: 'printed', submittedAt: 0 }, NOW)).toBe(false);
    expect(isDeletable({ state: 'printed', submittedAt: 0 }, config().cleaning.rule, NOW)).toBe(false);
  });
});

describe("the document's edge case: the spooler disconnects before the command and stays away longer than the TTL", () => {
  /** Report on day 3; the spooler goes away before the command; it is back on day 11, after the renewed TTL (day 10). */
  function awayLongerThanTtl(healing: OrphanHealing) {
    const model = requestedJob(healing);
    const missed = model.report('spl-1', 3 * DAY, { disconnectBeforeCommand: true })!;
    expect(missed.deleteCommands).toEqual(['job-1']);
    expect(model.deleteCommandsSent).toEqual([{ jobId: 'job-1', at: 3 * DAY, delivered: false }]);
    expect(model.requests.get('job-1')?.expiresAt).toBe(10 * DAY);
    model.cleaningRun(10 * DAY);
    expect(model.requests.has('job-1')).toBe(false);
    model.connected.set('spl-1', true);
    return model;
  }

  test('without healing the job is kept forever: every later report and cleaning run leaves it', () => {
    const model = awayLongerThanTtl('keep');
    for (let day = 11; day < 60; day += 1) {
      model.report('spl-1', day * DAY);
      model.cleaningRun(day * DAY + HOUR);
    }
    expect(model.deletions).toEqual([]);
    expect(model.disks.get('spl-1')!.has('job-1')).toBe(true);
  });

  test('with healing by reissue the next report issues the request again and the job is deleted', () => {
    const model = awayLongerThanTtl('reissue');
    const decision = model.report('spl-1', 11 * DAY)!;
    expect(decision.orphans).toEqual([{ jobId: 'job-1', spooler: 'spl-1', reason: 'request-expired', action: 'reissued', foundAt: 11 * DAY }]);
    expect(model.deletions.map((d) => [d.jobId, d.at])).toEqual([['job-1', 11 * DAY]]);
  });

  test('with healing by report the job is listed for the operator and not deleted', () => {
    const model = awayLongerThanTtl('report');
    model.report('spl-1', 11 * DAY);
    expect([...model.orphans.values()]).toEqual([{ jobId: 'job-1', spooler: 'spl-1', reason: 'request-expired', action: 'reported', foundAt: 11 * DAY }]);
    expect(model.deletions).toEqual([]);
  });

  test('a job the controller never asked about is an orphan once the rule has held it deletable for overdueAfter', () => {
    const model = new SpoolCleaningModel(config('report'));
    model.submit('spl-1', 'job-9', 'printed', 0);
    expect(model.report('spl-1', 7 * DAY)!.orphans).toEqual([]);
    expect(model.report('spl-1', 8 * DAY)!.orphans).toEqual([{ jobId: 'job-9', spooler: 'spl-1', reason: 'overdue', action: 'reported', foundAt: 8 * DAY }]);
  });
});
