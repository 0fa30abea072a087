/**
 * Which jobs the cleaning may delete (docs/spool-cleaning.md#the-deletion-rule): a job is deletable
 * when one clause of the rule names its state and the job is at least that clause's `olderThan` old,
 * counted from its submission. A job being printed matches no clause (the schema refuses one that
 * names it), so it is never deleted.
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

/** True when the rule allows deleting the job at `now`. */
export function isDeletable(job: JobForRule, rule: DeletionRule, now: number): boolean {
  const from = deletableFrom(job, rule);
  return from !== undefined && now >= from;
}
