/**
 * What a fleet rollout asks the Temporal server through the worker's own client: where each of its
 * running group procedures is now. A halted procedure does not end (it waits for the operator), so
 * the rollout learns of it only by asking; the procedure workflow itself is left as it is (no
 * signal to its parent), so its recorded histories stay valid. After the rollout continued as new
 * it holds no handle on the children an earlier run started, so it learns here that they ended,
 * and how. Only reads.
 *
 * One visibility list answers for every procedure that runs, not halted, in the run the rollout
 * started (its `SpoolflowHalted` search attribute, written with each halt): a rollout of a thousand
 * servers has a hundred groups running, and a describe and a `status` query of each every poll
 * were as many server calls as its steps. The others (halted, ended, continued as new, not yet
 * listed, or all of them when the list fails) are asked one by one, as before.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { withinDeadline } from '../core/bounded-server-call';
import type { RolloutGroup } from '../../machines/fleet/rollout-plan';
import type { ProcedureStatus } from '../../workflows/operator-messages';
import { SEARCH_ATTRIBUTE_NAMES } from '../../machines/core/search-attribute-names';
import { awaitGroupProcedureEnds } from './group-procedure-end-watch';
import { endOf } from './group-procedure-end';

/** Workflow ids per visibility list: a query of a hundred ids stays a few kilobytes. */
const IDS_PER_LIST = 100;
/** How long the look at one procedure may take (a describe, then its `status` query). */
const LOOK_MS = 10_000;

/** A group's procedure: its workflow id and the first run of its chain (a procedure may continue as new). */
export interface GroupProcedureRef {
  workflowId: string;
  firstRunId?: string;
}

export interface GroupProcedureLook {
  workflowId: string;
  /**
   * `ended`: its run chain closed (`outcome` says done or failed, and why). `unknown`: it did not
   * answer (its worker is away); the rollout keeps what it knew.
   */
  status: 'halted' | 'running' | 'ended' | 'unknown';
  /** The halt's reason, when halted. */
  reason?: string;
  outcome?: Pick<RolloutGroup, 'state' | 'reason'>;
}

export function createRolloutActivities() {
  return {
    awaitGroupProcedureEnds,
    /**
     * Asks each procedure where it is; never fails for one that does not answer. A bare workflow
     * id is what rollouts started before the carry-over asked with (no run chain to follow).
     */
    async lookAtGroupProcedures(procedures: (GroupProcedureRef | string)[]): Promise<GroupProcedureLook[]> {
      const context = Context.current();
      const client = context.client;
      const refs = procedures.map((p): GroupProcedureRef => (typeof p === 'string' ? { workflowId: p } : p));
      const listed = await runningNotHaltedAsListed(client, refs).catch(() => new Map<string, string>());
      return Promise.all(
        refs.map(async (ref): Promise<GroupProcedureLook> => {
          if (runsNotHalted(ref, listed.get(ref.workflowId))) return { workflowId: ref.workflowId, status: 'running' };
          // A procedure whose worker is down answers no query: unknown after LOOK_MS, not the server's 30 s.
          return withinDeadline(client, LOOK_MS, context.cancellationSignal, () => lookAt(client, ref)).catch((err: unknown): GroupProcedureLook => {
            // Cancelled, the activity ends as cancelled, not with every procedure unknown.
            if (context.cancellationSignal.aborted) throw err;
            return { workflowId: ref.workflowId, status: 'unknown' };
          });
        }),
      );
    },
  };
}

/**
 * Workflow id → run id of the running executions of these workflow ids whose `SpoolflowHalted`
 * says they are not halted, from the visibility store (a hundred ids per list). An id with a quote
 * or backslash is left out of the query (it is asked directly).
 */
async function runningNotHaltedAsListed(client: Client, refs: readonly GroupProcedureRef[]): Promise<Map<string, string>> {
  const listed = new Map<string, string>();
  const quotable = refs.map((r) => r.workflowId).filter((id) => !/['"\\]/.test(id));
  for (let i = 0; i < quotable.length; i += IDS_PER_LIST) {
    const ids = quotable.slice(i, i + IDS_PER_LIST).map((id) => `'${id}'`);
    const query = `WorkflowId IN (${ids.join(', ')}) AND ExecutionStatus = 'Running' AND ${SEARCH_ATTRIBUTE_NAMES.halted} = false`;
    for await (const run of client.workflow.list({ query })) listed.set(run.workflowId, run.runId);
  }
  return listed;
}

/**
 * The list alone says the procedure runs, not halted: it lists the very run the rollout started
 * (the list does not give a chain's first run, so one that continued as new is asked directly).
 */
function runsNotHalted(ref: GroupProcedureRef, listedRunId: string | undefined): boolean {
  return ref.firstRunId !== undefined && listedRunId === ref.firstRunId;
}

async function lookAt(client: Client, ref: GroupProcedureRef): Promise<GroupProcedureLook> {
  const { workflowId, firstRunId } = ref;
  const latest = await client.workflow.getHandle(workflowId).describe();
  // Another procedure may run under the same id once ours ended: then ours is closed too.
  const ours = firstRunId === undefined || (latest.raw.workflowExecutionInfo?.firstRunId || latest.runId) === firstRunId;
  if (ours && latest.status.name === 'RUNNING') {
    const status = await client.workflow.getHandle(workflowId).query<ProcedureStatus>('status');
    if (status.status === 'halted') return { workflowId, status: 'halted', ...(status.halt ? { reason: `${status.halt.title}: ${status.halt.reason}` } : {}) };
    return { workflowId, status: 'running' };
  }
  // Closed: its result (it returns at once).
  return endOf(client, ref);
}

export type RolloutActivities = ReturnType<typeof createRolloutActivities>;
