/**
 * How sure a bench's ratio is. The runtime bench runs one workflow of each kind per round (the
 * order alternating), so its rounds are pairs; the ratio of the two kinds' means comes with a 95 %
 * interval from resampling whole rounds (a percentile bootstrap with a fixed seed, so the same
 * samples always give the same interval). A ratio whose interval reaches past the target is not
 * shown to be under it, whatever its mean says: one run's mean moves by a few per cent with the
 * machine's load.
 */
import { seededRandom } from '../simulator/core/sim-clock';

export interface RatioInterval {
  /** mean(a) / mean(b) over all rounds. */
  ratio: number;
  /** 2.5th and 97.5th percentiles of the ratio over the resampled rounds. */
  low: number;
  high: number;
  rounds: number;
}

export interface ResampleOptions {
  resamples?: number;
  seed?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The ratio of the means of `a` and `b`, measured in the same rounds (a[i] beside b[i]), with its 95 % interval. */
export function ratioOfMeansInterval(a: readonly number[], b: readonly number[], options: ResampleOptions = {}): RatioInterval {
  if (a.length !== b.length) throw new Error(`paired rounds: ${a.length} samples of one kind against ${b.length} of the other`);
  if (a.length < 2) throw new Error(`an interval needs at least 2 rounds, got ${a.length}`);
  const resamples = options.resamples ?? 2000;
  const random = seededRandom(options.seed ?? 1);
  const n = a.length;
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r += 1) {
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < n; i += 1) {
      const pick = Math.floor(random() * n);
      sumA += a[pick]!;
      sumB += b[pick]!;
    }
    ratios.push(sumA / sumB);
  }
  ratios.sort((x, y) => x - y);
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { ratio: mean(a) / mean(b), low: at(0.025), high: at(0.975), rounds: n };
}
