/**
 * The product's TimeSpan values (.NET `TimeSpan` in its invariant "c" form), as the spooler and the
 * Job Service read them from their configuration: `03:00:00` is three hours, `7.00:00:00` seven
 * days, `00:15:00` fifteen minutes (docs/spool-cleaning.md#configuration).
 *
 * Accepted: `[d.]hh:mm[:ss[.fffffff]]`, hours 0-23, minutes and seconds 0-59, up to seven
 * fraction digits. Refused although .NET takes it: a bare number (`7` is seven days to .NET, three
 * hours to an operator who meant `3`), and negative spans, which no option here can mean. A value is
 * carried as whole milliseconds (Temporal's timers count in milliseconds).
 */
import { z } from 'zod';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** The longest span accepted: far beyond any interval or TTL, and well inside a timer's range. */
const MAX_DAYS = 3650;

const TIMESPAN = /^(?:(\d{1,4})\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

export const TIMESPAN_RULE =
  'must be a TimeSpan "[d.]hh:mm[:ss[.fffffff]]" (e.g. "03:00:00" for 3 hours, "7.00:00:00" for 7 days), hours 0-23, minutes and seconds 0-59';

/** The span in milliseconds, or undefined when the text is not a TimeSpan this page accepts. */
export function parseTimeSpan(text: string): number | undefined {
  const match = TIMESPAN.exec(text.trim());
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const d = Number(days);
  const h = Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  if (h > 23 || m > 59 || s > 59 || d > MAX_DAYS) return undefined;
  const fractionMs = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * MS_PER_SECOND);
  return d * MS_PER_DAY + h * MS_PER_HOUR + m * MS_PER_MINUTE + s * MS_PER_SECOND + fractionMs;
}

/** Milliseconds back in the product's form: 10_800_000 → "03:00:00", 7 days → "7.00:00:00". */
export function formatTimeSpan(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  const days = Math.floor(whole / MS_PER_DAY);
  const hours = Math.floor((whole % MS_PER_DAY) / MS_PER_HOUR);
  const minutes = Math.floor((whole % MS_PER_HOUR) / MS_PER_MINUTE);
  const seconds = Math.floor((whole % MS_PER_MINUTE) / MS_PER_SECOND);
  const millis = whole % MS_PER_SECOND;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(hours)}:${two(minutes)}:${two(seconds)}${millis > 0 ? `.${String(millis).padStart(3, '0')}` : ''}`;
  return days > 0 ? `${days}.${clock}` : clock;
}

/**
 * A TimeSpan option: the text in, milliseconds out. zod puts the option's key in the issue's path,
 * so a refusal reads "StatusReportingOptions.MaxJitter: must be a TimeSpan ...".
 */
export function timeSpanSchema(opts: { positive: boolean }) {
  return z.string().transform((text, ctx) => {
    const ms = parseTimeSpan(text);
    if (ms === undefined) {
      ctx.issues.push({ code: 'custom', message: TIMESPAN_RULE, input: text });
      return z.NEVER;
    }
    if (opts.positive && ms === 0) {
      ctx.issues.push({ code: 'custom', message: 'must be longer than zero', input: text });
      return z.NEVER;
    }
    return ms;
  });
}
