/**
 * The operator's words for why an effect failed, once its activity's retries are spent: they
 * become the halt's reason, and the error type tells an unreachable host from a failed step.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { cutAt } from '../../machines/core/cut-text';
import { Effect, hostOf } from '../../machines/core/effects';

/** A halt's reason at most: it is kept in the machine's context, the path and the current details. */
export const REASON_MAX_CHARS = 2000;

export function describeFailure(err: unknown, effect: Effect): { reason: string; errorType?: string } {
  const described = failureWords(err, effect);
  return { ...described, reason: cutAt(described.reason, REASON_MAX_CHARS) };
}

function failureWords(err: unknown, effect: Effect): { reason: string; errorType?: string } {
  const host = hostOf(effect);
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_START) {
      return { reason: `the agent of ${host ?? 'the central worker'} did not pick up "${effect.title}": is its worker running and connected?`, errorType: 'HostUnreachable' };
    }
    if (cause instanceof TimeoutFailure) {
      return { reason: `"${effect.title}" timed out (${cause.message})`, errorType: 'ActivityTimeout' };
    }
    if (cause instanceof ApplicationFailure) {
      return { reason: cause.message, ...(cause.type ? { errorType: cause.type } : {}) };
    }
    return { reason: cause?.message ?? err.message };
  }
  return { reason: err instanceof Error ? err.message : String(err) };
}

/** The failure type of an answer that does not fit its action (answer-check.ts): a step that ran, whose outcome is unknown. */
export const ANSWER_MISFIT_ERROR = 'AnswerMisfitError';

/**
 * The operator's words for an answer that does not fit what its action answers: who answered, to
 * which step, and each field with its rule. The step may have done its work; the operator checks
 * the host (or updates its agent) and retries, or aborts.
 */
export function describeMisfit(effect: Effect, misfit: string): { reason: string; errorType: string } {
  const host = hostOf(effect);
  const who = host ? `the agent of ${host}` : 'the central worker';
  const reason = `${who} answered "${effect.title}" (${effect.action}) with what this workflow cannot read, so its outcome is unknown: ${misfit}. Is the agent of another spoolflow version? Check the host, then retry the step or abort`;
  return { reason: cutAt(reason, REASON_MAX_CHARS), errorType: ANSWER_MISFIT_ERROR };
}
