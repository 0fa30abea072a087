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
import { FONT_SIZE, LABEL_FONT_SIZE, LABEL_LINE_HEIGHT, layoutChart, stateLines, TITLE_HEIGHT, type ChartLayout, type LaidOutState, type Point } from './chart-layout';

/** Text made safe for XML element content and quoted attribute values. */
export function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** The highlight a live view sets by class: the current state, a halted one in red. */
export const CHART_SVG_CSS = `
svg.state-chart .state.current > rect { fill: #ffe082; stroke: #e65100; stroke-width: 3; }
svg.state-chart .state.halted > rect { fill: #ef9a9a; stroke: #b71c1c; stroke-width: 3; }
svg.state-chart .state.done > rect { stroke: #2e7d32; }
`;

export interface SvgOptions {
  /**
   * Put `CHART_SVG_CSS` in the SVG itself (default true): right for a file of its own; a page
   * that inlines the SVG under a strict content security policy sets it in its own style sheet.
   */
  embedStyle?: boolean;
  /** States drawn as current (the class `current`, or `halted` when the procedure is halted). */
  highlight?: { stateIds: readonly string[]; halted?: boolean };
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

function stateSvg(state: LaidOutState, mark: string | undefined): string {
  const { x, y, width, height } = state.box;
  const classes = ['state', `state-${state.kind}`, ...(state.step !== undefined ? ['state-step'] : []), ...(mark ? [mark] : [])].join(' ');
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
  return `<g class="${classes}" data-state-id="${escapeXml(state.id)}">${title}${rect}${inner}${text}${dot}</g>`;
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
  const mark = options.highlight?.halted ? 'halted' : 'current';
  const states = [...layout.states]
    .sort((a, b) => a.depth - b.depth)
    .map((s) => stateSvg(s, marked.has(s.id) ? mark : undefined))
    .join('');
  const initial = layout.initialArrows
    .map((a) => `<path class="initial-arrow" data-parent-id="${escapeXml(a.parent)}" d="${path(a.points)}" fill="none" stroke="#37474f" marker-end="url(#${marker})"/>`)
    .join('');
  const arrows = layout.transitions
    .map(
      (t) =>
        `<path class="transition transition-${t.kind}" data-transition-id="${escapeXml(t.id)}" data-source-id="${escapeXml(t.source)}" data-target-id="${escapeXml(t.target)}" d="${path(t.points)}" fill="none" stroke="#455a64"${t.kind === 'always' ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#${marker})"/>`,
    )
    .join('');
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
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-chart" data-machine-id="${escapeXml(layout.machineId)}" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeXml(`state chart of ${layout.machineId}`)}">` +
    `${defs}${style}${states}${initial}${arrows}${labels}</svg>\n`
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
