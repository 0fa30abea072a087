/**
 * The runbook's floors for a SPOC procedure's waits, and what a run records when its input set waits
 * below them: pure and free of the input schemas (spoc-group-input.ts checks the input against the
 * floors), so the machines that read them load no schema and can be shared by every workflow of a
 * worker (worker/shared-machines.ts).
 */
import type { WaitsOverride } from './spoc-group-input';

/**
 * The runbook's waits, as floors. The group service floor is the top of the runbook's "1-2
 * minutes": the service may take that long to start by itself, and a shorter timeout would halt
 * and ask the operator to start it by hand while it is still starting on its own.
 */
export const WAIT_FLOORS = {
  groupServiceTimeoutSeconds: { seconds: 120, runbook: 'the group service starts by itself within 1-2 minutes' },
  convergenceSeconds: { seconds: 300, runbook: 'circa 5 minutes for the distributed layer to converge' },
  betweenStartsSeconds: { seconds: 180, runbook: '3-10 minutes between the starts of two members' },
  settleSeconds: { seconds: 300, runbook: 'circa 5-10 minutes after an OS restart before the next member' },
} as const;

export type WaitWithFloor = keyof typeof WAIT_FLOORS;

/** The waits set below the runbook's floors, with their values. */
export function waitsBelowFloors(waits: Partial<Record<WaitWithFloor, number>>): Partial<Record<WaitWithFloor, number>> {
  const below: Partial<Record<WaitWithFloor, number>> = {};
  for (const key of Object.keys(WAIT_FLOORS) as WaitWithFloor[]) {
    const value = waits[key];
    if (value !== undefined && value < WAIT_FLOORS[key].seconds) below[key] = value;
  }
  return below;
}

/** What the result records of a wait override: who, why, and which waits were below the floors. */
export interface RecordedWaitsOverride extends WaitsOverride {
  shortened: Partial<Record<WaitWithFloor, number>>;
}

export function recordedWaitsOverride(input: { waits: Partial<Record<WaitWithFloor, number>>; waitsOverride?: WaitsOverride | undefined }): RecordedWaitsOverride | null {
  if (!input.waitsOverride) return null;
  return { operator: input.waitsOverride.operator, reason: input.waitsOverride.reason, shortened: waitsBelowFloors(input.waits) };
}
