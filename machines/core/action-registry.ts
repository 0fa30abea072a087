/**
 * The kit every system declares its actions with: one entry per action word holds all that is
 * known of it — where it runs, the effect a machine asks it with and the answer it gives (zod
 * schemas, from which the types are inferred), its timeouts and retries, its plan target and its
 * planned answer. Adding an action is one entry in its system's `…-actions.ts`; the effect union,
 * the answers' types, the activity names and the workers' activity types follow from it.
 *
 * Timeouts are plain data here (durations as Temporal reads them, '10s', '2m'): machines/ never
 * imports Temporal, workflows/runtime/activity-options.ts turns the data into activity options.
 */
import { z } from 'zod';

/** Where an effect runs: on a site server's own agent, or on the central orchestrator. */
export type ActionPlace = 'host' | 'central';

/** A duration as Temporal reads it: '200ms', '10s', '2m'. */
export type Duration = `${number}${'ms' | 's' | 'm'}`;

/**
 * How long one attempt of an action may take and how it is retried; what is not said is the
 * default of workflows/runtime/activity-options.ts (3 attempts from 1 s, doubling, at most 20 s apart).
 */
export interface ActionLimits {
  /** How long one attempt may run (Temporal's start-to-close timeout). */
  attempt: Duration;
  /** How long an attempt may go without a heartbeat before it is taken for dead; absent: no heartbeat is expected. */
  heartbeat?: Duration;
  /** A host step that waits for its agent at least this long before the procedure halts (the agent may be rebooting). */
  pickupAtLeastSeconds?: number;
  retry?: { initialInterval?: Duration; maximumInterval?: Duration; maximumAttempts?: number };
}

/** What a step that asks a quick question or makes a quick change may take. */
export const QUICK_STEP: ActionLimits = { attempt: '2m' };

/** The fields every effect has: the machine state that asked for it (its answer event names it) and the operator's words for it. */
const effectFields = { step: z.string().min(1), title: z.string() };

/**
 * The fields of an effect that touches one host. `requestKey` is set by the workflow runtime,
 * never by a machine: the same for every attempt of this step on this host in this procedure
 * (Temporal's retries, the operator's retries, across continue-as-new), so an activity that must
 * act once per step (an OS restart) can tell a repeat.
 */
export const onHost = { host: z.string().min(1), requestKey: z.string().optional() };

/** The effect of an action: its word, its step and title, and the action's own fields. */
function effectSchema<const W extends string, F extends z.ZodRawShape>(word: W, fields: F) {
  // Not strict: what the runtime adds (requestKey) and what a machine spreads in is carried along.
  return z.object({ action: z.literal(word), ...effectFields, ...fields });
}

type EffectSchema<W extends string, F extends z.ZodRawShape> = ReturnType<typeof effectSchema<W, F>>;

/** What an action is: where it runs, the fields of its effect and the answer it gives. */
export interface ActionContract<P extends ActionPlace, F extends z.ZodRawShape, O extends z.ZodType> {
  place: P;
  /** The action's own fields of the effect (spread in {@link onHost} when it touches one host). */
  fields: F;
  /** What the action answers when it succeeds (an activity may add fields of its own). */
  answer: O;
}

/** How an action behaves, given its effect: its limits, its plan target, its planned answer. */
export interface ActionBehaviour<E, Out> {
  limits: (effect: E) => ActionLimits;
  /** What the effect acts on, in the words of the plan's `target` column. */
  target: (effect: E) => string | undefined;
  /**
   * The answer when everything goes as the runbook expects. Plans are computed by running the
   * real machine on these answers, so a plan and a run cannot disagree on the nominal path.
   */
  nominal: (effect: E, now: string) => Out;
  /**
   * A central action that holds its activity for minutes, watching (a job's release): it runs on
   * the central watches' queue, so it never takes the place of a procedure's central step.
   */
  watch?: boolean;
}

/** One action, declared once. */
export interface ActionEntry<W extends string, P extends ActionPlace, E extends z.ZodType, O extends z.ZodType> extends ActionBehaviour<z.infer<E>, z.infer<O>> {
  word: W;
  place: P;
  effect: E;
  answer: O;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any entry, whatever its word and schemas
export type AnyActionEntry = ActionEntry<any, any, any, any>;

/**
 * Declares an action: `defineAction(word, { place, fields, answer }).with({ limits, target, nominal })`.
 * Two calls, so that the answer's type is known before the planned answer is checked against it
 * (in one call TypeScript would widen the planned answer's literals, 'stopped' to string).
 */
export function defineAction<const W extends string, P extends ActionPlace, F extends z.ZodRawShape, O extends z.ZodType>(word: W, contract: ActionContract<P, F, O>) {
  const effect = effectSchema(word, contract.fields);
  return {
    with: (behaviour: ActionBehaviour<z.infer<EffectSchema<W, F>>, z.infer<O>>): ActionEntry<W, P, EffectSchema<W, F>, O> => ({
      word,
      place: contract.place,
      effect,
      answer: contract.answer,
      ...behaviour,
    }),
  };
}

/** A system's actions, by word. */
export type ActionsByWord<E extends AnyActionEntry> = { [A in E as A['word']]: A };

export function actionsOf<const E extends readonly AnyActionEntry[]>(...entries: E): ActionsByWord<E[number]> {
  return Object.fromEntries(entries.map((entry) => [entry.word, entry])) as ActionsByWord<E[number]>;
}

/** An action word in camelCase, the name of its activity: `await-host-restarted` → `awaitHostRestarted`. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${CamelCase<Capitalize<Tail>>}` : S;

/** Each action word's activity name, made once: a workflow asks for it at every step (a replacement with a callback costs some 10 µs there). */
const activityNames = new Map<string, string>();

/** The activity that performs an action: its words in camelCase (`stop-service` → `stopService`). */
export function activityNameOf<const W extends string>(action: W): CamelCase<W> {
  let name = activityNames.get(action);
  if (name === undefined) {
    // The same rule as CamelCase; the action registry's test checks every word both ways.
    name = action.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    activityNames.set(action, name);
  }
  return name as CamelCase<W>;
}

