/**
 * Gives a spool server's dispatcher a task, the `sap.submitSpoolTask` Update, as a system that
 * prints through SAP does (docs/sap-spool-work-processes.md#giving-a-task). The dispatcher
 * continues as new every few thousand events; an Update that arrives during the workflow task that
 * hands over fails with FAILED_PRECONDITION ("unexpected workflow task failure") although nothing
 * was taken. It is given again under the same Update id, which makes that harmless: a task the
 * dispatcher did take is answered `already-held` or `already-done`, never taken twice.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { checkSpoolServerAddress, spoolDispatcherWorkflowId } from '../machines/sap/spool-dispatcher-input';
import { forwardInDetails, SPOOL_SERVER_SHUT_DOWN } from '../machines/sap/spool-shutdown';
import { isGlobalManagement, type SpoolTask } from '../machines/sap/spool-tasks';
import { submitSpoolTaskUpdate, submitSpoolTaskUpdateId, type SubmitAnswer } from '../workflows/sap/spool-dispatcher-messages';

/** True for the failure of an Update that met a workflow task failing, as a continue-as-new's does when an Update comes in. */
function metAHandOver(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Error && /FAILED_PRECONDITION/.test(cause.message) && /workflow task failure/.test(cause.message);
}

export async function submitSpoolTask(client: Client, system: string, server: string, task: SpoolTask, opts: { attempts?: number; pauseMs?: number } = {}): Promise<SubmitAnswer> {
  checkSpoolServerAddress(system, server);
  return giveWithoutNameCheck(client, system, server, task, opts);
}

/**
 * `submitSpoolTask` without the check of the names: for the move of a shutdown, whose dispatcher
 * names its own system as it began (a dispatcher begun before the SID rule keeps a longer name)
 * and checks that the dispatcher it gives to is that server of that system first.
 */
export async function giveWithoutNameCheck(client: Client, system: string, server: string, task: SpoolTask, opts: { attempts?: number; pauseMs?: number; updateId?: string } = {}): Promise<SubmitAnswer> {
  const handle = client.workflow.getHandle(spoolDispatcherWorkflowId(system, server));
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.executeUpdate(submitSpoolTaskUpdate, { args: [task], updateId: opts.updateId ?? submitSpoolTaskUpdateId(task) });
    } catch (err) {
      if (attempt >= attempts || !metAHandOver(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, (opts.pauseMs ?? 100) * attempt));
    }
  }
}

/**
 * The spool server a refusal names as where the refused server's output requests went, when the
 * task was refused because that server is shut down: the task belongs there now (given there
 * under the same id, it comes after the requests moved before it). Undefined for any other failure.
 */
export function forwardOfShutDownRefusal(err: unknown): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== SPOOL_SERVER_SHUT_DOWN) return undefined;
  return forwardInDetails(cause.details);
}

/** A task given by `submitFollowingShutdowns`: the answer, the server that took it, and the servers it passed by. */
export interface FollowedSubmission {
  answer: SubmitAnswer;
  server: string;
  /**
   * In order: each refused the task naming where it belongs now (it is shut down, or, back in
   * service, it gave that request away at its shutdown). Empty when the first server took it.
   */
  passedBy: string[];
}

/**
 * How far a task given by `submitFollowingShutdowns` got: the server it is given to now and those
 * it passed by. A giver that gives the task again after a failure (a lost answer, a timeout) passes
 * the same route, so the task goes on from the server it had reached: started again at the first
 * server, which may be back in service by then, a task the other server took already (its answer
 * lost) would be taken there too, and printed twice.
 */
export interface GivingRoute {
  to: string;
  passedBy: string[];
}

export function givingRouteFrom(server: string): GivingRoute {
  return { to: server, passedBy: [] };
}

/**
 * Whether a task refused by a shut-down server belongs where that server's requests went: an
 * output request does (given there, it comes after the requests moved before it), and so does a
 * global management task (any server of the system runs those). A server's own management task (a
 * host spool demand, a link check) is about that server, which is not running tasks now.
 */
export function followsAShutdown(task: SpoolTask): boolean {
  return task.kind === 'output' || isGlobalManagement(task.task);
}

/**
 * `submitSpoolTask`, following shut-down servers as an operator would: a task refused because its
 * server is shut down (`forwardOfShutDownRefusal`) is given, under the same Update id, to the server
 * the refusal names, and on from there while that one was shut down too, never back to a server it
 * passed by. Any other refusal or failure is thrown, and so is a shut-down server's refusal of a
 * task that does not follow (`followsAShutdown`) or that names a server passed by. With `route`
 * (`givingRouteFrom(server)`, kept by the giver across its tries) it starts where the last try got
 * to and records how far it gets. A forward back to a server passed by in an earlier try is not
 * followed either, though that server may be back in service: the server the task reached may have
 * printed it before its own shutdown (a done task does not move), and given back it would print
 * twice. The giver gets the refusal, for its operator.
 */
export async function submitFollowingShutdowns(client: Client, system: string, server: string, task: SpoolTask, opts: { attempts?: number; pauseMs?: number; route?: GivingRoute } = {}): Promise<FollowedSubmission> {
  checkSpoolServerAddress(system, server);
  const route = opts.route ?? givingRouteFrom(server);
  for (;;) {
    // Read before the await: a try of the giver's that timed out may still run and move the route.
    const to = route.to;
    try {
      return { answer: await giveWithoutNameCheck(client, system, to, task, opts), server: to, passedBy: [...route.passedBy] };
    } catch (err) {
      const forward = forwardOfShutDownRefusal(err);
      if (forward === undefined || !followsAShutdown(task) || forward === to || route.passedBy.includes(forward)) throw err;
      // Another try moved the route on meanwhile: this one's refusal is out of date.
      if (route.to !== to) throw err;
      checkSpoolServerAddress(system, forward);
      route.passedBy.push(to);
      route.to = forward;
    }
  }
}
