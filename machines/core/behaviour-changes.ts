/**
 * Behaviour a machine took on while runs of it were under way. A supervisor runs for months, and
 * its recorded history must replay on the code that recorded it: a run that took an operator's
 * command one way must, on replay, take it the same way. So a change of behaviour is a guard
 * named after the change, `since:<change>`, that the machine defines as true (its behaviour from
 * now on, and what the pure tests run). The durable runtime asks Temporal, once at the start of
 * each run, whether that run has the change (a patch marker of the change's name,
 * workflows/runtime/behaviour-changes.ts): a run recorded before it replays with the guard false,
 * every run after it, including the next run of an old chain after continue-as-new, has it true.
 */
import type { AnyStateMachine } from 'xstate';

const SINCE = 'since:';

/** The guard's name for a behaviour change. */
export function behaviourSince<const T extends string>(change: T): `since:${T}` {
  return `${SINCE}${change}`;
}

/** Whether a guard's name is a behaviour change's. */
export function isBehaviourChange(guardName: string): boolean {
  return guardName.startsWith(SINCE);
}

/** The behaviour changes a machine's guards name, in the order they are defined. */
export function behaviourChangesOf(machine: AnyStateMachine): string[] {
  return Object.keys(machine.implementations.guards ?? {})
    .filter(isBehaviourChange)
    .map((name) => name.slice(SINCE.length));
}
