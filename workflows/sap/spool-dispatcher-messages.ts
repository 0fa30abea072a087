/**
 * The messages of a spool server's dispatcher: tasks come in as a validated Update (the answer
 * says whether the task is new or already known), the status is a query. A message's wire name
 * is its constant's.
 */
import * as wf from '@temporalio/workflow';
import { describeIssues } from '../../machines/core/input-errors';
import type { SpoolServerState } from '../../machines/sap/spool-dispatcher';
import { shutDownInputSchema, type ShutDownInput, type SpoolServerShutdown } from '../../machines/sap/spool-shutdown';
import { returnToServiceInputSchema, type EndedShutdown, type ReturnToServiceInput } from '../../machines/sap/spool-server-return';
import { spoolTaskSchema, SpoolTask } from '../../machines/sap/spool-tasks';

/** `new`: taken; `already-held`: the dispatcher holds it (given twice); `already-done`: it was done already. */
export type SubmitAnswer = { accepted: 'new' | 'already-held' | 'already-done'; id: string };

export const submitSpoolTaskUpdate = wf.defineUpdate<SubmitAnswer, [unknown]>('sap.submitSpoolTask');

/**
 * The Update id to give a task with: the same for every give of one task, so a client that got no
 * answer and gives it again makes no second Update on the server while the run lasts, only waits
 * for the first one's answer. (A second Update of the same task would be told `already-held`.)
 */
export function submitSpoolTaskUpdateId(task: { id: string }): string {
  return `submit-${task.id}`;
}

/** What one task came to, for the status. */
export interface TaskOutcome {
  id: string;
  workProcess: number;
  outcome: string;
}

export interface SpoolDispatcherStatus {
  system: string;
  server: string;
  state: SpoolServerState;
  /** This server holds the system's global management now. */
  holdsGlobalManagement: boolean;
  submitted: number;
  finished: number;
  /** The last outcomes, newest last. */
  recent: TaskOutcome[];
  /** The server's shutdown, once asked (spool-shutdown.ts); absent or null while it runs as usual. */
  shutdown?: SpoolServerShutdown | null;
  /** The latest shutdown the operator ended by bringing the server back (spool-server-return.ts). */
  lastShutdown?: EndedShutdown;
}

export const spoolDispatcherStatusQuery = wf.defineQuery<SpoolDispatcherStatus>('sap.spoolDispatcherStatus');

/** The holder of global management gives it up (sent with its workflow id; anyone else's changes nothing). */
export const releaseGlobalManagementSignal = wf.defineSignal<[string]>('sap.releaseGlobalManagement');

/** A task as the Update carries it, or an Error naming the field and the rule. */
export function parseSpoolTask(raw: unknown): SpoolTask {
  const parsed = spoolTaskSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid spool task: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Shuts the spool server down, its output requests reassigned to another spool server of the
 * system (machines/sap/spool-shutdown.ts); the answer is the shutdown as it stands. Asked again
 * with the same server it is the same shutdown; with another, before the requests moved, the
 * target changes.
 */
export const shutDownSpoolServerUpdate = wf.defineUpdate<SpoolServerShutdown, [unknown]>('sap.shutDownSpoolServer');

/** A shutdown as the Update carries it, or an Error naming the field and the rule. */
export function parseShutDown(raw: unknown): ShutDownInput {
  const parsed = shutDownInputSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid shutdown: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Brings the spool server back into service after its shutdown (machines/sap/spool-server-return.ts):
 * holding, it starts the tasks it kept; shut down, it takes tasks again. The answer is the ended
 * shutdown; refused while a round of the move runs, and, where requests went (or may have gone) to the target
 * already, until the operator says `movedRequestsChecked`.
 */
export const returnSpoolServerToServiceUpdate = wf.defineUpdate<EndedShutdown, [unknown]>('sap.returnSpoolServerToService');

/** The return to service as the Update carries it, or an Error naming the field and the rule. */
export function parseReturnToService(raw: unknown): ReturnToServiceInput {
  const parsed = returnToServiceInputSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`invalid return to service: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}
