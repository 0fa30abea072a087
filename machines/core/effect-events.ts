/**
 * The events that answer an effect, the tag of a step in flight and the host an effect touches:
 * what the machines' step builders need of effects, and nothing that carries a schema (the action
 * vocabulary, machines/actions.ts, is built with zod), so a machine's modules can be shared by every
 * workflow of a worker (worker/shared-machines.ts). effects.ts re-exports them.
 */
import type { Effect } from '../actions';

/** The event the runtime sends when an effect failed for good; the machine halts on it. */
export interface EffectFailedEvent {
  type: `effect.failed.${string}`;
  reason: string;
  errorType?: string;
}

export function doneEventType(step: string): `effect.done.${string}` {
  return `effect.done.${step}`;
}

export function failedEventType(step: string): `effect.failed.${string}` {
  return `effect.failed.${step}`;
}

/** The tag a state carries while its effect is in flight; the runtime cancels effects whose tag is gone. */
export function effectTag(step: string): string {
  return `effect:${step}`;
}

/** What an effect is in flight as: its step, on its host (one step may run on several hosts at once). */
export function flightKey(effect: Effect): string {
  const host = hostOf(effect);
  return host ? `${effect.step}@${host}` : effect.step;
}

/** The host an effect touches, when it touches one. */
export function hostOf(effect: Effect): string | undefined {
  return 'host' in effect ? effect.host : undefined;
}
