/**
 * A laid-out chart as an SVG document of its own: state boxes (compound ones around their
 * children, final ones with a double border, the initial state pointed at by a dot), transitions as
 * arrows with their labels. Every state's group carries `data-state-id` (the state's full id) and
 * the classes `state` plus `state-compound`, `state-parallel`, `state-final` or `state-atomic`, so a
 * live view can mark the current state by adding the class `current` (or `halted`). Its look is in
 * presentation attributes, so it reads the same in a page whose style sheet does not know it;
 * `CHART_SVG_CSS` only adds the highlight.
 */
import type { AnyStateMachine } from 'xstate';
import { chartGraph } from './chart-graph';
import type { ChartNode } from './state-chart';
import { FONT_SIZE, LABEL_FONT_SIZE, LABEL_LINE_HEIGHT, layoutChart, stateLines, TITLE_HEIGHT, type ChartLayout, type LaidOutState, type LaidOutTransition, type Point } from './chart-layout';

/** Text made safe for XML element content and quoted attribute values. */
export function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** The highlight a live view sets by class: the current state, a halted one in red. */
export const CHART_SVG_CSS = `
svg.state-chart .state.current > rect { fill: #ffe082; stroke: #e65100; stroke-width: 3; }
svg.state-chart .state.halted > rect { fill: #ef9a9a; stroke: #b71c1c; stroke-width: 3; }
svg.state-chart .state.done > rect { stroke: #2e7d32; }
svg.state-chart .transition.taken { stroke: #1565c0; stroke-width: 3; }
`;

export interface SvgOptions {
  /**
   * Put `CHART_SVG_CSS` in the SVG itself (default true): right for a file of its own; a page
   * that inlines the SVG under a strict content security policy sets it in its own style sheet.
   */
  embedStyle?: boolean;
  /** States drawn as current (the class `current`, or `halted` when the procedure is halted). */
  highlight?: { stateIds: readonly string[]; halted?: boolean };
  /** States the procedure has done (ticked). */
  done?: readonly string[];
  /** The path taken: how often each transition (by id) was taken; its arrows are drawn thick and blue, with the count when above one. */
  taken?: ReadonlyMap<string, number>;
  /** A note beside a state's box, e.g. which member a loop is at and which are done. */
  note?: { stateId: string; lines: readonly string[] };
}

/**
 * The full ids of the innermost states a state value names (one per active region), the boxes a
 * live view marks. Keys the machine does not have are ignored: the value may come from a
 * workflow's answer.
 */
export function activeStateIds(machine: AnyStateMachine, value: unknown): string[] {
  const walk = (node: ChartNode, sub: unknown): string[] => {
    if (typeof sub === 'string') {
      const child = node.states[sub];
      return child ? [child.id] : [];
    }
    if (sub === null || typeof sub !== 'object') return [];
    return Object.entries(sub as Record<string, unknown>).flatMap(([key, inner]) => {
      const child = Object.hasOwn(node.states, key) ? node.states[key] : undefined;
      if (!child) return [];
      const deeper = walk(child, inner);
      return deeper.length ? deeper : [child.id];
    });
  };
  return walk(machine.root as unknown as ChartNode, value);
}

const FILL = { atomic: '#fafafa', compound: '#f1f5f8', parallel: '#f1f5f8', final: '#fafafa', history: '#fafafa' } as const;
const STROKE = '#78909c';

const round = (n: number) => Math.round(n * 10) / 10;
const path = (points: Point[]) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');

/** An id safe in an XML attribute and a CSS `url(#…)`, unique per machine so several charts can share a page. */
const markerId = (machineId: string) => `arrow-${machineId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function stateSvg(state: LaidOutState, mark: string | undefined, done: boolean): string {
  const { x, y, width, height } = state.box;
  const classes = ['state', `state-${state.kind}`, ...(state.step !== undefined ? ['state-step'] : []), ...(mark ? [mark] : []), ...(done && !mark ? ['done'] : [])].join(' ');
  const title = `<title>${escapeXml(state.description ? `${state.key}: ${state.description}` : state.key)}</title>`;
  const rect = `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="6" fill="${FILL[state.kind]}" stroke="${STROKE}"${state.kind === 'parallel' ? ' stroke-dasharray="6 3"' : ''}/>`;
  const inner = state.kind === 'final' ? `<rect class="final-border" x="${x + 3}" y="${y + 3}" width="${width - 6}" height="${height - 6}" rx="4" fill="none" stroke="${STROKE}"/>` : '';
  const isContainer = state.kind === 'compound' || state.kind === 'parallel';
  const text = isContainer
    ? `<text x="${x + 8}" y="${y + TITLE_HEIGHT - 4}" font-weight="600" font-size="${FONT_SIZE}">${escapeXml(state.key)}</text>`
    : stateLines(state)
        .map((line, i, lines) => {
          const lineY = y + height / 2 + (i - (lines.length - 1) / 2) * 16 + 4;
          return `<text x="${x + width / 2}" y="${lineY}" text-anchor="middle" font-size="${i === 0 ? FONT_SIZE : LABEL_FONT_SIZE}"${i === 0 ? ' font-weight="600"' : ' fill="#546e7a"'}>${escapeXml(line)}</text>`;
        })
        .join('');
  const dot = state.initialDot ? `<circle class="initial" cx="${state.initialDot.x}" cy="${state.initialDot.y}" r="4" fill="#37474f"/>` : '';
  const tick = done && !mark ? `<text class="tick" x="${x + 4}" y="${y + 13}" font-size="${FONT_SIZE}" font-weight="700" fill="#2e7d32">✓</text>` : '';
  return `<g class="${classes}" data-state-id="${escapeXml(state.id)}">${title}${rect}${inner}${text}${dot}${tick}</g>`;
}

/** How often an arrow was taken: the transitions it stands for, added up. */
function takenCount(arrow: LaidOutTransition, taken: ReadonlyMap<string, number> | undefined): number {
  return arrow.transitionIds.reduce((sum, id) => sum + (taken?.get(id) ?? 0), 0);
}

/** "×3" on a loop taken three times, at the middle of its arrow. */
function countBadge(arrow: LaidOutTransition, count: number): string {
  const at = arrow.points[Math.floor(arrow.points.length / 2)];
  if (count < 2 || !at) return '';
  return `<g class="taken-count" data-transition-id="${escapeXml(arrow.id)}"><circle cx="${at.x}" cy="${at.y}" r="10" fill="#1565c0"/><text x="${at.x}" y="${at.y + 4}" text-anchor="middle" font-size="${LABEL_FONT_SIZE}" font-weight="700" fill="#ffffff">×${count}</text></g>`;
}

/** The note beside a state's box, on a white ground; the width it needs to the right of the chart. */
function noteSvg(layout: ChartLayout, note: SvgOptions['note']): { svg: string; right: number } {
  const state = note ? layout.states.find((s) => s.id === note.stateId) : undefined;
  if (!note || !state || note.lines.length === 0) return { svg: '', right: 0 };
  const x = state.box.x + state.box.width + 8;
  const width = Math.max(...note.lines.map((l) => Math.ceil(l.length * LABEL_FONT_SIZE * 0.6))) + 8;
  const height = LABEL_LINE_HEIGHT * note.lines.length + 4;
  const top = state.box.y + state.box.height / 2 - height / 2;
  const lines = note.lines.map((l, i) => `<text x="${x + 4}" y="${round(top + LABEL_LINE_HEIGHT * (i + 1) - 1)}" font-size="${LABEL_FONT_SIZE}" fill="#0d47a1">${escapeXml(l)}</text>`);
  return {
    svg: `<g class="member-note" data-state-id="${escapeXml(state.id)}"><rect x="${x}" y="${round(top)}" width="${width}" height="${height}" rx="4" fill="#e3f2fd" stroke="#1565c0"/>${lines.join('')}</g>`,
    right: x + width + 8,
  };
}

/** The chart as SVG markup, laid out already. */
export function layoutSvg(layout: ChartLayout, options: SvgOptions = {}): string {
  const marker = markerId(layout.machineId);
  const defs =
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
    `<path d="M0 0 L10 5 L0 10 z" fill="#455a64"/></marker></defs>`;
  const style = options.embedStyle === false ? '' : `<style>${CHART_SVG_CSS}</style>`;
  // Outer boxes first, so each compound state lies under its children.
  const marked = new Set(options.highlight?.stateIds ?? []);
  const done = new Set(options.done ?? []);
  const mark = options.highlight?.halted ? 'halted' : 'current';
  const states = [...layout.states]
    .sort((a, b) => a.depth - b.depth)
    .map((s) => stateSvg(s, marked.has(s.id) ? mark : undefined, done.has(s.id)))
    .join('');
  const initial = layout.initialArrows
    .map((a) => `<path class="initial-arrow" data-parent-id="${escapeXml(a.parent)}" d="${path(a.points)}" fill="none" stroke="#37474f" marker-end="url(#${marker})"/>`)
    .join('');
  const arrows = layout.transitions
    .map((t) => {
      const count = takenCount(t, options.taken);
      const look = count > 0 ? ` data-taken="${count}" stroke="#1565c0" stroke-width="3"` : ' stroke="#455a64"';
      return `<path class="transition transition-${t.kind}${count > 0 ? ' taken' : ''}" data-transition-id="${escapeXml(t.id)}" data-source-id="${escapeXml(t.source)}" data-target-id="${escapeXml(t.target)}" d="${path(t.points)}" fill="none"${look}${t.kind === 'always' ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#${marker})"/>`;
    })
    .join('');
  const badges = layout.transitions.map((t) => countBadge(t, takenCount(t, options.taken))).join('');
  const note = noteSvg(layout, options.note);
  const width = Math.max(layout.width, note.right);
  // Labels last, on a white ground, so no arrow or box hides them.
  const labels = layout.transitions
    .filter((t) => t.labelAt !== undefined && t.labels.length > 0)
    .map((t) => {
      const at = t.labelAt as Point;
      const width = Math.max(...t.labels.map((l) => Math.ceil(l.length * LABEL_FONT_SIZE * 0.6))) + 4;
      const height = LABEL_LINE_HEIGHT * t.labels.length;
      const top = at.y - height / 2;
      const lines = t.labels.map((l, i) => `<text x="${at.x}" y="${round(top + LABEL_LINE_HEIGHT * (i + 1) - 3)}" text-anchor="middle" font-size="${LABEL_FONT_SIZE}" fill="#37474f">${escapeXml(l)}</text>`);
      return `<g class="transition-label" data-transition-id="${escapeXml(t.id)}"><rect x="${round(at.x - width / 2)}" y="${round(top)}" width="${width}" height="${height}" fill="#ffffff" fill-opacity="0.85"/>${lines.join('')}</g>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-chart" data-machine-id="${escapeXml(layout.machineId)}" viewBox="0 0 ${width} ${layout.height}" width="${width}" height="${layout.height}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeXml(`state chart of ${layout.machineId}`)}">` +
    `${defs}${style}${states}${initial}${arrows}${labels}${badges}${note.svg}</svg>\n`
  );
}

/** Layouts already computed: a large machine takes dagre seconds, and a machine never changes while the process runs. */
const layouts = new WeakMap<AnyStateMachine, ChartLayout>();

/** A machine as an SVG statechart diagram: its graph from XState, laid out by dagre. */
export function svgChart(machine: AnyStateMachine, options: SvgOptions = {}): string {
  let layout = layouts.get(machine);
  if (!layout) {
    layout = layoutChart(chartGraph(machine));
    layouts.set(machine, layout);
  }
  return layoutSvg(layout, options);
}
