/**
 * One procedure's input schema or machine, loaded alone: `spoolflow start` checks an input with its
 * procedure's schema and `watch` plans the steps to come with its machine, without loading the whole
 * catalog (every machine and schema: ~100 ms more per command). The loaders are those the procedure
 * workflows use (machines/procedure-modules.ts).
 */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { ProcedureId } from '../machines/catalog';
import { parseInput } from '../machines/core/input-errors';
import { PROCEDURE_MODULES } from '../machines/procedure-modules';
import { procedureStartById, type ProcedureStart } from '../machines/procedure-starts';

/** The loaders of this procedure; the catalog's error listing the known ids when there are none. */
function modulesOf(procedureId: string) {
  return PROCEDURE_MODULES[procedureStartById(procedureId).id as ProcedureId];
}

/**
 * Validates input for a procedure with its own schema alone; throws InvalidInputError naming the
 * fields (as client/procedure-input.ts validateInput, which loads the catalog).
 */
export async function validateStartInput(procedureId: string, input: unknown): Promise<{ procedure: ProcedureStart; input: unknown }> {
  const procedure = procedureStartById(procedureId);
  const schema: z.ZodType = modulesOf(procedureId).inputSchema();
  return { procedure, input: parseInput(schema, procedureId, input) };
}

/** The procedure's machine and input schema, loaded alone. */
export async function procedureMachine(procedureId: string): Promise<{ machine: AnyStateMachine; inputSchema: z.ZodType }> {
  const modules = modulesOf(procedureId);
  return { machine: modules.machine(), inputSchema: modules.inputSchema() };
}
