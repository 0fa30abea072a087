/**
 * How a group's procedure ended, read from the server: its run chain's result, followed from the
 * run the rollout started. For the rollout's look (a chain already closed) and for its watch of the
 * children an earlier run started (a chain that closes later).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { groupOutcome } from '../../machines/fleet/group-outcome';
import type { GroupProcedureLook, GroupProcedureRef } from './group-procedure-look';

/**
 * How the procedure's run chain ended, following it from the first run: at once when it has
 * ended, else when it ends (the server holds the call until then). Throws when the server does not
 * answer (unknown, not failed).
 */
export async function endOf(client: Client, ref: GroupProcedureRef): Promise<GroupProcedureLook & { status: 'ended' }> {
  const { workflowId, firstRunId } = ref;
  try {
    const output = await client.workflow.getHandle(workflowId, undefined, firstRunId ? { firstExecutionRunId: firstRunId } : {}).result();
    return { workflowId, status: 'ended', outcome: groupOutcome(output) };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { workflowId, status: 'ended', outcome: { state: 'failed', reason: err.cause?.message ?? err.message } };
  }
}
