import { startBatches, STARTS_PER_WORKFLOW_TASK } from '../../../machines/fleet/rollout-starts';

test('a decision of up to a batch of groups starts them all in one workflow task, in the decision order', () => {
  expect(startBatches(['a1', 'b1', 'a2'])).toEqual([['a1', 'b1', 'a2']]);
  const wave = Array.from({ length: STARTS_PER_WORKFLOW_TASK }, (_, i) => `g${i}`);
  expect(startBatches(wave)).toEqual([wave]);
  expect(startBatches([])).toEqual([]);
});

test('a larger decision starts in batches, one after another, none left out or repeated', () => {
  const names = Array.from({ length: 7 }, (_, i) => `g${i}`);
  const batches = startBatches(names, 3);
  expect(batches).toEqual([['g0', 'g1', 'g2'], ['g3', 'g4', 'g5'], ['g6']]);
  expect(batches.flat()).toEqual(names);
});

test('a batch size that is no whole number of at least 1 is refused, naming it', () => {
  expect(() => startBatches(['a1'], 0)).toThrow('size must be a whole number of at least 1, not 0');
  expect(() => startBatches(['a1'], 1.5)).toThrow('size must be a whole number of at least 1, not 1.5');
});
