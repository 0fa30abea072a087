/**
 * The building block of a job's delivery: one step that asks for one effect. Unlike a maintenance
 * procedure's step it never halts for the operator: a client whose agent does not answer (the
 * laptop is closed, asleep, between networks) is the ordinary case the document describes, so a
 * failed effect puts the job back in the queue, waiting, with the reason; the client tries again
 * (the shape every step that never halts shares: machines/core/effect-step.ts).
 */
import { effectStep, type EffectStepOptions } from '../core/effect-step';
import type { StateConfig } from '../core/haltable-step';

/** What every step of a delivery reads and writes. */
export interface DeliveryStepContext {
  /** Why the job waits, in the operator's words; null while it is not waiting. */
  waitingBecause: string | null;
}

/** A step that runs one effect; its answer goes through `onDone` to `next`, a failure to `onFailure` with the reason. */
export function deliveryStep<C extends DeliveryStepContext, O>(
  opts: Omit<EffectStepOptions<C, O>, 'onDone' | 'onFailed'> & {
    onDone: (c: C, output: O) => Partial<C>;
    /** Context changes when the effect failed for good (e.g. noting an attempt that may have acted). */
    onFailed?: (c: C) => Partial<C>;
    /** The reason the job waits when the effect failed for good (null: it does not wait, e.g. a job a server holds). */
    failureReason: (c: C, reason: string) => string | null;
  },
): StateConfig {
  return effectStep<C, O>({
    ...opts,
    onFailed: (c, reason) => ({ ...(opts.onFailed ? opts.onFailed(c) : {}), waitingBecause: opts.failureReason(c, reason) }) as Partial<C>,
  });
}
