/**
 * The load source: an HTTP(S) endpoint of the deployment's own making (a report of the print
 * system's database, a monitoring tool) that says how many jobs each SPOC is processing, because
 * the Management Server has no public API for it. A GET answers 200 with JSON of this shape:
 *
 *   {"hosts": {"spoc-lon-1": {"activeJobs": 0}, "spoc-lon-2": {"activeJobs": 3}}}
 *
 * Host names are taken in their normal form (`SPOC-LON-1.` is `spoc-lon-1`); unknown fields are
 * refused, so a misspelled `activejobs` is an error, not a host without load. A host the answer
 * does not list has an unknown load, never 0.
 */
import { z } from 'zod';
import { describeIssues } from '../../machines/core/input-errors';
import { normalName } from '../../machines/core/names';
import { httpGet, type HttpTarget } from './http-get';

export const loadAnswerSchema = z
  .object({
    hosts: z.record(z.string().min(1), z.object({ activeJobs: z.number().int('must be a whole number').nonnegative('must be 0 or more') }).strict()),
  })
  .strict();

/** The load source did not give the load; a later attempt may. */
export class LoadSourceError extends Error {
  override readonly name = 'LoadSourceError';
}

/** Each host's active jobs as the load source reports them, by the host's normal form. */
export async function readLoad(source: HttpTarget): Promise<Map<string, number>> {
  let answer;
  try {
    answer = await httpGet(source);
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
    throw new LoadSourceError(`the load source ${source.url} answered JSON of another shape than {"hosts": {"<host>": {"activeJobs": <n>}}}: ${describeIssues(parsed.error.issues)}`);
  }
  const load = new Map<string, number>();
  for (const [host, { activeJobs }] of Object.entries(parsed.data.hosts)) {
    const name = normalName(host);
    if (load.has(name)) throw new LoadSourceError(`the load source ${source.url} lists ${name} twice (in two spellings)`);
    load.set(name, activeJobs);
  }
  return load;
}
