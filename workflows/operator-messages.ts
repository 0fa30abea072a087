/**
 * The messages an operator (or another system) exchanges with a running procedure. Wire names are
 * the constants' names; the client and the workflows import these same definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';

/** Operator commands, validated before the update is accepted. */
export const operatorCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('operator.retry') }),
  z.object({ type: z.literal('operator.skip') }),
  z.object({ type: z.literal('operator.abort'), reason: z.string().min(1).max(500).optional() }),
  z.object({ type: z.literal('operator.startGroupService') }),
  z.object({
    type: z.literal('operator.overrideLoad'),
    operator: z.string().min(1).describe('Who overrides the load check.'),
    reason: z.string().min(5).describe('Why; kept in the result.'),
  }),
  z.object({
    type: z.literal('operator.submitOrder'),
    chain: z.string().min(1).max(100).describe('The distributed job chain the order runs through.'),
    order: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be an order id (letters, digits, "_", "." and "-")')
      .describe('Order id; submitting the same id again changes nothing.'),
  }),
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

export const statusQuery = defineQuery<ProcedureStatus>('status');
export const operatorUpdate = defineUpdate<ProcedureStatus, [OperatorCommand]>('operator');
