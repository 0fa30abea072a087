/**
 * A machine as a Mermaid state chart (`stateDiagram-v2`), for the operator: each runbook step is
 * one box labelled with its description, edges say what moves the procedure on (`done`, an
 * operator command, a timer, a named guard such as `isLastMember`), and a running procedure's
 * current step is highlighted (red when halted). Paste the text into any Mermaid renderer (GitHub renders ```mermaid blocks).
 */
import type { AnyStateMachine } from 'xstate';
import { isBehaviourChange } from '../machines/core/behaviour-changes';

/**
 * A transition's guard as XState keeps it: a name declared in the machine's `setup`, or the name
 * with its params (a value, or a function of the context and event), or an inline function.
 */
export type ChartGuard = string | { type: string; params?: unknown } | ((...args: never[]) => unknown);

/** A state node as XState builds it, with what the charts read of it. */
export interface ChartNode {
  id: string;
  key: string;
  type: string;
  description?: string;
  meta?: { step?: string; skipSafeBecause?: string; parallelSteps?: { id: string }[] };
  states: Record<string, ChartNode>;
  parent?: ChartNode;
  initial?: { target?: ChartNode[] };
  transitions: Map<string, { target?: ChartNode[]; guard?: ChartGuard }[]>;
  always?: { target?: ChartNode[]; guard?: ChartGuard }[];
  after: { eventType: string; delay: string | number; target?: ChartNode[] }[];
}

type Node = ChartNode;

const mid = (node: Node) => node.id.replace(/[^A-Za-z0-9_]/g, '_');
export const isStep = (node: Node) => node.meta?.step !== undefined;

/** The step box a node is drawn in: itself, or the haltable step that contains it. */
export function drawnAs(node: Node): Node {
  for (let n: Node | undefined = node; n; n = n.parent) if (isStep(n)) return n;
  return node;
}

function label(node: Node): string {
  const text = node.description ? `${node.key}: ${node.description}` : node.key;
  return (text.length > 90 ? `${text.slice(0, 87)}...` : text).replace(/"/g, "'");
}

export function eventLabel(event: string): string {
  if (event.startsWith('xstate.after.')) return `after ${event.split('.')[2]}`;
  if (event.startsWith('xstate.done.state.')) return 'done';
  if (event.startsWith('effect.done.')) return 'done';
  return event;
}

/**
 * A guard in the operator's words: its name, with its params where they are a value short enough
 * to read on an edge (`decided(failover)`, `hostIsAtStep(parallelState=preflight, step=0)`); params
 * computed from the context show as the name alone; XState's `and` of named guards as their names
 * joined by "and". A behaviour change's guard (`since:<change>`, machines/core/behaviour-changes.ts)
 * is left out: every run since the change has it, and the chart shows today's behaviour.
 * Undefined when there is no guard, or only such a one.
 */
export function guardLabel(guard: ChartGuard | undefined): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return isBehaviourChange(guard) ? undefined : guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown }).guards;
    if (guard.name !== 'and' || !Array.isArray(parts)) return '(unnamed guard)';
    const labels = (parts as ChartGuard[]).map(guardLabel).filter((l): l is string => l !== undefined);
    return labels.length === 0 ? undefined : labels.join(' and ');
  }
  if (isBehaviourChange(guard.type)) return undefined;
  const params = shortParams(guard.params);
  return params === undefined ? guard.type : `${guard.type}(${params})`;
}

function shortParams(params: unknown): string | undefined {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return undefined;
  const entries = Object.entries(params);
  if (entries.length === 0 || !entries.every(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) return undefined;
  const text = entries.length === 1 ? String(entries[0]?.[1]) : entries.map(([k, v]) => `${k}=${String(v)}`).join(', ');
  // Mermaid ends an edge's label at a colon or semicolon: params that need either show as the name alone.
  return text.length > 40 || !/^[\w .=,-]*$/.test(text) ? undefined : text;
}

/**
 * What moves an eventless (`always`) transition on: its guard, or `otherwise` for the unguarded
 * one that follows guarded ones (empty when it is the only way on).
 */
export function alwaysLabel(transitions: readonly { guard?: ChartGuard }[], index: number): string {
  const own = guardLabel(transitions[index]?.guard);
  if (own !== undefined) return own;
  return transitions.slice(0, index).some((t) => t.guard !== undefined) ? 'otherwise' : '';
}

/** An event's label, with the guard that must hold for it in brackets (UML's `event [guard]`). */
function guardedEventLabel(event: string, guard: ChartGuard | undefined): string {
  const condition = guardLabel(guard);
  return condition === undefined ? eventLabel(event) : `${eventLabel(event)} [${condition}]`;
}

export function mermaidChart(machine: AnyStateMachine, active?: { value: unknown; halted?: boolean }): string {
  const root = machine.root as unknown as Node;
  const lines = ['stateDiagram-v2', '  classDef active fill:#ffe082,stroke:#e65100,stroke-width:3px', '  classDef halted fill:#ef9a9a,stroke:#b71c1c,stroke-width:3px'];
  const edges = new Set<string>();
  const edge = (from: Node, to: Node | undefined, text: string) => {
    if (!to) return;
    const a = drawnAs(from);
    const b = drawnAs(to);
    if (a === b) return;
    edges.add(`  ${mid(a)} --> ${mid(b)}${text ? ` : ${text}` : ''}`);
  };

  const declare = (node: Node, indent: string) => {
    for (const child of Object.values(node.states)) {
      if (isStep(child) || Object.keys(child.states).length === 0) {
        lines.push(`${indent}state "${label(child)}${isStep(child) ? ' [halts on failure]' : ''}" as ${mid(child)}`);
        if (child.type === 'final') lines.push(`${indent}${mid(child)} --> [*]`);
      } else {
        // Composite states take their description on a line of its own, the form Mermaid accepts.
        lines.push(`${indent}${mid(child)} : ${label(child).replace(/:/g, ' -')}`);
        lines.push(`${indent}state ${mid(child)} {`);
        const first = child.initial?.target?.[0];
        if (first) lines.push(`${indent}  [*] --> ${mid(drawnAs(first))}`);
        declare(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      collectEdges(child);
    }
  };

  const collectEdges = (node: Node) => {
    for (const [event, transitions] of node.transitions) {
      for (const t of transitions) for (const target of t.target ?? []) edge(node, target, guardedEventLabel(event, t.guard));
    }
    const always = node.always ?? [];
    for (const [i, t] of always.entries()) for (const target of t.target ?? []) edge(node, target, alwaysLabel(always, i));
    for (const t of node.after) for (const target of t.target ?? []) edge(node, target, `after ${String(t.delay)}`);
    if (isStep(node)) {
      // What leaves a step from inside it: operator commands while halted.
      for (const inner of Object.values(node.states)) {
        for (const [event, transitions] of inner.transitions) {
          for (const t of transitions) for (const target of t.target ?? []) edge(node, target, guardedEventLabel(event, t.guard));
        }
      }
    }
  };

  const first = root.initial?.target?.[0];
  if (first) lines.push(`  [*] --> ${mid(drawnAs(first))}`);
  declare(root, '  ');
  lines.push(...edges);
  if (active) {
    for (const node of activeNodes(root, active.value)) lines.push(`  class ${mid(drawnAs(node))} ${active.halted ? 'halted' : 'active'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The innermost active nodes of a state value. */
export function activeNodes(node: Node, value: unknown): Node[] {
  if (typeof value === 'string') {
    const child = node.states[value];
    return child ? [child] : [];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, sub]) => {
      const child = node.states[key];
      if (!child) return [];
      if (isStep(child)) return [child];
      return activeNodes(child, sub);
    });
  }
  return [];
}
