/**
 * Which jobs the cleaning may delete (docs/spool-cleaning.md#the-deletion-rule): a job is deletable
 * when one clause of the rule names its state and the job is at least that clause's `olderThan` old,
 * counted from its submission. A job being printed matches no clause (the schema refuses one that
 * names it), so it is never deleted. Nor is a job whose submission time cannot be true (see
 * {@link isPlausibleSubmission}): its age says nothing, and a wrong one would delete it at once.
 */
import type { DeletionRule } from './spool-cleaning-config';

export interface JobForRule {
  state: string;
  submittedAt: number;
}

/** From when the rule allows deleting the job (the earliest clause that names its state), or undefined: never. */
export function deletableFrom(job: JobForRule, rule: DeletionRule): number | undefined {
  const ages = rule.filter((clause) => clause.state === job.state).map((clause) => clause.olderThan);
  return ages.length === 0 ? undefined : job.submittedAt + Math.min(...ages);
}

/** Older than this no spooled job can be: a submission time in seconds, not ms, looks 56 years old. */
export const MAX_PLAUSIBLE_AGE_MS = 10 * 366 * 24 * 3_600_000;

/** A spooler's clock may run ahead of the one that stamps its reports by this much at most. */
export const MAX_SUBMISSION_AHEAD_MS = 24 * 3_600_000;

/**
 * Whether the job's submission time can be true at `now` (the report's time): not more than ten
 * years before it (a time in seconds, a zero from a half-written `job.json`, a reset clock) and
 * not more than a day after it (a time in microseconds). Such a job is kept and named for the
 * operator (report-decision.ts), never deleted on an age that means nothing.
 */
export function isPlausibleSubmission(job: JobForRule, now: number): boolean {
  return now - job.submittedAt <= MAX_PLAUSIBLE_AGE_MS && job.submittedAt - now <= MAX_SUBMISSION_AHEAD_MS;
}

/** True when the rule allows deleting the job at `now`. */
export function isDeletable(job: JobForRule, rule: DeletionRule, now: number): boolean {
  if (!isPlausibleSubmission(job, now)) return false;
  const from = deletableFrom(job, rule);
  return from !== undefined && now >= from;
}
