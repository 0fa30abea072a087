/**
 * A machine as the graph a statechart diagram draws: every state node (the machine itself the
 * outermost), which state contains which, each compound state's initial child, and every
 * transition with its label in the operator's words (the event, the named guard in brackets,
 * `after <delay>`, an eventless branch by its guard or `otherwise`). Built from XState's own graph
 * of the machine (`toDirectedGraph`); pure, so the CLI, the web page and the tests share it.
 */
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import type { DirectedGraphNode } from 'xstate/graph';
import { alwaysLabel, eventLabel, guardLabel, type ChartGuard, type ChartNode } from './state-chart';

/** How a state is drawn: a plain box, a box around its children (regions side by side when parallel), a final box. */
export type ChartStateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartState {
  /** The state node's full id (`machine.state.child`, or the id given in the config): unique in the machine. */
  id: string;
  /** The state's own name, shown in its box. */
  key: string;
  kind: ChartStateKind;
  /** The containing state's id; undefined for the machine's root. */
  parent?: string;
  /** The child entered first (its id), for a compound state. */
  initial?: string;
  description?: string;
  /** The runbook step a haltable step carries (its `meta.step`). */
  step?: string;
  /** The steps each host's lane takes inside a parallel step (its `meta.parallelSteps`), as a procedure's path names them. */
  laneSteps?: string[];
}

/** What moves a transition: an event (operator command, effect outcome), a timer, or nothing (an eventless branch). */
export type ChartTransitionKind = 'event' | 'after' | 'always';

export interface ChartTransition {
  /** Unique in the chart and stable for the same machine: the source's id and the transition's position. */
  id: string;
  source: string;
  /** The target state's id; the source itself for a transition without a target (it stays where it is). */
  target: string;
  label: string;
  kind: ChartTransitionKind;
}

export interface ChartGraph {
  machineId: string;
  /** Every state node, parents before their children, in the order the machine declares them. */
  states: ChartState[];
  transitions: ChartTransition[];
}

/** An effect's outcome or a named event, in the operator's words. */
function transitionEventLabel(eventType: string): string {
  if (eventType.startsWith('effect.failed.')) return 'failed';
  return eventLabel(eventType);
}

function eventTransitionLabel(eventType: string, guard: ChartGuard | undefined): string {
  const condition = guardLabel(guard);
  const event = transitionEventLabel(eventType);
  return condition === undefined ? event : `${event} [${condition}]`;
}

function kindOf(node: ChartNode, hasChildren: boolean): ChartStateKind {
  if (node.type === 'final') return 'final';
  if (node.type === 'history') return 'history';
  if (node.type === 'parallel') return 'parallel';
  return hasChildren ? 'compound' : 'atomic';
}

/** The machine's states and transitions, ready to lay out. */
export function chartGraph(machine: AnyStateMachine): ChartGraph {
  const states: ChartState[] = [];
  const transitions: ChartTransition[] = [];

  const visit = (graphNode: DirectedGraphNode, parent: string | undefined) => {
    const node = graphNode.stateNode as unknown as ChartNode;
    const initial = node.initial?.target?.[0]?.id;
    states.push({
      id: node.id,
      key: parent === undefined ? machine.id : node.key,
      kind: kindOf(node, graphNode.children.length > 0),
      ...(parent === undefined ? {} : { parent }),
      ...(initial === undefined ? {} : { initial }),
      ...(node.description === undefined ? {} : { description: node.description }),
      ...(node.meta?.step === undefined ? {} : { step: node.meta.step }),
      ...(node.meta?.parallelSteps === undefined ? {} : { laneSteps: node.meta.parallelSteps.map((s) => s.id) }),
    });
    graphNode.edges.forEach((edge, index) => {
      const eventType = edge.transition.eventType;
      transitions.push({
        id: `${node.id}:on:${index}`,
        source: node.id,
        target: edge.target.id,
        label: eventTransitionLabel(eventType, edge.transition.guard),
        kind: eventType.startsWith('xstate.after.') ? 'after' : 'event',
      });
    });
    const always = node.always ?? [];
    always.forEach((transition, index) => {
      const label = alwaysLabel(always, index);
      const targets = transition.target?.length ? transition.target : [node];
      targets.forEach((target, targetIndex) => {
        transitions.push({ id: `${node.id}:always:${index}:${targetIndex}`, source: node.id, target: target.id, label, kind: 'always' });
      });
    });
    for (const child of graphNode.children) visit(child, node.id);
  };

  visit(toDirectedGraph(machine), undefined);
  return { machineId: machine.id, states, transitions };
}
