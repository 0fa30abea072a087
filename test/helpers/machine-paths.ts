/**
 * Every path of a procedure machine, found by XState's graph utilities with the events the world
 * can send in each state: its effect succeeding (nominal answer) or failing, its timers firing,
 * and every operator command. Each step carries the effects the transition into it emitted.
 */
import { AnyMachineSnapshot, AnyStateMachine, initialTransition, transition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import type { Effect } from '../../machines/effects';
import { directivesOf } from '../../machines/machine-directives';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../machines/spoc-services';

export interface WalkedStep {
  state: AnyMachineSnapshot;
  event: { type: string };
  effects: Effect[];
}

export interface WalkedPath {
  steps: WalkedStep[];
  end: AnyMachineSnapshot;
}

type GroupContext = { input: { members?: { host: string; otherServices: string[] }[] }; memberIndex: number; down: Record<string, string[]>; othersRunning: Record<string, string[]> };

function eventsFor(snapshot: AnyMachineSnapshot) {
  const c = snapshot.context as GroupContext;
  const member = c.input.members?.[c.memberIndex];
  const host = member?.host ?? '';
  const events: { type: string; [k: string]: unknown }[] = [];
  for (const tag of snapshot.tags) {
    if (!tag.startsWith('effect:')) continue;
    const step = tag.slice('effect:'.length);
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
  }
  for (const node of (snapshot as unknown as { _nodes: { after: { eventType: string }[] }[] })._nodes) {
    for (const t of node.after) events.push({ type: t.eventType });
  }
  events.push({ type: 'operator.retry' }, { type: 'operator.skip' }, { type: 'operator.abort' }, { type: 'operator.startGroupService' });
  return events;
}

export function walkPaths(machine: AnyStateMachine, input: unknown): WalkedPath[] {
  const paths = getSimplePaths(machine, { input, events: eventsFor, limit: 500_000 } as never);
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

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
}

/** Services an effect touches. */
export function servicesOf(effect: Effect): string[] {
  return 'services' in effect ? effect.services : 'service' in effect ? [effect.service] : [];
}
