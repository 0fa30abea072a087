/**
 * How a procedure's run that completed ended, read without the status query. A closed run is in no
 * worker's cache, so a query of it replays its whole history on a worker (~200 ms for a group
 * restart, more for a longer run); `spoolflow watch --json` of a finished procedure needs none of
 * that. The run's search attributes, which the runtime writes in the run's last task
 * (workflows/runtime/progress-report.ts), give its procedure, the step it ended at and whether it
 * was halted then; its close event gives the result (the machine's output with the operator
 * commands taken, workflows/runtime/procedure-path.ts resultWith).
 *
 * A run that ended halted (an abort keeps the halt it was aborted at), failed, was terminated or
 * lacks those attributes (another kind of workflow) gives undefined: its caller asks the query.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FLEET_ROLLOUT } from '../machines/fleet/fleet-rollout';
import { HALTED_KEY, PROCEDURE_KEY, STEP_KEY } from '../workflows/search-attributes';

/** The fleet rollout's id (tied by type): it writes the same attributes, but a status of its own shape. */
const FLEET_ROLLOUT_ID: (typeof FLEET_ROLLOUT)['id'] = 'fleet-rollout';

export interface CompletedRun {
  procedure: string;
  /** The step it ended at, as `status` names it (the machine's final state). */
  step: string;
  /** The machine's output, as `status` shows it: without the operator commands the result adds. */
  output?: unknown;
}

/** The procedure and final step of a run that completed without a halt, or undefined when only the status query can tell. */
export function completedWithoutHalt(described: WorkflowExecutionDescription): Omit<CompletedRun, 'output'> | undefined {
  if (described.status.name !== 'COMPLETED') return undefined;
  const attributes = described.typedSearchAttributes;
  const procedure = attributes.get(PROCEDURE_KEY);
  const step = attributes.get(STEP_KEY);
  if (procedure === undefined || procedure === FLEET_ROLLOUT_ID || step === undefined || attributes.get(HALTED_KEY) !== false) return undefined;
  return { procedure, step };
}

/** The machine's output of a run that completed, from its close event (one small read, no replay). */
export async function completedRunOutput(client: Client, described: WorkflowExecutionDescription): Promise<unknown> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: described.workflowId, runId: described.runId },
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const completed = history?.events?.[0]?.workflowExecutionCompletedEventAttributes;
  if (!completed) throw new Error(`${described.workflowId}: the close event of run ${described.runId} is not the completion its status says`);
  const payload = completed.result?.payloads?.[0];
  return outputOf(payload ? client.options.loadedDataConverter.payloadConverter.fromPayload(payload) : undefined);
}

/** The machine's output from the run's result: resultWith adds the operator commands to an output that is a record. */
export function outputOf(result: unknown): unknown {
  if (result === null || typeof result !== 'object' || Array.isArray(result) || !('operatorCommands' in result)) return result;
  const { operatorCommands: _taken, operatorCommandsTaken: _count, ...output } = result as Record<string, unknown>;
  return output;
}
