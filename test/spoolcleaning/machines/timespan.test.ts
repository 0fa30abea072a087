// Proves the product's TimeSpan values are read as the spooler and the Job Service read them, and
// that a value an operator could misread is refused with a message naming the key.
import { parseInput } from '../../../machines/core/input-errors';
import { spoolCleaningConfigSchema } from '../../../machines/spoolcleaning/spool-cleaning-config';
import { formatTimeSpan, MS_PER_DAY, parseTimeSpan } from '../../../machines/spoolcleaning/timespan';

const HOUR = 3_600_000;

function refusal(input: unknown): string {
  try {
    parseInput(spoolCleaningConfigSchema, 'spool-cleaning', input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the input was accepted');
}

describe('TimeSpan values', () => {
  test.each([
    ['03:00:00', 3 * HOUR],
    ['00:15:00', 15 * 60_000],
    ['7.00:00:00', 7 * MS_PER_DAY],
    ['1.02:03:04.5', MS_PER_DAY + 2 * HOUR + 3 * 60_000 + 4500],
    ['00:00:00.0000001', 0],
    ['12:30', 12 * HOUR + 30 * 60_000],
  ])('"%s" is %d ms', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });

  test.each(['7', '3 hours', '24:00:00', '00:60:00', '00:00:60', '-01:00:00', '1.2.03:00:00', '', '00:00:00.12345678'])('"%s" is refused', (text) => {
    expect(parseTimeSpan(text)).toBeUndefined();
  });

  test('a span is written back in the product form', () => {
    expect(formatTimeSpan(3 * HOUR)).toBe('03:00:00');
    expect(formatTimeSpan(7 * MS_PER_DAY)).toBe('7.00:00:00');
    expect(formatTimeSpan(90_500)).toBe('00:01:30.500');
  });
});

describe('the spool cleaning configuration', () => {
  test("the product's defaults: reports every 3 hours with up to 15 minutes of jitter, requests kept 7 days", () => {
    const config = parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['Spl-1'] });
    expect(config.spoolers).toEqual(['spl-1']);
    expect(config.StatusReportingOptions).toEqual({ ReportingInterval: 3 * HOUR, MaxJitter: 15 * 60_000 });
    expect(config.YmqProxyOptions.DeleteJobCandidateExpirationTime).toBe(7 * MS_PER_DAY);
    expect(config.orphans.healing).toBe('report');
  });

  test('a value that is not a TimeSpan is refused naming its group and key', () => {
    expect(refusal({ spoolers: ['a'], StatusReportingOptions: { MaxJitter: '15 minutes' } })).toMatch(/StatusReportingOptions\.MaxJitter: must be a TimeSpan/);
    expect(refusal({ spoolers: ['a'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '7' } })).toMatch(/YmqProxyOptions\.DeleteJobCandidateExpirationTime: must be a TimeSpan/);
  });

  test('a reporting interval or a TTL of zero is refused', () => {
    expect(refusal({ spoolers: ['a'], StatusReportingOptions: { ReportingInterval: '00:00:00' } })).toMatch(/StatusReportingOptions\.ReportingInterval: must be longer than zero/);
    expect(refusal({ spoolers: ['a'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '0.00:00:00' } })).toMatch(/DeleteJobCandidateExpirationTime: must be longer than zero/);
  });

  test('a TTL that ends before the next report could send the command is refused, naming both settings', () => {
    expect(refusal({ spoolers: ['a'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '01:00:00' } })).toMatch(
      /YmqProxyOptions\.DeleteJobCandidateExpirationTime: must be longer than StatusReportingOptions\.ReportingInterval \+ MaxJitter \(03:15:00\)/,
    );
    expect(refusal({ spoolers: ['a'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '03:15:00' } })).toMatch(/must be longer than/);
    expect(parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['a'], YmqProxyOptions: { DeleteJobCandidateExpirationTime: '03:15:01' } }).YmqProxyOptions.DeleteJobCandidateExpirationTime).toBe(3 * HOUR + 15 * 60_000 + 1000);
  });

  test('a rule that would delete waiting jobs at no age at all is refused; printed ones may go at once', () => {
    expect(refusal({ spoolers: ['a'], cleaning: { rule: [{ state: 'waiting', olderThan: '00:00:00' }] } })).toMatch(/cleaning\.rule\.0\.olderThan: must be longer than zero for waiting jobs/);
    expect(parseInput(spoolCleaningConfigSchema, 'spool-cleaning', { spoolers: ['a'], cleaning: { rule: [{ state: 'printed', olderThan: '00:00:00' }] } }).cleaning.rule).toEqual([{ state: 'printed', olderThan: 0 }]);
  });

  test('a rule that would delete a job being printed is refused', () => {
    expect(refusal({ spoolers: ['a'], cleaning: { rule: [{ state: 'printing', olderThan: '1.00:00:00' }] } })).toMatch(/cleaning\.rule\.0\.state: must be one of waiting, printed, failed/);
  });

  test('unknown keys, a bad CRON rule, an unknown healing and a spooler listed twice are refused', () => {
    expect(refusal({ spoolers: ['a'], StatusReportingOptions: { ReportInterval: '03:00:00' } })).toMatch(/StatusReportingOptions\.ReportInterval: unknown field/);
    expect(refusal({ spoolers: ['a'], cleaning: { cron: 'daily' } })).toMatch(/cleaning\.cron: must be five CRON fields/);
    expect(refusal({ spoolers: ['a'], orphans: { healing: 'delete' } })).toMatch(/orphans\.healing: must be one of keep, reissue, report/);
    expect(refusal({ spoolers: ['spl-1', 'SPL-1.'] })).toMatch(/spoolers\.1: host "spl-1" is listed twice/);
  });
});
