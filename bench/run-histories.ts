/**
 * The histories of every run of a workflow that continues as new, first to last: from the latest
 * run back along each run's `continuedExecutionRunId`, so no run is missed while the server's
 * visibility store catches up.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';

export type HistoryEvents = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;

export async function runHistories(client: Client, workflowId: string): Promise<HistoryEvents[]> {
  const runs: HistoryEvents[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const events: HistoryEvents = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}
