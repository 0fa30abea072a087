/**
 * Follows a procedure for `spoolflow watch` (cli/watch-command.ts registers the command and loads
 * this file from its action): asks its status every interval and redraws the screen
 * (cli/watch-view.ts) when it changes, or prints one JSON line per change. Resolves with the exit
 * code: 0 when the procedure completed, 1 when it failed, was aborted or refused.
 *
 * With --json, a run that completed without a halt is not queried: a closed run's query replays its
 * whole history on a worker, and its close event and search attributes tell the same
 * (client/completed-run.ts). Any other run is queried, its machine loading meanwhile.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { procedureMachine } from '../client/procedure-modules';
import { planProcedure, type PlannedStep } from '../machines/core/plan';
import { completedRunOutput, completedWithoutHalt } from '../client/completed-run';
import { STATUS_QUERY } from '../client/spoolflow-client';
import { PROCEDURE_KEY } from '../workflows/search-attributes';
import type { ProcedureStatus } from '../workflows/operator-messages';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';
import { isRolloutStatus, renderRolloutWatch, rolloutExitCode, rolloutWatchEvent, type RolloutWatchEvent } from './watch-rollout-view';
import { completedEvent, renderWatch, watchEvent, type WatchEvent } from './watch-view';

/** The input the procedure was started with (its first run's, as `described` names it), to plan the steps to come. */
async function startInput(client: Client, workflowId: string, described: WorkflowExecutionDescription): Promise<unknown> {
  const runId = described.raw.workflowExecutionInfo?.firstRunId || described.runId;
  const { history } = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? client.options.loadedDataConverter.payloadConverter.fromPayload(payload) : undefined;
}

/** The plan of the watched procedure, or null when it cannot be made (the watch goes on without). */
async function planOf(procedureId: string, input: Promise<unknown>): Promise<PlannedStep[] | null> {
  // Loading the machine holds the thread for a while: the requests sent just before go out first.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    // This procedure's machine and schema alone, not the catalog's every one.
    const { machine, inputSchema } = await procedureMachine(procedureId);
    return planProcedure(machine, inputSchema.parse(await input));
  } catch {
    return null; // a plan that needs an operator's answer, or an input from an older version
  }
}

export interface WatchOutput {
  json: boolean;
  write(text: string): void;
  /** Whether the screen can be cleared and redrawn (a terminal). */
  redraw: boolean;
}

/** Comparable without the clock: an event that only aged is no change. */
const sameEvent = (a: WatchEvent | RolloutWatchEvent | undefined, b: WatchEvent | RolloutWatchEvent) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Follows the procedure until it ends; resolves with the exit code. */
export async function watchProcedure(client: Client, workflowId: string, intervalMs: number, out: WatchOutput): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  let plan: Promise<PlannedStep[] | null> | undefined;
  /** Asked once, beside the first status query rather than after it. */
  let input: Promise<unknown> | undefined;
  let last: WatchEvent | RolloutWatchEvent | undefined;
  let lastStatus: ProcedureStatus | undefined;
  const write = (event: WatchEvent) => {
    if (!sameEvent(last, event)) out.write(`${JSON.stringify(event)}\n`);
  };
  for (;;) {
    const run = await handle.describe();
    const closed = run.status.name !== 'RUNNING';
    if (input === undefined) {
      input = startInput(client, workflowId, run);
      input.catch(() => undefined); // planOf sees the failure; until then it is no unhandled rejection
    }
    // The procedure's search attribute names it before its status does. Its machine (the bigger
    // part of a watch's own work) loads once the question below is on its way, while it is answered.
    const named = run.typedSearchAttributes.get(PROCEDURE_KEY);
    const ended = out.json ? completedWithoutHalt(run) : undefined;
    if (ended) {
      // A run that completed without a halt: its close event tells how it ended, no query replays it.
      const output = completedRunOutput(client, run);
      output.catch(() => undefined); // awaited below, after the plan
      const steps = await (plan ?? planOf(ended.procedure, input));
      const event = completedEvent(workflowId, { ...ended, output: await output }, steps);
      write(event);
      return isAborted(event.output) ? 1 : 0;
    }
    // By name, as `status` asks: the query's definition would load @temporalio/workflow.
    const asked = handle.query<ProcedureStatus>(STATUS_QUERY);
    asked.catch(() => undefined); // awaited below, after the plan has started loading
    if (plan === undefined && named !== undefined) plan = planOf(named, input);
    let status: ProcedureStatus | undefined;
    try {
      status = await asked;
    } catch (err) {
      if (!closed || !lastStatus) throw err;
    }
    status ??= lastStatus as ProcedureStatus;
    const failed = closed && run.status.name !== 'COMPLETED';
    if (isRolloutStatus(status)) {
      // A fleet rollout answers `status` with its groups, not steps (workflows/fleet/rollout-messages.ts).
      const rollout = status as unknown as RolloutStatus;
      const event = rolloutWatchEvent(workflowId, rollout, failed);
      if (out.json) {
        if (!sameEvent(last, event)) out.write(`${JSON.stringify(event)}\n`);
      } else if (out.redraw || !sameEvent(last, event)) {
        out.write(`${out.redraw ? '\x1b[2J\x1b[H' : ''}${renderRolloutWatch(event, rollout, new Date())}`);
      }
      last = event;
      lastStatus = status;
      if (closed) return rolloutExitCode(event);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      continue;
    }
    const steps = await (plan ??= planOf(status.procedure, input));
    const event = watchEvent(workflowId, status, steps, failed);
    if (out.json) write(event);
    else if (out.redraw || !sameEvent(last, event)) {
      out.write(`${out.redraw ? '\x1b[2J\x1b[H' : ''}${renderWatch(event, status, steps, new Date())}`);
    }
    last = event;
    lastStatus = status;
    if (closed) return event.status === 'done' && !isAborted(event.output) ? 0 : 1;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function isAborted(output: unknown): boolean {
  return typeof output === 'object' && output !== null && (output as { outcome?: unknown }).outcome === 'aborted';
}
