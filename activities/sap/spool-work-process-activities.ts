/**
 * What a spool work process does with the task the dispatcher hands it
 * (docs/sap-spool-work-processes.md#the-durable-dispatcher): hand an output request to the host
 * spool system, or do a management task, and answer when it is done.
 *
 * Idempotent by the task's id: the spool server's side (`SpoolWorkProcessHost`) keeps what was
 * begun and what is done, written as one step with the hand-over itself, so an activity that runs
 * a second time (its worker was killed, the dispatcher continued as new) finds the task begun and
 * waits for it, or finds it done and answers at once: a request is printed once.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describeIssues } from '../../machines/core/input-errors';
import { spoolTaskSchema, SpoolTask } from '../../machines/sap/spool-tasks';
import { whileHeartbeating } from '../core/host-activity';

/** What the spool server knows of a task. */
export type TaskOnServer = { state: 'unknown' } | { state: 'begun' } | { state: 'done'; outcome: string };

/** A spool server's work processes and host spool, as the activities use them. */
export interface SpoolWorkProcessHost {
  /** What the server knows of the task. */
  lookup(taskId: string): TaskOnServer;
  /**
   * Begins the task on the work process: an output request handed to the host spool, a
   * management action started. Written down in the same step, so it is never begun twice.
   */
  begin(task: SpoolTask, workProcess: number): void;
  /** A second attempt found the task begun (written down for the operation record). */
  rejoin(task: SpoolTask, workProcess: number): void;
  /** Resolves with the outcome once the task is done; rejects when `signal` aborts (the attempt is over). */
  whenDone(taskId: string, signal: AbortSignal): Promise<string>;
}

export interface ProcessSpoolTaskInput {
  system: string;
  server: string;
  workProcess: number;
  task: SpoolTask;
}

/** `again`: this attempt found the task begun or done by an earlier one. */
export interface ProcessSpoolTaskResult {
  outcome: string;
  again: boolean;
}

/** The activities of the work processes of the spool servers `hostOf` knows. */
export function createSapSpoolActivities(hostOf: (system: string, server: string) => SpoolWorkProcessHost) {
  return {
    async processSpoolTask(input: ProcessSpoolTaskInput): Promise<ProcessSpoolTaskResult> {
      const parsed = spoolTaskSchema.safeParse(input.task);
      // The dispatcher validated it; a task that is not one here cannot become one by retrying.
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`${input.server}: invalid spool task: ${describeIssues(parsed.error.issues)}`, 'InvalidSpoolTask');
      const task = parsed.data;
      const host = hostOf(input.system, input.server);
      const seen = host.lookup(task.id);
      if (seen.state === 'done') return { outcome: seen.outcome, again: true };
      if (seen.state === 'unknown') host.begin(task, input.workProcess);
      else host.rejoin(task, input.workProcess);
      const outcome = await whileHeartbeating(() => host.whenDone(task.id, cancellation()), heartbeatEveryMs());
      return { outcome, again: seen.state !== 'unknown' };
    },
  };
}

export type SapSpoolActivities = ReturnType<typeof createSapSpoolActivities>;

/**
 * How often the work process heartbeats: every second, or three times within a shorter heartbeat
 * timeout (`heartbeatTimeoutSeconds` may be 1), so an attempt that is alive never times out.
 */
function heartbeatEveryMs(): number {
  let timeoutMs: number | undefined;
  try {
    timeoutMs = Context.current().info.heartbeatTimeoutMs;
  } catch {
    // Outside an activity (a plain call in a test): no timeout to keep to.
  }
  return timeoutMs ? Math.max(50, Math.min(1000, Math.floor(timeoutMs / 3))) : 1000;
}

/** The attempt's cancellation, or a signal that never aborts outside an activity (a plain call in a test). */
function cancellation(): AbortSignal {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return new AbortController().signal;
  }
}
