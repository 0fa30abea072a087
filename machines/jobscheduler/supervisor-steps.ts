/**
 * The building blocks of the cluster supervisors, which run for as long as the cluster does and
 * must not stop at the first error: a step that fails goes back to watching (the supervisor
 * decides again on a fresh observation) and the failure goes to the supervisor's event log,
 * instead of halting as a maintenance procedure's step does. Only the watch itself halts when
 * the cluster database cannot be read after its retries (the operator sees why and retries).
 */
import { cutAt } from '../core/cut-text';
import type { Effect } from '../core/effects';
import { effectStep, type EffectStepOptions } from '../core/effect-step';
import type { HaltableContext, StateConfig } from '../core/haltable-step';
import { clusterDatabase, heartbeatTimeoutMs } from './cluster-members';
import type { SupervisorInput } from './cluster-supervisor-input';
import type { ExpectedClusterView } from '../core/effects';

/** One line of what the supervisor saw and did, for the operator (newest last, bounded). */
export interface SupervisorEvent {
  at: string;
  what: string;
}

export interface SupervisorContext extends HaltableContext {
  events: SupervisorEvent[];
  /** The time of the latest observation: the supervisor's clock for its event log. */
  lastObservedAt: string;
}

export const EVENTS_KEPT = 50;
/** One event's words at most: an event names what failed and why, and a failure's text can be any length. */
export const EVENT_MAX_CHARS = 500;

/** What every supervisor starts with: no halt, no events, nothing observed yet. */
export function initialSupervisorContext<I>(input: I): SupervisorContext & { input: I; abortReason: null } {
  return { input, halt: null, events: [], lastObservedAt: new Date(0).toISOString(), abortReason: null };
}

/**
 * The event log with `what` added: the latest EVENTS_KEPT events, each cut at EVENT_MAX_CHARS, so
 * the log a supervisor carries from run to run for months stays the same size.
 */
export function logged<C extends SupervisorContext>(c: C, what: string): SupervisorEvent[] {
  return [...c.events, { at: c.lastObservedAt, what: cutAt(what, EVENT_MAX_CHARS) }].slice(-EVENTS_KEPT);
}

/** The cluster database every member and the supervisor share. */
export const databaseOf = (c: { input: SupervisorInput }): string => clusterDatabase(c.input.cluster);

/** How long after its last beat a member counts as dead, in ms. */
export const heartbeatTimeoutOf = (c: { input: SupervisorInput }): number => heartbeatTimeoutMs(c.input.cluster);

/** The watch both supervisors run: until the cluster differs from what they saw last. */
export function watchClusterEffect(c: { input: SupervisorInput }, expected: ExpectedClusterView, opts: { returnWhenStepsPending?: boolean } = {}): Effect {
  return {
    step: 'watchCluster',
    title: `Watch cluster ${c.input.cluster.cluster}`,
    action: 'watch-cluster',
    database: databaseOf(c),
    heartbeatTimeoutMs: heartbeatTimeoutOf(c),
    expected,
    maxWatchMs: c.input.watch.maxWatchSeconds * 1000,
    pollMs: c.input.watch.pollMs,
    ...opts,
  };
}

/** A step that runs one effect; on success goes to `next`, on failure logs it and goes to `onFailure`. */
export function supervisorStep<C extends SupervisorContext, O = unknown>(opts: Omit<EffectStepOptions<C, O>, 'onFailed'>): StateConfig {
  return effectStep<C, O>({ ...opts, onFailed: (c, reason) => ({ events: logged(c, `${opts.effect(c).title} failed: ${reason}`) }) as Partial<C> });
}
