/** The result a SPOC procedure returns: what it did, and in what state it left the hosts. */
import type { SpocProcedureContext } from './spoc-procedure-context';
import type { RecordedWaitsOverride } from './wait-floors';

export interface SpocProcedureOutput {
  outcome: 'completed' | 'aborted';
  group: string;
  completedMembers: string[];
  /** Services this procedure stopped and did not start again: empty unless an abort could not restore them. */
  leftStopped: Record<string, string[]>;
  couldNotStart: Record<string, { service: string; reason: string }[]>;
  loadOverride: { operator: string; reason: string } | null;
  /** Set when the input shortened the runbook's waits: who, why, and the waits below the floors. */
  waitsOverride: RecordedWaitsOverride | null;
  abortReason: string | null;
  /** What the operator should know now. */
  notes: string[];
}

export function spocProcedureOutput(
  context: SpocProcedureContext,
  outcome: SpocProcedureOutput['outcome'],
  group: string,
  notes: string[] = [],
  waitsOverride: RecordedWaitsOverride | null = null,
): SpocProcedureOutput {
  return {
    outcome,
    group,
    completedMembers: context.completedMembers,
    leftStopped: context.down,
    couldNotStart: context.couldNotStart,
    loadOverride: context.loadOverride,
    waitsOverride,
    abortReason: context.abortReason,
    notes,
  };
}
