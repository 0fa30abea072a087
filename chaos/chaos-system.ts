/**
 * A system that runs beside the SPOC procedures in a chaos run (the FlexiSpooler deliveries, the
 * spool cleaning, the SAP spool dispatchers): it starts its work once the run's parts are up, makes
 * its own faults come and go from a random stream of its own (so a seed's SPOC choices stay what
 * they were), is given its calm at the end (faults cleared, time to finish) and judged.
 */
import type { InvariantBreak } from './invariants';

export type SystemName = 'spoc' | 'jobscheduler' | 'flexispooler' | 'spoolcleaning' | 'sap';

export interface ChaosSystem {
  readonly name: SystemName;
  /** Faults injected so far this run. */
  readonly faults: number;
  /** Starts the system's work on the run's estate (its parts run). */
  start(): Promise<void>;
  /** One look of the run's loop: faults that are due come or go. */
  tick(): Promise<void>;
  /** The run's procedures ended: faults cleared, and the system gets its time to finish. */
  settle(): Promise<void>;
  /** Its workflows ended on the server (the next run starts its own), and its invariants checked. */
  finish(): Promise<InvariantBreak[]>;
  /** What it did, for the run's line. */
  summary(): string;
}

type Rng = () => number;
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` every half second (the server or a worker may be down for a moment). */
export async function retrying<T>(fn: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(500);
    }
  }
}

/** An answer within 5 s, or a failure: an Update or a query on a connection to a killed server can wait long. */
export function withinFiveSeconds<T>(answer: Promise<T>): Promise<T> {
  answer.catch(() => undefined);
  return Promise.race([answer, sleep(5000).then(() => Promise.reject(new Error('no answer within 5 s')))]);
}

/** Waits until `condition` holds or `timeoutMs` passed; true when it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

/**
 * Waits until `done`, for as long as `progress` (a count that only grows, e.g. requests printed)
 * keeps growing: it gives up after `quietMs` without progress, or at `capMs` in all. A backlog that
 * a loaded machine works off slowly is waited for; work that stopped is not.
 */
export async function waitWhileProgressing(done: () => boolean, progress: () => number, quietMs: number, capMs: number): Promise<boolean> {
  const cap = Date.now() + capMs;
  let last = progress();
  let quietSince = Date.now();
  for (;;) {
    if (done()) return true;
    const now = Date.now();
    const seen = progress();
    if (seen > last) [last, quietSince] = [seen, now];
    if (now - quietSince > quietMs || now > cap) return false;
    await sleep(500);
  }
}

/** Faults that go away by themselves after a while: each with the undo to run when it is due. */
export class PassingFaults {
  private readonly due: { at: number; undo: () => void; what: string }[] = [];

  add(lastsMs: number, what: string, undo: () => void): void {
    this.due.push({ at: Date.now() + lastsMs, undo, what });
  }

  /** Undoes the faults that are due (all of them with `all`). */
  expire(all = false): string[] {
    const now = Date.now();
    const gone = this.due.filter((f) => all || f.at <= now);
    for (const f of gone) {
      f.undo();
      this.due.splice(this.due.indexOf(f), 1);
    }
    return gone.map((f) => f.what);
  }

  has(what: string): boolean {
    return this.due.some((f) => f.what === what);
  }
}
