/**
 * The runtime's transitions (one inert scope per run) are XState's `transition`: the same
 * snapshots and the same actions, event after event, on real procedure machines through effects,
 * parallel hosts, waits, a halt, an operator retry and an abort.
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { doneEventType, failedEventType, nominalOutput, hostOf } from '../../../machines/core/effects';
import { directivesOf, type MachineEvent } from '../../../machines/core/machine-directives';
import { restartGroupWithoutCacheDeletionMachine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import { groupMembersRestartedInParallelMachine } from '../../../machines/spoc/restart-group-with-cache-deletion';
import { groupRestartInputSchema } from '../../../machines/spoc/spoc-group-input';
import { machineTransitions } from '../../../workflows/runtime/machine-transitions';

const input = groupRestartInputSchema.parse({
  group: 'prague',
  members: [
    { host: 'spoc-1', installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] },
    { host: 'spoc-2', installDir: 'C:\\DP', otherServices: [] },
  ],
  waits: { convergenceSeconds: 300 },
});

/** What XState and the runtime must agree on after each event. */
function seen(snapshot: AnyMachineSnapshot, actions: readonly { type: string; params?: unknown }[]) {
  return { value: snapshot.value, context: snapshot.context, status: snapshot.status, output: snapshot.output, tags: [...snapshot.tags].sort(), actions: actions.map((a) => ({ type: a.type, params: a.params })) };
}

/**
 * Drives the machine with both transition functions side by side: effects answered in order
 * (`failAt`: that many effects in, the effect fails; the operator then sends `afterHalt`), delays
 * fired when nothing else is pending. Returns how many events both took.
 */
function compare(machine: AnyStateMachine, opts: { failAt?: number; afterHalt?: string } = {}): number {
  const runtimeTransition = machineTransitions(machine);
  let [expected, expectedActions] = initialTransition(machine, input);
  let actual = expected;
  const pending: MachineEvent[] = [];
  const delays: MachineEvent[] = [];
  let effects = 0;
  let events = 0;
  const absorb = (actions: readonly { type: string; params?: unknown }[]) => {
    for (const d of directivesOf(actions)) {
      if (d.kind === 'schedule') delays.push(d.event);
      else if (d.kind === 'effect') {
        effects += 1;
        const host = hostOf(d.effect);
        const on = host ? { host } : {};
        if (effects === opts.failAt) pending.push({ type: failedEventType(d.effect.step), reason: 'refused', ...on });
        else pending.push({ type: doneEventType(d.effect.step), output: nominalOutput(d.effect, new Date(0).toISOString()), ...on });
      }
    }
  };
  absorb(expectedActions);
  while (expected.status === 'active' && events < 500) {
    const event = expected.hasTag('halted') && opts.afterHalt ? { type: opts.afterHalt, operator: 'ops', reason: 'test' } : (pending.shift() ?? delays.shift());
    if (!event) break;
    let actualActions;
    [expected, expectedActions] = transition(machine, expected, event as never);
    [actual, actualActions] = runtimeTransition(actual, event);
    expect(seen(actual, actualActions)).toEqual(seen(expected, expectedActions));
    absorb(expectedActions);
    events += 1;
  }
  return events;
}

test('a group restart takes the same steps with the runtime transitions as with XState', () => {
  expect(compare(restartGroupWithoutCacheDeletionMachine)).toBeGreaterThan(20);
});

test('a halted step retried by the operator takes the same steps', () => {
  expect(compare(restartGroupWithoutCacheDeletionMachine, { failAt: 6, afterHalt: 'operator.retry' })).toBeGreaterThan(20);
});

test('an abort after a halt takes the same steps', () => {
  expect(compare(restartGroupWithoutCacheDeletionMachine, { failAt: 8, afterHalt: 'operator.abort' })).toBeGreaterThan(5);
});

test('members restarted in parallel take the same steps', () => {
  expect(compare(groupMembersRestartedInParallelMachine)).toBeGreaterThan(20);
});
