/**
 * A machine as an HTML state chart, in the nested-box form of Harel's statecharts: each state a
 * box inside its parent, in runbook order, each runbook step labelled with its description and
 * what moves it on (`done → next`, operator commands while halted, timers). For a running
 * procedure the current step is highlighted (red when halted) and the steps already done are
 * ticked, so an operator sees at a glance where the procedure is. Plain HTML and CSS: no script,
 * nothing fetched from elsewhere.
 */
import type { AnyStateMachine } from 'xstate';
import { activeNodes, alwaysLabel, ChartNode, drawnAs, eventLabel, guardLabel, isStep } from '../client/state-chart';
import { activeStateIds, CHART_SVG_CSS, svgChart } from '../client/chart-svg';
import { chartGraph } from '../client/chart-graph';
import { stateOfStep, stepBoxOf, takenTransitions, type TakenStep } from '../client/chart-path';

export interface ChartProgress {
  /** The XState state value of the running procedure. */
  value: unknown;
  halted?: boolean;
  /** Steps (state keys) the procedure has completed. */
  done?: Set<string>;
}

/**
 * Text made safe for HTML element content and quoted attribute values. Takes any value: what a
 * page shows may come from a workflow's answer, which is not guaranteed to have the declared types.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** What leaves a node, in the operator's words, targets by their step name. */
function exits(node: ChartNode): string[] {
  const out: string[] = [];
  const add = (event: string, targets: ChartNode[] | undefined) => {
    for (const target of targets ?? []) {
      const to = drawnAs(target);
      if (to !== drawnAs(node)) out.push(`${event} → ${to.key}`);
    }
  };
  const from = isStep(node) ? [node, ...Object.values(node.states)] : [node];
  for (const n of from) {
    for (const [event, transitions] of n.transitions) {
      for (const t of transitions) {
        const condition = guardLabel(t.guard);
        add(condition === undefined ? eventLabel(event) : `${eventLabel(event)} if ${condition}`, t.target);
      }
    }
    for (const t of n.after) add(`after ${String(t.delay)}`, t.target);
    const always = n.always ?? [];
    for (const [i, t] of always.entries()) {
      const label = alwaysLabel(always, i);
      add(t.guard !== undefined ? `if ${label}` : label || 'then', t.target);
    }
  }
  return [...new Set(out)];
}

export function htmlChart(machine: AnyStateMachine, progress?: ChartProgress): string {
  const root = machine.root as unknown as ChartNode;
  const current = new Set(progress ? activeNodes(root, progress.value).map((n) => drawnAs(n).id) : []);

  const box = (node: ChartNode): string => {
    const classes = ['state', isStep(node) ? 'step' : Object.keys(node.states).length ? 'compound' : 'simple', node.type === 'final' ? 'final' : ''];
    if (current.has(node.id)) classes.push(progress?.halted ? 'halted' : 'current');
    else if (progress?.done?.has(node.key)) classes.push('done');
    const title = `<div class="name">${escapeHtml(node.key)}${isStep(node) ? ' <span class="tag">halts on failure</span>' : ''}</div>`;
    const description = node.description ? `<div class="description">${escapeHtml(node.description)}</div>` : '';
    const moves = exits(node);
    const list = moves.length ? `<ul class="exits">${moves.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>` : '';
    const children = isStep(node) ? '' : Object.values(node.states).map(box).join('');
    return `<div class="${classes.filter(Boolean).join(' ')}" id="${escapeHtml(node.id)}">${title}${description}${list}${children ? `<div class="children">${children}</div>` : ''}</div>`;
  };

  return `<div class="chart">${Object.values(root.states).map(box).join('')}</div>`;
}

/** What a live view draws on the diagram besides the current state: the path taken, a note beside the current step. */
export interface LiveChartExtras {
  /** The procedure's path (its status's entries), drawn along the arrows. */
  path?: readonly TakenStep[];
  /** Lines beside the current step's box (the member loop). */
  note?: readonly string[];
}

/**
 * The machine as a statechart diagram, inline in the page, the running procedure's current state
 * marked (red when halted), its steps done ticked and the path it took drawn along the arrows. Its
 * highlight rules come from the page's style sheet: the page's content security policy admits no
 * style element of the SVG's own.
 */
export function svgFigure(machine: AnyStateMachine, progress?: ChartProgress, extras: LiveChartExtras = {}): string {
  try {
    let live = {};
    if (progress) {
      const graph = chartGraph(machine);
      const stateIds = activeStateIds(machine, progress.value);
      const current = stateIds.length === 1 ? stateIds[0] : undefined;
      const done = [...(progress.done ?? [])].map((step) => stateOfStep(graph, step)).filter((id): id is string => id !== undefined);
      live = {
        highlight: { stateIds, halted: progress.halted ?? false },
        done,
        ...(extras.path ? { taken: takenTransitions(graph, extras.path, current) } : {}),
        ...(extras.note?.length && current !== undefined ? { note: { stateId: stepBoxOf(graph, current), lines: extras.note } } : {}),
      };
    }
    return `<figure class="chart-svg">${svgChart(machine, { embedStyle: false, ...live })}</figure>`;
  } catch (err) {
    // The layout library can fail on a graph shape it does not handle; the steps below still show the machine.
    return `<p class="chart-error">The diagram could not be drawn (${escapeHtml(err instanceof Error ? err.message : String(err))}); the steps below show the same machine.</p>`;
  }
}

export const CHART_CSS = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #212121; }
.state { border: 1px solid #90a4ae; border-radius: 8px; padding: .4rem .6rem; margin: .35rem 0; background: #fafafa; }
.compound { background: #f1f5f8; }
.children { margin-left: 1rem; }
.name { font-weight: 600; }
.description { font-size: .9rem; }
.exits { font-size: .8rem; color: #546e7a; margin: .2rem 0 0 1rem; padding: 0; }
.tag { font-size: .7rem; font-weight: 400; color: #78909c; }
.final { border-style: double; border-width: 3px; }
.current { background: #ffe082; border: 3px solid #e65100; }
.halted { background: #ef9a9a; border: 3px solid #b71c1c; }
.done > .name::before { content: "✓ "; color: #2e7d32; }
table { border-collapse: collapse; font-size: .85rem; }
td, th { border: 1px solid #cfd8dc; padding: .2rem .5rem; text-align: left; }
.chart-svg { margin: 1rem 0; overflow: auto; max-height: 85vh; border: 1px solid #cfd8dc; }
.member-loop .members { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: .2rem 0; }
.member { border: 1px solid #90a4ae; border-radius: 12px; padding: .1rem .6rem; background: #fafafa; }
.member-done { border-color: #2e7d32; color: #2e7d32; }
.member-current { border: 2px solid #1565c0; background: #e3f2fd; font-weight: 600; }
.commands form { margin: .3rem 0; padding: .4rem .6rem; border: 1px solid #b71c1c; border-radius: 6px; background: #fff8f8; }
.commands button { font-weight: 600; }
.refused { color: #b71c1c; }
${CHART_SVG_CSS}`;
