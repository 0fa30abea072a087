/**
 * When a spooler reports (docs/spool-cleaning.md#reports): its first report comes after a random
 * jitter alone, up to `MaxJitter`; each later one `ReportingInterval` plus a new jitter. The random
 * source is passed in, so a workflow gives its own deterministic `Math.random` and a replay waits
 * the same times.
 */

/** A number in [0, 1), as Math.random gives. */
export type RandomSource = () => number;

export interface ReportingOptions {
  ReportingInterval: number;
  MaxJitter: number;
}

/** A jitter of whole milliseconds in [0, maxJitter], drawn from `random`. */
export function jitter(maxJitter: number, random: RandomSource): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`the random source gave ${r}, not a number in [0, 1)`);
  return Math.min(maxJitter, Math.floor(r * (maxJitter + 1)));
}

/** How long after the spooler started its first report comes: the jitter alone. */
export function firstReportDelay(options: ReportingOptions, random: RandomSource): number {
  return jitter(options.MaxJitter, random);
}

/** How long after a report the next one comes: the interval plus a new jitter. */
export function nextReportDelay(options: ReportingOptions, random: RandomSource): number {
  return options.ReportingInterval + jitter(options.MaxJitter, random);
}
