/**
 * What the workflow runtime and the machines share about effects, whatever the action: the events
 * that answer one, the tag of a step in flight, the host it touches. The actions themselves, and
 * the effect, answer and activity types derived from them, are declared once per action in each
 * system's `…-actions.ts` (machines/actions.ts gathers them); they are re-exported here for the
 * code that has always read them from this module.
 */
import type { z } from 'zod';
import type { onHost } from './action-registry';
import type { Effect } from '../actions';

export {
  activityNameOf,
  nominalOutput,
  placeOf,
  targetOf,
  type ActionWord,
  type ActivitiesOf,
  type ClusterEffect,
  type Effect,
  type EffectOf,
  type EffectOutputs,
} from '../actions';
export type { ActionPlace as EffectPlace } from './action-registry';
export { DEFAULT_CACHE_DELETION_SECONDS } from '../spoc/spoc-actions';
export type { ClusterWatchOutput, ExpectedClusterView, MemberView, SchedulerMemberRef, StepAssignmentView } from '../jobscheduler/jobscheduler-actions';

/** The fields every effect that touches one host has (`requestKey`: see action-registry.ts). */
export type HostEffectBase = { step: string; title: string } & z.infer<z.ZodObject<typeof onHost>>;

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
