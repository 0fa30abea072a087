/** Polls a running procedure's `status` query until a condition holds. */
import type { Client } from '@temporalio/client';
import { ProcedureStatus, statusQuery } from '../../workflows/operator-messages';

export async function waitForStatus(client: Client, workflowId: string, until: (s: ProcedureStatus) => boolean, timeoutMs = 60_000): Promise<ProcedureStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ProcedureStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await client.workflow.getHandle(workflowId).query(statusQuery);
      if (until(last)) return last;
    } catch {
      // The first workflow task may not have run yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`procedure ${workflowId} did not reach the expected status within ${timeoutMs} ms; last: ${JSON.stringify(last && { step: last.step, status: last.status, halt: last.halt })}`);
}
