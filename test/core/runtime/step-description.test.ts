/**
 * The current details of a running procedure say where it is in the operator's words: the
 * description of the innermost described state, read through XState's public API.
 */
import { createMachine, initialTransition, transition } from 'xstate';
import { stepDescription } from '../../../workflows/runtime/step-description';

const machine = createMachine({
  id: 'procedure',
  description: 'The whole procedure.',
  initial: 'stopMember',
  states: {
    stopMember: {
      description: 'Step 1: stop the member.',
      initial: 'running',
      states: {
        running: { on: { fail: 'halted', done: '#procedure.settle' } },
        halted: { description: 'Halted: waiting for the operator.', on: { retry: 'running' } },
      },
    },
    settle: { initial: 'waiting', states: { waiting: { on: { next: '#procedure.completed' } } } },
    completed: { type: 'final', description: 'Every member restarted.' },
  },
});

test('a running step is described in its own words', () => {
  const [snapshot] = initialTransition(machine);
  expect(stepDescription(machine, snapshot)).toBe('Step 1: stop the member.');
});

test('a halted step shows its own words, not the words of the halt', () => {
  const [snapshot] = transition(machine, initialTransition(machine)[0], { type: 'fail' });
  expect(snapshot.value).toEqual({ stopMember: 'halted' });
  expect(stepDescription(machine, snapshot)).toBe('Step 1: stop the member.');
});

test('a state without words of its own is described by the nearest state around it', () => {
  const [snapshot] = transition(machine, initialTransition(machine)[0], { type: 'done' });
  expect(stepDescription(machine, snapshot)).toBe('The whole procedure.');
});

test('a snapshot resolved from a state value (a run that continued as new) is described the same', () => {
  const resolved = machine.resolveState({ value: { stopMember: 'halted' }, context: {} });
  expect(stepDescription(machine, resolved)).toBe('Step 1: stop the member.');
});

test('a finished procedure is described by its own words, as the runtime always showed it', () => {
  let [snapshot] = transition(machine, initialTransition(machine)[0], { type: 'done' });
  [snapshot] = transition(machine, snapshot, { type: 'next' });
  expect(snapshot.status).toBe('done');
  expect(stepDescription(machine, snapshot)).toBe('The whole procedure.');
});

test('a machine without any described state has no description', () => {
  const plain = createMachine({ initial: 'a', states: { a: {} } });
  expect(stepDescription(plain, initialTransition(plain)[0])).toBeUndefined();
});
