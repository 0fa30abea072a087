/**
 * Every path of a procedure machine, found by XState's graph utilities with the events the world
 * can send in each state: its effect succeeding (nominal answer) or failing, its timers firing,
 * and every operator command. Each step carries the effects the transition into it emitted.
 */
import { AnyMachineSnapshot, AnyStateMachine, initialTransition, transition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import type { Effect } from '../../machines/core/effects';
import { directivesOf } from '../../machines/core/machine-directives';
import { activeStateNodes } from '../../machines/core/active-states';
import { PREFLIGHT_STATE } from '../../machines/spoc/precondition-steps';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../machines/spoc/spoc-services';

export interface WalkedStep {
  state: AnyMachineSnapshot;
  event: { type: string };
  effects: Effect[];
}

export interface WalkedPath {
  steps: WalkedStep[];
  end: AnyMachineSnapshot;
}

type GroupContext = {
  input: { members?: { host: string; otherServices: string[] }[]; spocs?: { host: string; otherServices: string[] }[] };
  memberIndex: number;
  down: Record<string, string[]>;
  othersRunning: Record<string, string[]>;
  /** Parallel steps (parallel-host-steps.ts): each host's lane. */
  lanes?: Record<string, Record<string, { at: number; failed: unknown }>>;
};

/** The hosts an answer may come from: the current member, or every host with a lane in flight. */
function answeringHosts(c: GroupContext): string[] {
  // The preflight's lanes are read-only and independent: answering them in one order (the first
  // host still waiting) reaches every combination of outcomes without walking every interleaving.
  const preflight = c.lanes?.[PREFLIGHT_STATE];
  if (preflight) {
    const waiting = Object.entries(preflight).find(([, l]) => l.at === 0 && !l.failed);
    return waiting ? [waiting[0]] : [];
  }
  const laneHosts = Object.values(c.lanes ?? {}).flatMap((lanes) => Object.entries(lanes).filter(([, l]) => !l.failed).map(([h]) => h));
  if (laneHosts.length > 0) return laneHosts;
  return [c.input.members?.[c.memberIndex]?.host ?? ''];
}

function eventsFor(snapshot: AnyMachineSnapshot) {
  const c = snapshot.context as GroupContext;
  const events: { type: string; [k: string]: unknown }[] = [];
  for (const tag of snapshot.tags) {
    if (!tag.startsWith('effect:')) continue;
    const step = tag.slice('effect:'.length);
    for (const host of answeringHosts(c)) events.push(...answersFor(c, step, host));
  }
  for (const node of activeStateNodes(snapshot.machine, snapshot.value)) {
    for (const t of node.after) events.push({ type: t.eventType });
  }
  events.push({ type: 'operator.retry' }, { type: 'operator.skip' }, { type: 'operator.abort' }, { type: 'operator.startGroupService' });
  return events;
}

/** An effect's nominal answer and its failure, from `host`; OS restarts also answer "another member was down meanwhile". */
function answersFor(c: GroupContext, step: string, host: string): { type: string; [k: string]: unknown }[] {
  const events: { type: string; [k: string]: unknown }[] = [];
  const member = [...(c.input.members ?? []), ...(c.input.spocs ?? [])].find((m) => m.host === host);
  {
    const started = [...new Set([SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, ...Object.values(c.down).flat(), ...(c.othersRunning[host] ?? [])])];
    const output = {
      outcome: 'stopped',
      at: '2000-01-01T00:00:00.000Z',
      running: member?.otherServices ?? [],
      stopped: [],
      started,
      failed: [],
      reachable: true,
      activeJobs: {},
      deleted: true,
      path: 'x',
      // OS restarts: the host booted after the request and came online after the boot; no other member was seen down.
      requestedAt: '2000-01-01T00:00:00.000Z',
      bootBefore: '1999-12-01T00:00:00.000Z',
      bootedAt: '2000-01-01T00:01:00.000Z',
      onlineAt: '2000-01-01T00:02:00.000Z',
      others: {},
      online: [],
    };
    events.push({ type: `effect.done.${step}`, output, host }, { type: `effect.failed.${step}`, reason: 'injected', host });
    const other = c.input.members?.map((m) => m.host).find((h) => h !== host);
    if (step === 'awaitSpocOnline' && other) {
      events.push({ type: `effect.done.${step}`, output: { ...output, others: { [other]: { online: false, onlineSince: null } } }, host });
    }
  }
  return events;
}

export function walkPaths(machine: AnyStateMachine, input: unknown): WalkedPath[] {
  // The input never changes along a path: leaving it out of the state's key makes the walk
  // several times faster on machines with large inputs.
  const serializeState = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, context: { ...(s.context as object), input: undefined } });
  const paths = getSimplePaths(machine, { input, events: eventsFor, limit: 500_000, serializeState } as never);
  return paths.map((p) => {
    let [previous, actions] = initialTransition(machine, input);
    const steps: WalkedStep[] = [{ state: previous, event: { type: 'xstate.init' }, effects: effectsOf(actions) }];
    for (const step of p.steps.slice(1)) {
      [, actions] = transition(machine, previous, step.event);
      steps.push({ state: step.state, event: step.event, effects: effectsOf(actions) });
      previous = step.state;
    }
    return { steps, end: p.state };
  });
}

/** One transition of the machine: from a reachable state, on an event, to a state, with its effects. */
export interface WalkedTransition {
  from: AnyMachineSnapshot;
  event: { type: string };
  to: AnyMachineSnapshot;
  effects: Effect[];
}

/**
 * Every reachable state and every transition out of it, each visited once (breadth first), for
 * machines whose simple paths are too many to walk one by one. An invariant that holds on every
 * transition holds on every path; one that needs a path's history still needs `walkPaths`.
 */
export function walkTransitions(machine: AnyStateMachine, input: unknown): { transitions: WalkedTransition[]; finals: AnyMachineSnapshot[] } {
  const key = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, context: { ...(s.context as object), input: undefined } });
  const [initial, initialActions] = initialTransition(machine, input);
  const transitions: WalkedTransition[] = [{ from: initial, event: { type: 'xstate.init' }, to: initial, effects: effectsOf(initialActions) }];
  const finals: AnyMachineSnapshot[] = [];
  const seen = new Set([key(initial)]);
  const queue = [initial];
  while (queue.length > 0) {
    const state = queue.shift() as AnyMachineSnapshot;
    if (state.status === 'done') {
      finals.push(state);
      continue;
    }
    for (const event of eventsFor(state)) {
      const [next, actions] = transition(machine, state, event as never) as unknown as [AnyMachineSnapshot, readonly { type: string; params?: unknown }[]];
      if (next === state || key(next) === key(state)) continue;
      transitions.push({ from: state, event, to: next, effects: effectsOf(actions) });
      const k = key(next);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(next);
      }
    }
  }
  return { transitions, finals };
}

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
}

/** Services an effect touches. */
export function servicesOf(effect: Effect): string[] {
  return 'services' in effect ? effect.services : 'service' in effect ? [effect.service] : [];
}
