/**
 * Every condition a procedure decides on has a name, declared in its machine's `setup`, so a chart
 * says which condition moves it on (`isLastMember`, `decided(failover)`) instead of an anonymous
 * branch, and a name used by a shared block is implemented in every machine built from it.
 */
import type { AnyStateMachine } from 'xstate';
import { PROCEDURES } from '../../../machines/catalog';
import { behaviourSince } from '../../../machines/core/behaviour-changes';
import { STOP_WAITS_FOR_THE_CHANGE } from '../../../machines/jobscheduler/passive-cluster-supervisor';

interface GuardedTransition {
  from: string;
  event: string;
  guard: unknown;
}

interface WalkedNode {
  id: string;
  states: Record<string, WalkedNode>;
  transitions: Map<string, { eventType: string; guard?: unknown }[]>;
  always?: { eventType: string; guard?: unknown }[];
  after: { eventType: string; guard?: unknown }[];
}

/** Every guarded transition of a machine: on events, delays, `onDone`, and eventless ones. */
function guardedTransitions(machine: AnyStateMachine): GuardedTransition[] {
  const found: GuardedTransition[] = [];
  const walk = (node: WalkedNode) => {
    const transitions = [...[...node.transitions.values()].flat(), ...(node.always ?? []), ...node.after];
    for (const t of transitions) if (t.guard !== undefined) found.push({ from: node.id, event: t.eventType, guard: t.guard });
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return found;
}

const nameOf = (guard: unknown): string | undefined =>
  typeof guard === 'string' ? guard : guard !== null && typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string' ? (guard as { type: string }).type : undefined;

/** The names a guard is made of: its own, or those of XState's `and` of guards; undefined when one part has none. */
function namesOf(guard: unknown): string[] | undefined {
  if (typeof guard === 'function' && guard.name === 'and' && Array.isArray((guard as { guards?: unknown }).guards)) {
    const parts = (guard as unknown as { guards: unknown[] }).guards.map(namesOf);
    return parts.every((p) => p !== undefined) ? parts.flat<(string[] | undefined)[]>().filter((n): n is string => n !== undefined) : undefined;
  }
  const name = nameOf(guard);
  return name === undefined ? undefined : [name];
}

test('no transition of any procedure has an anonymous guard', () => {
  for (const procedure of PROCEDURES) {
    const anonymous = guardedTransitions(procedure.machine).filter((t) => namesOf(t.guard) === undefined);
    expect({ procedure: procedure.id, anonymous: anonymous.map((t) => `${t.from} on ${t.event}`) }).toEqual({ procedure: procedure.id, anonymous: [] });
  }
});

test("every guard a procedure names is implemented in its machine's setup", () => {
  for (const procedure of PROCEDURES) {
    const implemented = procedure.machine.implementations.guards;
    const missing = guardedTransitions(procedure.machine)
      .flatMap((t) => namesOf(t.guard) ?? [])
      .filter((name) => typeof implemented[name] !== 'function');
    expect({ procedure: procedure.id, missing: [...new Set(missing)] }).toEqual({ procedure: procedure.id, missing: [] });
  }
});

test('the decisions of the procedures are named in the operator’s words', () => {
  const namesIn = (id: string) => new Set(guardedTransitions(PROCEDURES.find((p) => p.id === id)?.machine as AnyStateMachine).flatMap((t) => namesOf(t.guard) ?? []));
  expect([...namesIn('restart-group-with-cache-deletion')]).toEqual(expect.arrayContaining(['loadCheckOverridden', 'isLastMember', 'nothingLeftToStartAgain', 'hostIsAtStep', 'everyHostFinished', 'hostsSettledWithFailures']));
  expect([...namesIn('add-spoc-to-group')]).toContain('isGroupOfTwo');
  expect([...namesIn('create-group-from-standalone-spocs')]).toContain('spocsNewlyInstalled');
  expect([...namesIn('move-spoc-to-another-group')]).toContain('moveInOneStep');
  expect([...namesIn('restart-os-of-group-members')]).toEqual(expect.arrayContaining(['parallelRestartSeen', 'isLastMember']));
  // A behaviour change's guard (`since:<change>`) is named after the change (machines/core/behaviour-changes.ts).
  expect([...namesIn('supervise-passive-cluster')]).toEqual(['decided', 'stopAsked', behaviourSince(STOP_WAITS_FOR_THE_CHANGE), 'stopAskedNotDecidedAgain']);
  expect([...namesIn('supervise-active-cluster')]).toEqual(expect.arrayContaining(['stepsToReassign', 'ordersToSubmit', 'workArrivedMeanwhile', 'notTakenForNow']));
  expect([...namesIn('set-cluster-option')]).toEqual(expect.arrayContaining(['isWindowsMember', 'nothingToStartAgain', 'hasTheOptionsAlready']));
});
