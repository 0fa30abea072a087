/**
 * The simulator's scaled clock. Host clocks are real (log lines carry real time, as on a real
 * host); only the durations of simulated behaviour are scaled, so a 90-second group-service start
 * takes 1.5 s at scale 60 while procedure waits stay what the input says.
 */
export class SimClock {
  constructor(
    /** Simulated seconds per real second. */
    readonly timeScale: number,
    private readonly nowFn: () => number = Date.now,
  ) {}

  now(): number {
    return this.nowFn();
  }

  /** Real milliseconds for a simulated duration in seconds. */
  realMs(simSeconds: number): number {
    return Math.round((simSeconds * 1000) / this.timeScale);
  }
}

/** A small seeded PRNG (mulberry32): simulated durations are reproducible for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
