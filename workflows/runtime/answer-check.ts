/**
 * Whether this run checks each activity's answer against what its action declares it answers
 * (machines/actions.ts `answerMisfit`) before the machine reads it. An answer that does not fit
 * fails its step (`AnswerMisfitError`, effect-failure.ts) instead of reaching the machine, which
 * would read it as its action declares it: an unknown outcome of a stop taken for a stop.
 *
 * A run recorded before the check took every answer as it came; should one of them not fit, the
 * check would turn its `effect.done` into `effect.failed` on replay. So the check runs behind the
 * `wf.patched` marker: a run recorded before it (no marker) replays without it, every new run
 * records the marker and checks.
 */
import * as wf from '@temporalio/workflow';

export const ANSWERS_CHECKED_PATCH = 'activity-answers-checked-against-their-action';

/** Whether this run checks answers: call once, before the run's first command (runtime version 2 only). */
export function answersCheckedInThisRun(): boolean {
  return wf.patched(ANSWERS_CHECKED_PATCH);
}
