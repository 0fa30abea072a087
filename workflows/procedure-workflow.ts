/**
 * Turns a catalog entry into a workflow: validate the input (bad input fails the workflow at once,
 * before any step, with a message naming the field and the rule), then run its machine.
 */
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { procedureById } from '../machines/catalog';
import { InvalidInputError, parseInput } from '../machines/input-errors';
import { ResumeState, runMachine } from './machine-runtime';

export async function runProcedure(id: string, input: unknown, resume?: ResumeState): Promise<unknown> {
  const procedure = procedureById(id);
  let parsed: unknown;
  try {
    parsed = parseInput(procedure.inputSchema, id, input);
  } catch (err) {
    if (err instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
  return runMachine(
    {
      procedure: id,
      machine: procedure.machine,
      summarize: (context) => procedure.summarize(context as never),
      hosts: procedure.hostsOf(parsed as never),
      historyEventLimit: historyEventLimitFromMemo(),
      hostPickupSeconds: (parsed as { waits?: { hostPickupSeconds?: number } }).waits?.hostPickupSeconds,
    },
    parsed,
    resume,
  );
}

/**
 * Continue-as-new threshold: the server's suggestion, or earlier when the memo asks for it
 * (`spoolflowHistoryEventLimit`), which tests and benchmarks use to exercise continue-as-new.
 */
function historyEventLimitFromMemo(): number | undefined {
  const value = workflowInfo().memo?.[HISTORY_LIMIT_MEMO];
  return typeof value === 'number' && value >= 20 ? value : undefined;
}

export const HISTORY_LIMIT_MEMO = 'spoolflowHistoryEventLimit';
