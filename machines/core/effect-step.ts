/**
 * A step that asks for one effect and never halts for the operator: its answer moves it on to
 * `next`, its failure (after the action's retries) to `onFailure`, each with its own change to the
 * context. The steps of the loops that must go on by themselves are of this shape: a cluster
 * supervisor (a failed step goes back to watching) and a print job's delivery (a failed step puts
 * the job back in the queue). A maintenance procedure's step halts instead (haltable-step.ts).
 */
import { assign } from 'xstate';
import type { Effect } from '../actions';
import { doneEventType, effectTag, failedEventType } from './effect-events';
import type { AnyEvent, StateConfig } from './haltable-step';

export interface EffectStepOptions<C, O> {
  /** State key; unique within the machine, because the answer events carry it. */
  id: string;
  description: string;
  effect: (c: C) => Effect;
  next: string;
  onFailure: string;
  /** The context's change when the effect answered. */
  onDone?: (c: C, output: O) => Partial<C>;
  /** The context's change when the effect failed for good, with the failure's reason. */
  onFailed: (c: C, reason: string) => Partial<C>;
}

export function effectStep<C, O = unknown>(opts: EffectStepOptions<C, O>): StateConfig {
  return {
    id: opts.id,
    description: opts.description,
    meta: { step: opts.id },
    tags: [effectTag(opts.id)],
    entry: { type: 'effect', params: ({ context }: { context: C }) => opts.effect(context) },
    on: {
      [doneEventType(opts.id)]: {
        target: opts.next,
        actions: assign(({ context, event }: { context: C; event: AnyEvent }) => (opts.onDone ? opts.onDone(context, event.output as O) : {}) as Partial<C>),
      },
      [failedEventType(opts.id)]: {
        target: opts.onFailure,
        actions: assign(({ context, event }: { context: C; event: AnyEvent }) => opts.onFailed(context, String(event.reason))),
      },
    },
  };
}
