/**
 * Every action spoolflow's procedures can ask for, from each system's `…-actions.ts`, and the
 * types the rest of the code base reads off them: the effect a machine emits (`Effect`,
 * `EffectOf<A>`), what it answers (`EffectOutputs`), and the activities a worker must offer
 * (`ActivitiesOf<'host' | 'central'>`). Pure, so machines, workflows, activities and workers share it.
 */
import type { z } from 'zod';
import { activityNameOf as camelCaseOf, type ActionLimits, type ActionPlace, type CamelCase } from './core/action-registry';
import { describeIssues } from './core/input-errors';
import { JOBSCHEDULER_ACTIONS, type JobSchedulerActionWord } from './jobscheduler/jobscheduler-actions';
import { FLEXISPOOLER_ACTIONS, type FlexiSpoolerActionWord } from './flexispooler/flexispooler-actions';
import { SPOC_ACTIONS, type SpocActionWord } from './spoc/spoc-actions';

export const ACTION_REGISTRY = { ...SPOC_ACTIONS, ...JOBSCHEDULER_ACTIONS, ...FLEXISPOOLER_ACTIONS };

type Registry = typeof ACTION_REGISTRY;

/** Every action word. Plans and records use exactly these words. */
export type ActionWord = keyof Registry;

export type { SpocActionWord, JobSchedulerActionWord, FlexiSpoolerActionWord };

type EffectsByWord = { [A in ActionWord]: z.infer<Registry[A]['effect']> };

/** What a machine asks for when it emits an effect of action `A`. */
export type EffectOf<A extends ActionWord> = EffectsByWord[A];

/**
 * The effect vocabulary: every side effect a procedure machine can ask for. A machine never
 * performs an effect; it emits an `effect` action whose params are one of these objects, the
 * workflow runtime runs the matching activity and answers with `effect.done.<step>` or
 * `effect.failed.<step>`.
 */
export type Effect = EffectsByWord[ActionWord];

/** The JobScheduler clusters' effects. */
export type ClusterEffect = EffectsByWord[JobSchedulerActionWord];

/** What each effect answers when it succeeds. */
export type EffectOutputs = { [A in ActionWord]: z.infer<Registry[A]['answer']> };

/** The actions that run at a place: on a host's agent or on the central worker. */
export type ActionsAt<P extends ActionPlace> = { [A in ActionWord]: Registry[A]['place'] extends P ? A : never }[ActionWord];

/** The activity of action `A`, as the worker that runs it offers it. */
export type ActivityOf<A extends ActionWord> = (effect: EffectOf<A>) => Promise<EffectOutputs[A]>;

/**
 * The activities a worker at place `P` must offer, by activity name, for the actions `Among` (one
 * system's, or all): a worker missing one, or offering it under another name, fails to compile.
 */
export type ActivitiesOf<P extends ActionPlace, Among extends ActionWord = ActionWord> = { [A in Extract<ActionsAt<P>, Among> as CamelCase<A>]: ActivityOf<A> };

/** Every action's activity, on whichever worker runs it: what a workflow proxies. */
export type AllActivities = ActivitiesOf<'host'> & ActivitiesOf<'central'>;

/** Action `A`'s activity among all activities (a workflow's proxy of them). */
export function activityFor<A extends ActionWord>(activities: AllActivities, action: A): ActivityOf<A> {
  // TypeScript cannot follow a key remapped by a template type back to its action, so it is told
  // here, once: the name is built by the same rule as the key (test/core/machines/action-registry.test.ts).
  return activities[activityNameOf(action)] as unknown as ActivityOf<A>;
}

/** The activity name of each action (`stop-service` → `stopService`): what Temporal calls it. */
export type ActivityNameOf<A extends ActionWord> = CamelCase<A>;

/** Every action's entry, as the code that reads one action at a time sees it. */
type Entries = { [A in ActionWord]: { place: ActionPlace; limits: (e: EffectOf<A>) => ActionLimits; target: (e: EffectOf<A>) => string | undefined; nominal: (e: EffectOf<A>, now: string) => EffectOutputs[A] } };
const ENTRIES: Entries = ACTION_REGISTRY;

/** The entry of an effect's action, typed for that action (a union of actions reads as one). */
function entryOf<A extends ActionWord>(action: A): Entries[A] {
  return ENTRIES[action];
}

/** Where the effect runs: a host's agent, or the central worker. */
export function placeOf(effect: Effect): ActionPlace {
  return entryOf(effect.action).place;
}

/** Whether the effect's action is a central watch (action-registry.ts, `watch`). */
export function isCentralWatch(effect: Effect): boolean {
  const entry: { place: ActionPlace; watch?: boolean } = entryOf(effect.action);
  return entry.place === 'central' && entry.watch === true;
}

/** Timeouts and retries of the effect's action, as data (workflows/runtime/activity-options.ts makes Temporal options of them). */
export function limitsOf<A extends ActionWord>(action: A, effect: EffectOf<A>): ActionLimits {
  return entryOf(action).limits(effect);
}

/** What the effect acts on, in the words of the plan's `target` column. */
export function targetOf(effect: Effect): string | undefined {
  return targetFor(effect.action, effect);
}

function targetFor<A extends ActionWord>(action: A, effect: EffectOf<A>): string | undefined {
  return entryOf(action).target(effect);
}

/**
 * The answer an effect gives when everything goes as the runbook expects. Plans are computed by
 * running the real machine on these answers, so a plan and a run cannot disagree on the nominal path.
 */
export function nominalOutput(effect: Effect, now: string): EffectOutputs[ActionWord] {
  return nominalFor(effect.action, effect, now);
}

function nominalFor<A extends ActionWord>(action: A, effect: EffectOf<A>, now: string): EffectOutputs[A] {
  return entryOf(action).nominal(effect, now);
}

/** The activity that performs an action: its words in camelCase (`stop-service` → `stopService`). */
export function activityNameOf<A extends ActionWord>(action: A): ActivityNameOf<A> {
  return camelCaseOf(action);
}

/** Whether a string is one of the action words. */
export function isActionWord(word: string): word is ActionWord {
  return Object.prototype.hasOwnProperty.call(ACTION_REGISTRY, word);
}

/** The schema of the effect of action `A`: what a machine may ask it with. */
export function effectSchemaOf<A extends ActionWord>(action: A): Registry[A]['effect'] {
  return ACTION_REGISTRY[action].effect;
}

/**
 * Why an activity's answer does not fit what its action declares it answers (each field and the
 * rule it breaks), or undefined when it fits. Fields the answer adds are let through: an agent
 * may say more than the workflow reads. A machine reads an answer as its action declares it, so
 * one that does not fit (an agent of another version, a broken host program) would otherwise be
 * taken as it reads: an unknown outcome of a stop as a stop.
 */
export function answerMisfit(action: ActionWord, answer: unknown): string | undefined {
  const fits = (ACTION_REGISTRY[action].answer as z.ZodType).safeParse(answer);
  return fits.success ? undefined : describeIssues(fits.error.issues);
}
