/**
 * What the workflow runtime and the machines share about effects, whatever the action: the events
 * that answer one, the tag of a step in flight, the host it touches. The actions themselves, and
 * the effect, answer and activity types derived from them, are declared once per action in each
 * system's `…-actions.ts` (machines/actions.ts gathers them); they are re-exported here for the
 * code that has always read them from this module.
 */
import type { z } from 'zod';
import type { onHost } from './action-registry';

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

export { doneEventType, effectTag, failedEventType, flightKey, hostOf, type EffectFailedEvent } from './effect-events';
