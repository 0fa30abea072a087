/**
 * Turns a catalog entry into a workflow: validate the input (bad input fails the workflow at once,
 * before any step, with a message naming the field and the rule), then run its machine.
 */
import { ApplicationFailure } from '@temporalio/workflow';
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
    },
    parsed,
    resume,
  );
}
