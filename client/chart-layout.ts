/**
 * Where each state box and each arrow of a chart goes, laid out by dagre's layered layout on a
 * compound graph: a compound state is a dagre cluster drawn around its children.
 *
 * dagre cannot attach an edge to a cluster, so each compound state holds one small node of its own,
 * its anchor, drawn as the initial pseudo-state (the dot whose arrow points at the child entered
 * first). A transition to a compound state is laid out to that anchor; one from a compound state
 * from its final child (so what follows a step comes below it), or its anchor when it has none; an arrow
 * that leaves the compound is then cut where it crosses the compound's border, so it starts (or
 * ends) at the border, as a statechart draws it. An arrow that stays inside (a child re-entering
 * its own parent) keeps the anchor as its end: re-entering means starting at the initial state.
 */
import dagre from 'dagre';
import type { ChartGraph, ChartState, ChartTransition, ChartTransitionKind } from './chart-graph';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  /** Left and top edges: SVG coordinates. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutState extends ChartState {
  box: Box;
  /** Nesting depth: 0 for the machine itself. */
  depth: number;
  /** Where the initial pseudo-state's dot is, for a compound state that has an initial child. */
  initialDot?: Point;
}

/** One arrow: the transitions that join the same two states the same way (done and failed, say), drawn once. */
export interface LaidOutTransition {
  /** The first transition's id: unique in the chart. */
  id: string;
  source: string;
  target: string;
  kind: ChartTransitionKind;
  /** The ids of the transitions the arrow stands for. */
  transitionIds: string[];
  /** One line per distinct label, in the order the machine declares the transitions. */
  labels: string[];
  points: Point[];
  /** The label's centre (undefined when the label is empty). */
  labelAt?: Point;
}

export interface ChartLayout {
  machineId: string;
  width: number;
  height: number;
  states: LaidOutState[];
  transitions: LaidOutTransition[];
  /** The arrows from each initial dot to the child entered first. */
  initialArrows: { parent: string; points: Point[] }[];
}

/** Text metrics estimated without a browser: the sans-serif average glyph at the chart's font sizes. */
export const FONT_SIZE = 12;
export const LABEL_FONT_SIZE = 11;
export const LABEL_LINE_HEIGHT = 14;
const textWidth = (text: string, size: number) => Math.ceil(text.length * size * 0.6);
/** The height of a compound state's title line above its children. */
export const TITLE_HEIGHT = 18;
const PADDING = 10;
const DOT = 10;
const MARGIN = 16;

/** What a box shows: its name, and its runbook step when it is a haltable step. */
export function stateLines(state: ChartState): string[] {
  return state.step !== undefined && state.step !== state.key ? [state.key, `step ${state.step}`] : [state.key];
}

const stateNode = (id: string) => `s:${id}`;
const anchorNode = (id: string) => `a:${id}`;
const isContainer = (state: ChartState) => state.kind === 'compound' || state.kind === 'parallel';

function inside(box: Box, p: Point): boolean {
  return p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height;
}

/** Where the segment from a (inside the box) to b (outside) crosses the box's border. */
function exitPoint(box: Box, a: Point, b: Point): Point {
  let t = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [edge, d, start] of [
    [box.x, dx, a.x],
    [box.x + box.width, dx, a.x],
    [box.y, dy, a.y],
    [box.y + box.height, dy, a.y],
  ] as const) {
    if (d === 0) continue;
    const s = (edge - start) / d;
    if (s >= 0 && s < t) {
      const p = { x: a.x + s * dx, y: a.y + s * dy };
      const onBorder = edge === box.x || edge === box.x + box.width ? p.y >= box.y - 0.01 && p.y <= box.y + box.height + 0.01 : p.x >= box.x - 0.01 && p.x <= box.x + box.width + 0.01;
      if (onBorder) t = s;
    }
  }
  return { x: a.x + t * dx, y: a.y + t * dy };
}

/** The polyline from where it last leaves the box on: the part outside a compound source. */
function startAtBorder(points: Point[], box: Box): Point[] {
  const last = points.length - 1;
  for (let i = last - 1; i >= 0; i -= 1) {
    const a = points[i] as Point;
    const b = points[i + 1] as Point;
    if (inside(box, a) && !inside(box, b)) return [exitPoint(box, a, b), ...points.slice(i + 1)];
  }
  return points;
}

/** The polyline up to where it first enters the box: the part outside a compound target. */
function endAtBorder(points: Point[], box: Box): Point[] {
  const reversed = startAtBorder([...points].reverse(), box);
  return reversed.reverse();
}

function isWithin(states: Map<string, ChartState>, id: string, ancestor: string): boolean {
  for (let s = states.get(id); s; s = s.parent === undefined ? undefined : states.get(s.parent)) if (s.id === ancestor) return true;
  return false;
}

const round = (n: number) => Math.round(n * 10) / 10;
const roundPoint = (p: Point): Point => ({ x: round(p.x), y: round(p.y) });

/** The chart laid out top to bottom; the same graph always gives the same layout. */
export function layoutChart(graph: ChartGraph): ChartLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 2 * (TITLE_HEIGHT + PADDING), edgesep: 12, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(graph.states.map((s) => [s.id, s]));
  // The node an arrow is laid out from or to: the state's box, or a compound state's anchor.
  const end = (id: string) => (isContainer(byId.get(id) as ChartState) ? anchorNode(id) : stateNode(id));
  // An arrow leaving a compound state is laid out from its final child where it has one (its
  // `done` is what leads out), so the next state comes below the compound rather than beside its
  // title; the arrow is drawn from the compound's border all the same.
  const finalChild = new Map<string, string>();
  for (const s of graph.states) if (s.kind === 'final' && s.parent !== undefined && !finalChild.has(s.parent)) finalChild.set(s.parent, s.id);
  const start = (id: string, target: string) => {
    const final = finalChild.get(id);
    return final !== undefined && !isWithin(byId, target, id) ? stateNode(final) : end(id);
  };

  for (const state of graph.states) {
    if (isContainer(state)) {
      g.setNode(stateNode(state.id), {});
      // The anchor is as wide as the compound's title, so the cluster is wide enough to hold it.
      g.setNode(anchorNode(state.id), { width: Math.max(DOT, textWidth(state.key, FONT_SIZE) + PADDING), height: DOT });
      g.setParent(anchorNode(state.id), stateNode(state.id));
    } else {
      const lines = stateLines(state);
      const width = Math.max(...lines.map((l, i) => textWidth(l, i === 0 ? FONT_SIZE : LABEL_FONT_SIZE))) + 2 * PADDING;
      g.setNode(stateNode(state.id), { width, height: 16 * lines.length + PADDING + (state.kind === 'final' ? 6 : 0) });
    }
    if (state.parent !== undefined) g.setParent(stateNode(state.id), stateNode(state.parent));
  }
  for (const state of graph.states) {
    if (state.initial !== undefined) g.setEdge(anchorNode(state.id), end(state.initial), { minlen: 1 }, `initial:${state.id}`);
  }
  const arrows = arrowsOf(graph.transitions);
  for (const a of arrows) {
    const label = a.labels.length ? { width: Math.max(...a.labels.map((l) => textWidth(l, LABEL_FONT_SIZE))) + 6, height: LABEL_LINE_HEIGHT * a.labels.length + 2, labelpos: 'c' } : {};
    g.setEdge(start(a.source, a.target), end(a.target), label, a.id);
  }

  dagre.layout(g);

  const boxOf = (name: string): Box => {
    const n = g.node(name);
    return { x: round(n.x - n.width / 2), y: round(n.y - n.height / 2), width: round(n.width), height: round(n.height) };
  };
  const depthOf = (state: ChartState): number => (state.parent === undefined ? 0 : 1 + depthOf(byId.get(state.parent) as ChartState));
  const states: LaidOutState[] = graph.states.map((state) => {
    if (!isContainer(state)) return { ...state, box: boxOf(stateNode(state.id)), depth: depthOf(state) };
    const cluster = boxOf(stateNode(state.id));
    const anchor = g.node(anchorNode(state.id));
    const box = { ...cluster, y: round(cluster.y - TITLE_HEIGHT), height: round(cluster.height + TITLE_HEIGHT) };
    return { ...state, box, depth: depthOf(state), ...(state.initial === undefined ? {} : { initialDot: roundPoint(anchor) }) };
  });
  const boxes = new Map(states.map((s) => [s.id, s.box]));

  const transitions: LaidOutTransition[] = arrows.map((t) => {
    const edge = g.edge({ v: start(t.source, t.target), w: end(t.target), name: t.id });
    const laidOut: Point[] = edge.points.map(roundPoint);
    let points = laidOut;
    if (isContainer(byId.get(t.source) as ChartState) && !isWithin(byId, t.target, t.source)) points = startAtBorder(points, boxes.get(t.source) as Box);
    if (isContainer(byId.get(t.target) as ChartState) && !isWithin(byId, t.source, t.target)) points = endAtBorder(points, boxes.get(t.target) as Box);
    if (!t.labels.length) return { ...t, points };
    // dagre put the label on the edge it laid out; when that part was cut off, the label goes to the middle of what is drawn.
    const placed = edge.x !== undefined && edge.y !== undefined ? { x: edge.x, y: edge.y } : undefined;
    const labelAt = placed && points === laidOut ? placed : midpoint(points);
    return { ...t, points, labelAt: roundPoint(labelAt) };
  });
  const initialArrows = graph.states.flatMap((s) => {
    if (s.initial === undefined) return [];
    const points = (g.edge({ v: anchorNode(s.id), w: end(s.initial), name: `initial:${s.id}` }).points as Point[]).map(roundPoint);
    const target = byId.get(s.initial) as ChartState;
    return [{ parent: s.id, points: isContainer(target) ? endAtBorder(points, boxes.get(target.id) as Box) : points }];
  });

  return shifted({ machineId: graph.machineId, width: 0, height: 0, states, transitions, initialArrows });
}

type Arrow = Omit<LaidOutTransition, 'points' | 'labelAt'>;

/** The transitions grouped into arrows: one per source, target and kind (eventless branches apart from events). */
function arrowsOf(transitions: ChartTransition[]): Arrow[] {
  const arrows = new Map<string, Arrow>();
  for (const t of transitions) {
    const key = JSON.stringify([t.source, t.target, t.kind === 'always']);
    const arrow = arrows.get(key);
    if (!arrow) arrows.set(key, { id: t.id, source: t.source, target: t.target, kind: t.kind, transitionIds: [t.id], labels: t.label ? [t.label] : [] });
    else {
      arrow.transitionIds.push(t.id);
      if (t.label && !arrow.labels.includes(t.label)) arrow.labels.push(t.label);
      if (arrow.kind !== t.kind) arrow.kind = 'event';
    }
  }
  return [...arrows.values()];
}

/** The point halfway along a polyline. */
function midpoint(points: Point[]): Point {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - (points[i] as Point).x, p.y - (points[i] as Point).y));
  let remaining = lengths.reduce((a, b) => a + b, 0) / 2;
  for (const [i, length] of lengths.entries()) {
    const a = points[i] as Point;
    const b = points[i + 1] as Point;
    if (remaining <= length && length > 0) return { x: a.x + ((b.x - a.x) * remaining) / length, y: a.y + ((b.y - a.y) * remaining) / length };
    remaining -= length;
  }
  return points[0] ?? { x: 0, y: 0 };
}

/**
 * The chart moved so that everything drawn (the compound titles above dagre's clusters too) lies
 * inside the margin, and sized to hold it.
 */
function shifted(layout: ChartLayout): ChartLayout {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const { box } of layout.states) {
    xs.push(box.x, box.x + box.width);
    ys.push(box.y, box.y + box.height);
  }
  for (const t of layout.transitions) {
    for (const p of t.points) {
      xs.push(p.x);
      ys.push(p.y);
    }
    if (t.labelAt) {
      const halfWidth = Math.max(...t.labels.map((l) => textWidth(l, LABEL_FONT_SIZE))) / 2 + 4;
      xs.push(t.labelAt.x - halfWidth, t.labelAt.x + halfWidth);
      ys.push(t.labelAt.y - (LABEL_LINE_HEIGHT * t.labels.length) / 2 - 2, t.labelAt.y + (LABEL_LINE_HEIGHT * t.labels.length) / 2 + 2);
    }
  }
  const dx = MARGIN - Math.min(...xs);
  const dy = MARGIN - Math.min(...ys);
  const move = (p: Point): Point => roundPoint({ x: p.x + dx, y: p.y + dy });
  return {
    ...layout,
    width: Math.ceil(Math.max(...xs) + dx + MARGIN),
    height: Math.ceil(Math.max(...ys) + dy + MARGIN),
    states: layout.states.map((s) => ({ ...s, box: { ...s.box, ...move(s.box) }, ...(s.initialDot ? { initialDot: move(s.initialDot) } : {}) })),
    transitions: layout.transitions.map((t) => ({ ...t, points: t.points.map(move), ...(t.labelAt ? { labelAt: move(t.labelAt) } : {}) })),
    initialArrows: layout.initialArrows.map((a) => ({ ...a, points: a.points.map(move) })),
  };
}
