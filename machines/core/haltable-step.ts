/**
 * The building block of every procedure: one step that asks for one effect and halts when the
 * effect fails (docs/README.md#what-a-halted-step-means). A step is a compound state:
 *
 *   <id>.running  emits the effect; `effect.done.<id>` moves on, `effect.failed.<id>` halts
 *   <id>.halted   waits for the operator: `operator.retry` runs the effect again,
 *                 `operator.skip` moves on (only where the step is declared safe to skip),
 *                 `operator.abort` is handled by the procedure (it restores the hosts).
 *
 * Retrying is safe because every effect is idempotent on the host.
 */
import { assign } from 'xstate';
import type { Effect } from '../actions';
import { doneEventType, effectTag, failedEventType, type EffectFailedEvent } from './effect-events';

/** Why a procedure is parked, shown to the operator and kept in the query result. */
export interface Halt {
  step: string;
  title: string;
  reason: string;
  errorType?: string;
  /** Operator commands that this halt accepts besides abort. */
  options: string[];
}

/** Context fields every procedure machine has, so the runtime can report on any of them. */
export interface HaltableContext {
  halt: Halt | null;
}

// XState's config types do not survive being built by a generic helper; the helpers below are
// typed at their inputs and produce plain config objects that `createMachine` checks at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StateConfig = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEvent = { type: string; [key: string]: any };

export interface StepOptions<C extends HaltableContext, O = unknown> {
  /** State key; unique within the machine, because the answer events carry it. */
  id: string;
  /** Operator's words for the chart (with the runbook's step number where it has one). */
  description: string;
  /** The effect to run, computed from the context when the step is entered. */
  effect: (context: C) => Effect;
  /** Where to go when the effect succeeded (a sibling key or a `#id`). */
  next: string;
  /** Context changes from the effect's output. */
  onDone?: (context: C, output: O) => Partial<C>;
  /** Declared only where skipping cannot leave a host unsafe; the reason is shown to the operator. */
  skipSafeBecause?: string;
  /** Context changes when the operator skips the step. */
  onSkip?: (context: C) => Partial<C>;
  /**
   * Context changes as the step is entered (and entered again on retry), before its effect runs:
   * e.g. a stop counts its service as possibly down from the moment it is asked for, since it may
   * act and never be answered (an abort while it runs, a failure after it acted).
   */
  onEnter?: (context: C) => Partial<C>;
  /** Context changes when the operator retries the step (e.g. "an earlier attempt may have acted"). */
  onRetry?: (context: C) => Partial<C>;
  /** Extra transitions the halted state accepts, e.g. `operator.startGroupService`. */
  haltedOn?: Record<string, StateConfig>;
}

/** Builds the compound state of one haltable step. */
export function haltableStep<C extends HaltableContext, O = unknown>(opts: StepOptions<C, O>): StateConfig {
  const options = ['retry', ...(opts.skipSafeBecause ? ['skip'] : []), ...Object.keys(opts.haltedOn ?? {}).map(stripOperator)];
  return {
    description: opts.description,
    initial: 'running',
    meta: { step: opts.id, skipSafeBecause: opts.skipSafeBecause },
    states: {
      running: {
        tags: [effectTag(opts.id)],
        entry: [
          ...(opts.onEnter ? [assign(({ context }: { context: C }) => (opts.onEnter as (c: C) => Partial<C>)(context))] : []),
          { type: 'effect', params: ({ context }: { context: C }) => opts.effect(context) },
        ],
        on: {
          [doneEventType(opts.id)]: {
            target: `#${opts.id}.done`,
            actions: assign(({ context, event }: { context: C; event: AnyEvent }) => ({
              ...(opts.onDone ? opts.onDone(context, event.output as O) : {}),
              halt: null,
            }) as Partial<C>),
          },
          [failedEventType(opts.id)]: {
            target: 'halted',
            actions: assign(({ context, event }: { context: C; event: AnyEvent }) => {
              const failed = event as unknown as EffectFailedEvent;
              const effect = opts.effect(context);
              const halt: Halt = {
                step: opts.id,
                title: effect.title,
                reason: failed.reason,
                ...(failed.errorType ? { errorType: failed.errorType } : {}),
                options,
              };
              return { halt } as Partial<C>;
            }),
          },
        },
      },
      halted: {
        tags: ['halted'],
        description: 'Halted: waiting for the operator to retry, skip (where safe) or abort.',
        on: {
          'operator.retry': {
            target: 'running',
            actions: assign(({ context }: { context: C }) => ({ ...(opts.onRetry ? opts.onRetry(context) : {}), halt: null }) as Partial<C>),
          },
          ...(opts.skipSafeBecause
            ? {
                'operator.skip': {
                  target: `#${opts.id}.done`,
                  actions: assign(({ context }: { context: C }) => ({
                    ...(opts.onSkip ? opts.onSkip(context) : {}),
                    halt: null,
                  }) as Partial<C>),
                },
              }
            : {}),
          ...(opts.haltedOn ?? {}),
        },
      },
      done: { type: 'final' },
    },
    id: opts.id,
    onDone: { target: opts.next },
  };
}

function stripOperator(eventType: string): string {
  return eventType.replace(/^operator\./, '');
}
