/**
 * A workflow stuck on a nondeterminism error: its last workflow task failed because the code could
 * not replay its history (TMPRL1100). The server tries the task again and again, quietly, and
 * nothing after it runs; a chaos run names it instead of only counting what it then lost. Pure over
 * the history's events.
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const NON_DETERMINISTIC = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

/** The nondeterminism error that holds the workflow, or undefined when its last workflow task did not fail so. */
export function stuckOnNondeterminism(events: readonly HistoryEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as HistoryEvent;
    if (e.workflowTaskCompletedEventAttributes || e.workflowTaskTimedOutEventAttributes) return undefined;
    const failed = e.workflowTaskFailedEventAttributes;
    if (failed) return failed.cause === NON_DETERMINISTIC ? (failed.failure?.message ?? 'nondeterminism error') : undefined;
  }
  return undefined;
}
