/**
 * The messages an operator (or another system) exchanges with a running procedure. Wire names are
 * the constants' names; the client and the workflows import these same definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { nonBlankText, normalNameSchema, operatorNameSchema, reasonSchema } from '../machines/core/input-rules';

/**
 * Who sends a command and why: optional on every command (the runtime records them in the path
 * and the result), never blank when given.
 */
const attribution = {
  operator: operatorNameSchema.optional().describe('Who sends the command; recorded in the path and the result.'),
  reason: reasonSchema().optional().describe('Why; recorded in the path and the result.'),
};

/**
 * Operator commands, validated before the update is accepted. Unknown keys are refused: a command
 * that carries something the procedure would ignore means something else than it says.
 */
export const operatorCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('operator.retry'), ...attribution }),
  z.strictObject({ type: z.literal('operator.skip'), ...attribution }),
  z.strictObject({ type: z.literal('operator.abort'), ...attribution }),
  z.strictObject({ type: z.literal('operator.startGroupService'), ...attribution }),
  z.strictObject({
    type: z.literal('operator.overrideLoad'),
    operator: operatorNameSchema.describe('Who overrides the load check.'),
    reason: reasonSchema(5).describe('Why; kept in the result.'),
  }),
  z.strictObject({
    type: z.literal('operator.submitOrder'),
    ...attribution,
    chain: nonBlankText(100, 'the job chain').describe('The distributed job chain the order runs through.'),
    order: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be an order id (letters, digits, "_", "." and "-")')
      .describe('Order id; submitting the same id again changes nothing.'),
  }),
  z.strictObject({
    type: z.literal('operator.redirect'),
    ...attribution,
    location: z
      .string({ error: 'a redirect needs the location whose Spooler Controllers the job goes to (--location <location>)' })
      .pipe(normalNameSchema('the location'))
      .describe('A waiting print job: the location whose Spooler Controllers it goes to from now on.'),
  }),
  z.strictObject({ type: z.literal('operator.cancel'), ...attribution }),
]);
export type OperatorCommand = z.infer<typeof operatorCommandSchema>;

/** One step the procedure took or is taking. */
export interface PathEntry {
  step: string;
  action: string;
  host?: string;
  title: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'running' | 'done' | 'failed' | 'cancelled';
  reason?: string;
  /** For an operator command: who gave it. */
  operator?: string;
  /** For a wait: the timer it is, so a run that continued as new finishes the same entry. */
  timer?: string;
}

/** An operator command as the procedure took it, kept for the result. */
export interface OperatorCommandRecord {
  type: string;
  /** The step the procedure was at. */
  step: string;
  at: string;
  operator?: string;
  reason?: string;
}

/** What `status` answers: where the procedure is, why it is halted, what it has done. */
export interface ProcedureStatus {
  procedure: string;
  /** XState state value. */
  state: unknown;
  /** The innermost step the machine is at. */
  step: string;
  /** `refused`: another procedure holds one of its leases; it ended before any step. */
  status: 'running' | 'halted' | 'waiting' | 'done' | 'refused';
  halt: { step: string; title: string; reason: string; errorType?: string; options: string[] } | null;
  /** Operator commands the procedure accepts right now. */
  accepts: string[];
  /** A short summary of the machine context (procedure-specific). */
  summary: Record<string, unknown>;
  /** Steps taken so far in this run and the runs it continued from (the newest last). */
  path: PathEntry[];
  /** Total steps taken, including those trimmed from `path`. */
  stepsTaken: number;
  timers: { id: string; dueAt: string }[];
  inFlight: string[];
  output?: unknown;
}

export const statusQuery = defineQuery<ProcedureStatus, [], 'status'>('status');
export const operatorUpdate = defineUpdate<ProcedureStatus, [OperatorCommand]>('operator');
