/**
 * A procedure's input checked against its zod schema, and the steps it would take: no side effect,
 * nothing reaches Temporal. Kept apart from client/spoolflow-client.ts because it loads the whole
 * catalog (every machine and schema), which asking a running procedure's status does not need.
 */
import type { z } from 'zod';
import { procedureById, type PROCEDURES, type ProcedureDefinition, type ProcedureId } from '../machines/catalog';
import { parseInput } from '../machines/core/input-errors';
import { planProcedure, type PlannedStep } from '../machines/core/plan';

/** The input a procedure takes, as its zod schema accepts it (defaults may be left out). */
export type ProcedureInput<Id extends ProcedureId> = z.input<Extract<(typeof PROCEDURES)[number], { id: Id }>['inputSchema']>;

/** Validates input for a procedure; throws InvalidInputError naming the fields. */
export function validateInput(procedureId: string, input: unknown): { procedure: ProcedureDefinition; input: unknown } {
  const procedure = procedureById(procedureId);
  return { procedure, input: parseInput(procedure.inputSchema, procedureId, input) };
}

/** The steps a procedure would take for this input; no side effect. */
export function plan(procedureId: string, input: unknown): PlannedStep[] {
  const { procedure, input: parsed } = validateInput(procedureId, input);
  return planProcedure(procedure.machine, parsed);
}
