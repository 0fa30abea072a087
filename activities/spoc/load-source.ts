/**
 * The load source: an HTTP(S) endpoint of the deployment's own making (a report of the print
 * system's database, a monitoring tool) that says how many jobs each SPOC is processing, because
 * the Management Server has no public API for it. A GET answers 200 with JSON of this shape:
 *
 *   {"asOf": "2026-11-22T01:28:34Z",
 *    "hosts": {"spoc-lon-1": {"activeJobs": 0}, "spoc-lon-2": {"activeJobs": 3, "asOf": "2026-11-22T01:28:31Z"}}}
 *
 * `asOf` is when the counts were taken (ISO 8601 with `Z` or an offset): for the whole answer, and
 * optionally per host, whose own time then wins (a source that gathers each SPOC's count at its own
 * moment says so). A count older than `maxAgeMs` by the central worker's clock, or stamped more than
 * a few seconds in the future (the two clocks disagree), or with no time at all while `requireAsOf`
 * holds, is an unknown load, never 0: a cached or stale "no jobs" must not let a restart cut off
 * printing.
 *
 * Host names are taken in their normal form (`SPOC-LON-1.` is `spoc-lon-1`); unknown fields are
 * refused, so a misspelled `activejobs` is an error, not a host without load. A host the answer
 * does not list has an unknown load, never 0.
 */
import { z } from 'zod';
import { describeIssues } from '../../machines/core/input-errors';
import { normalName } from '../../machines/core/names';
import { httpGet, type HttpTarget } from './http-get';

/** The load source as the adapter asks it: where, and how fresh its answer must be. */
export interface LoadSource extends HttpTarget {
  /** A count older than this (by the central worker's clock) is not trusted. */
  maxAgeMs: number;
  /** Refuse counts without any `asOf`; false takes them as current. */
  requireAsOf: boolean;
}

/** How far ahead of the central worker's clock an `asOf` may be and still count as now (clocks never agree exactly). */
export const CLOCK_SKEW_TOLERANCE_MS = 5000;

const asOf = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with Z or an offset, e.g. 2026-11-22T01:28:34Z' });

export const loadAnswerSchema = z
  .object({
    asOf: asOf.optional(),
    hosts: z.record(
      z.string().min(1),
      z.object({ activeJobs: z.number().int('must be a whole number').nonnegative('must be 0 or more'), asOf: asOf.optional() }).strict(),
    ),
  })
  .strict();

/** One host's load as the answer gives it: a count that may be used, or why it may not. */
export type HostLoad = { activeJobs: number } | { unknown: string };

/** The load source did not give the load; a later attempt may. */
export class LoadSourceError extends Error {
  override readonly name = 'LoadSourceError';
}

/**
 * Each host's load as the load source reports it, by the host's normal form. Throws LoadSourceError
 * when the answer as a whole is unusable; a host whose count is too old or has no time is `unknown`.
 */
export async function readLoad(source: LoadSource, now: () => number = Date.now): Promise<Map<string, HostLoad>> {
  let answer;
  try {
    // Ask past any cache on the way: a cached answer is the stale report this check must not trust.
    answer = await httpGet(source, { 'cache-control': 'no-cache' });
  } catch (err) {
    throw new LoadSourceError(`the load source did not answer: ${(err as Error).message}`);
  }
  if (answer.status !== 200) throw new LoadSourceError(`the load source ${source.url} answered HTTP ${answer.status}, not 200`);
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch (err) {
    throw new LoadSourceError(`the load source ${source.url} answered something that is not JSON (${(err as Error).message})`);
  }
  const parsed = loadAnswerSchema.safeParse(json);
  if (!parsed.success) {
    throw new LoadSourceError(
      `the load source ${source.url} answered JSON of another shape than {"asOf": "<ISO time>", "hosts": {"<host>": {"activeJobs": <n>}}}: ${describeIssues(parsed.error.issues)}`,
    );
  }
  const receivedAt = now();
  const load = new Map<string, HostLoad>();
  for (const [host, count] of Object.entries(parsed.data.hosts)) {
    const name = normalName(host);
    if (load.has(name)) throw new LoadSourceError(`the load source ${source.url} lists ${name} twice (in two spellings)`);
    const stale = stalenessOf(count.asOf ?? parsed.data.asOf, source, receivedAt);
    load.set(name, stale === undefined ? { activeJobs: count.activeJobs } : { unknown: stale });
  }
  return load;
}

/** Why a count taken at `asOf` may not be used now, or undefined when it may. */
function stalenessOf(asOfText: string | undefined, source: LoadSource, now: number): string | undefined {
  if (asOfText === undefined) {
    return source.requireAsOf
      ? `the load source's answer says not when its count was taken (no asOf), so it may be a cached or stale report; have it stamp its answers, or set loadSource.requireAsOf to false`
      : undefined;
  }
  const takenAt = Date.parse(asOfText);
  const ageMs = now - takenAt;
  if (ageMs > source.maxAgeMs) {
    return `the load source's count is from ${asOfText}, ${Math.round(ageMs / 1000)} s old, older than loadSource.maxAgeSeconds (${source.maxAgeMs / 1000} s)`;
  }
  if (-ageMs > CLOCK_SKEW_TOLERANCE_MS) {
    return `the load source's count is stamped ${asOfText}, ${Math.round(-ageMs / 1000)} s ahead of the central worker's clock: the clocks disagree, so its age cannot be told (keep both in time with NTP)`;
  }
  return undefined;
}
