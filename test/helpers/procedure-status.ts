/** Polls a running procedure's `status` query until a condition holds; reads how one failed. */
import { Client, WorkflowFailedError } from '@temporalio/client';
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

/** The failure a procedure ended with (its cause's type and message); throws if it did not fail. */
export async function failureOf(client: Client, workflowId: string): Promise<{ type?: string; message: string }> {
  try {
    await client.workflow.getHandle(workflowId).result();
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause as { type?: string; message: string } | undefined;
      return { type: cause?.type, message: cause?.message ?? err.message };
    }
    throw err;
  }
  throw new Error(`${workflowId} did not fail`);
}

/** Polls an asynchronous condition until it holds; fails saying what it waited for. */
export async function waitForAsync(what: string, condition: () => Promise<boolean>, timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
