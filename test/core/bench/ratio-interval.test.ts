/**
 * The runtime bench's ratio comes with an interval over its paired rounds: a steady ratio gives a
 * narrow interval around it, noisy rounds a wide one, and a target inside the interval is not met
 * for sure.
 */
import { ratioOfMeansInterval } from '../../../bench/ratio-interval';
import { seededRandom } from '../../../simulator/core/sim-clock';

test('rounds whose ratio never changes give that ratio and an interval with no width', () => {
  const b = [250, 262, 241, 270, 255, 248];
  const a = b.map((x) => x * 1.2);
  const r = ratioOfMeansInterval(a, b);
  expect(r.ratio).toBeCloseTo(1.2, 10);
  expect(r.low).toBeCloseTo(1.2, 10);
  expect(r.high).toBeCloseTo(1.2, 10);
  expect(r.rounds).toBe(6);
});

test('noisy rounds give an interval around the ratio that narrows as rounds are added', () => {
  const noise = seededRandom(7);
  const rounds = (n: number) => {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i += 1) {
      a.push(275 + (noise() - 0.5) * 60);
      b.push(250 + (noise() - 0.5) * 60);
    }
    return ratioOfMeansInterval(a, b);
  };
  const few = rounds(10);
  const many = rounds(400);
  for (const r of [few, many]) {
    expect(r.low).toBeLessThan(r.ratio);
    expect(r.high).toBeGreaterThan(r.ratio);
  }
  expect(many.high - many.low).toBeLessThan((few.high - few.low) / 3);
  expect(many.low).toBeGreaterThan(1.05);
  expect(many.high).toBeLessThan(1.15);
});

test('the same samples always give the same interval', () => {
  const a = [310, 290, 305, 330, 288];
  const b = [280, 275, 290, 300, 260];
  expect(ratioOfMeansInterval(a, b)).toEqual(ratioOfMeansInterval(a, b));
});

test('samples that are not paired rounds are refused', () => {
  expect(() => ratioOfMeansInterval([1, 2, 3], [1, 2])).toThrow(/paired rounds: 3 samples of one kind against 2/);
  expect(() => ratioOfMeansInterval([1], [1])).toThrow(/at least 2 rounds/);
});
