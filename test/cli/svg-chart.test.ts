/**
 * The SVG statechart diagram of a machine: one box per state node, compound states drawn around
 * their children, every transition an arrow carrying its label, labels escaped, the same machine
 * always the same picture, and hooks (data-state-id, classes) for a live view to highlight.
 */
import { createMachine, setup, type AnyStateMachine } from 'xstate';
import { chartGraph } from '../../client/chart-graph';
import { layoutChart, type Box } from '../../client/chart-layout';
import { activeStateIds, layoutSvg, svgChart } from '../../client/chart-svg';
import type { ChartNode } from '../../client/state-chart';
import { PROCEDURES } from '../../machines/catalog';
import { passiveClusterSupervisorMachine } from '../../machines/jobscheduler/passive-cluster-supervisor';
import { restartGroupWithoutCacheDeletionMachine } from '../../machines/spoc/restart-group-without-cache-deletion';

/** Every state node of a machine, the machine's root included, read through XState's public `root`. */
function stateNodes(machine: AnyStateMachine): ChartNode[] {
  const walk = (node: ChartNode): ChartNode[] => [node, ...Object.values(node.states).flatMap(walk)];
  return walk(machine.root as unknown as ChartNode);
}

const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The boxes drawn, by state id: each state group's first rect. */
function boxes(svg: string): Map<string, Box & { classes: string }> {
  const found = new Map<string, Box & { classes: string }>();
  for (const m of svg.matchAll(/<g class="(state[^"]*)" data-state-id="([^"]*)">(?:<title>[^<]*<\/title>)?<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    const [, classes, id, x, y, width, height] = m;
    found.set(unescape(id as string), { classes: classes as string, x: Number(x), y: Number(y), width: Number(width), height: Number(height) });
  }
  return found;
}

/** Each arrow: its source, target and the label lines drawn for it. */
function arrows(svg: string): { id: string; source: string; target: string; d: string; labels: string[] }[] {
  const labels = new Map<string, string[]>();
  for (const m of svg.matchAll(/<g class="transition-label" data-transition-id="([^"]*)">(.*?)<\/g>/g)) {
    labels.set(m[1] as string, [...(m[2] as string).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => unescape(t[1] as string)));
  }
  return [...svg.matchAll(/<path class="transition [^"]*" data-transition-id="([^"]*)" data-source-id="([^"]*)" data-target-id="([^"]*)" d="([^"]*)"/g)].map((m) => ({
    id: m[1] as string,
    source: unescape(m[2] as string),
    target: unescape(m[3] as string),
    d: m[4] as string,
    labels: labels.get(m[1] as string) ?? [],
  }));
}

const contains = (outer: Box, inner: Box) => inner.x > outer.x && inner.y > outer.y && inner.x + inner.width < outer.x + outer.width && inner.y + inner.height < outer.y + outer.height;
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const restartSvg = svgChart(restartGroupWithoutCacheDeletionMachine);
const passiveSvg = svgChart(passiveClusterSupervisorMachine);

test('every state node of the machine is one box, named by its full id, and nothing else is a box', () => {
  for (const [machine, svg] of [
    [restartGroupWithoutCacheDeletionMachine, restartSvg],
    [passiveClusterSupervisorMachine, passiveSvg],
  ] as const) {
    const nodes = stateNodes(machine);
    const drawn = boxes(svg);
    expect(svg.match(/<g class="state /g)?.length).toBe(nodes.length);
    expect([...drawn.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    for (const node of nodes.filter((n) => n.type === 'final')) expect(drawn.get(node.id)?.classes).toContain('state-final');
    for (const node of nodes.filter((n) => Object.keys(n.states).length > 0)) expect(drawn.get(node.id)?.classes).toContain('state-compound');
  }
});

test('each compound box holds its children, and sibling boxes do not overlap', () => {
  const drawn = boxes(restartSvg);
  for (const node of stateNodes(restartGroupWithoutCacheDeletionMachine)) {
    const children = Object.values(node.states);
    for (const child of children) expect({ child: child.id, inside: contains(drawn.get(node.id) as Box, drawn.get(child.id) as Box) }).toEqual({ child: child.id, inside: true });
    for (const [i, a] of children.entries()) {
      for (const b of children.slice(i + 1)) expect({ a: a.id, b: b.id, overlap: overlaps(drawn.get(a.id) as Box, drawn.get(b.id) as Box) }).toEqual({ a: a.id, b: b.id, overlap: false });
    }
  }
});

test('every transition of the machine is drawn as an arrow between its states, carrying its label', () => {
  const graph = chartGraph(restartGroupWithoutCacheDeletionMachine);
  const drawn = arrows(restartSvg);
  const nodes = stateNodes(restartGroupWithoutCacheDeletionMachine);
  const declared = nodes.flatMap((n) => [...n.transitions.values()].flat().flatMap((t) => t.target ?? [n])).length + nodes.flatMap((n) => (n.always ?? []).flatMap((t) => t.target ?? [n])).length;
  expect(graph.transitions).toHaveLength(declared);
  for (const t of graph.transitions) {
    const arrow = drawn.find((a) => a.source === t.source && a.target === t.target && (t.label === '' || a.labels.includes(t.label)));
    expect({ transition: t.id, label: t.label, drawn: arrow !== undefined }).toEqual({ transition: t.id, label: t.label, drawn: true });
  }
});

test('branches are labelled by their named guard or "otherwise", timers by their delay, effects by done or failed', () => {
  const restart = arrows(restartSvg);
  const from = (arrowsOf: typeof restart, source: string, target: string) => arrowsOf.filter((a) => a.source.endsWith(source) && a.target.endsWith(target)).flatMap((a) => a.labels);
  expect(from(restart, '.memberNextMember', '.completed')).toEqual(['isLastMember']);
  expect(from(restart, '.memberNextMember', 'memberStopSpoc')).toEqual(['otherwise']);
  expect(from(restart, '.memberConvergenceWait', '.memberNextMember')).toEqual(['after convergence']);
  expect(from(restart, 'restartGroupWithoutCacheDeletion.procedure', '.aborting')).toContain('operator.abort');
  const passive = arrows(passiveSvg);
  expect(from(passive, '.deciding', 'fenceOnly')).toEqual(['decided(fence-dead)']);
  expect(from(passive, '.deciding', 'watchCluster')).toEqual(['otherwise']);
  expect(from(passive, 'fenceOnly', 'watchCluster')).toEqual(['done', 'failed']);
});

test('an arrow leaving a compound state starts on its border, and each compound with an initial state has a dot pointing at it', () => {
  const drawn = boxes(passiveSvg);
  const supervising = drawn.get('passiveClusterSupervisor.supervising') as Box;
  const abort = arrows(passiveSvg).find((a) => a.source === 'passiveClusterSupervisor.supervising' && a.target === 'passiveClusterSupervisor.stopped');
  const [x, y] = (/^M([-\d.]+) ([-\d.]+)/.exec(abort?.d ?? '') ?? []).slice(1).map(Number) as [number, number];
  const onBorder = (Math.abs(x - supervising.x) < 0.2 || Math.abs(x - supervising.x - supervising.width) < 0.2) ? y >= supervising.y && y <= supervising.y + supervising.height : (Math.abs(y - supervising.y) < 0.2 || Math.abs(y - supervising.y - supervising.height) < 0.2) && x >= supervising.x && x <= supervising.x + supervising.width;
  expect({ x, y, onBorder }).toEqual({ x, y, onBorder: true });
  const withInitial = stateNodes(passiveClusterSupervisorMachine).filter((n) => n.initial?.target?.length);
  for (const node of withInitial) {
    expect(passiveSvg).toMatch(new RegExp(`data-state-id="${node.id.replace(/\./g, '\\.')}">.*?<circle class="initial"`));
    expect(passiveSvg).toContain(`<path class="initial-arrow" data-parent-id="${node.id}"`);
  }
});

test('names, events, guards and descriptions are XML-escaped', () => {
  const machine = setup({ guards: { 'a<b & "c"': () => true } }).createMachine({
    id: 'odd<machine>',
    initial: 'x<y',
    states: {
      'x<y': { description: '</title><script>alert(1)</script>', on: { "go&'now'": { target: 'z&w', guard: 'a<b & "c"' } } },
      'z&w': { type: 'final' },
    },
  });
  const svg = svgChart(machine);
  expect(svg).not.toMatch(/<script|x<y|z&w|go&'now'|a<b/);
  expect(svg).toContain('&lt;/title&gt;&lt;script&gt;');
  expect(svg).toContain('go&amp;&apos;now&apos; [a&lt;b &amp; &quot;c&quot;]');
  expect([...boxes(svg).keys()].sort()).toEqual(['odd<machine>', 'odd<machine>.x<y', 'odd<machine>.z&w']);
});

test('the same machine always gives the same SVG', () => {
  const fresh = layoutSvg(layoutChart(chartGraph(passiveClusterSupervisorMachine)));
  expect(fresh).toBe(passiveSvg);
  expect(svgChart(passiveClusterSupervisorMachine)).toBe(passiveSvg);
  const twin = createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });
  expect(svgChart(twin)).toBe(layoutSvg(layoutChart(chartGraph(createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } })))));
});

test('the current state of a running procedure is marked by class, halted in red, for a live view to set', () => {
  const value = { procedure: { memberAwaitOnline: 'halted' } };
  const ids = activeStateIds(restartGroupWithoutCacheDeletionMachine, value);
  expect(ids).toEqual(['restartGroupWithoutCacheDeletion.procedure.memberAwaitOnline.halted']);
  const halted = boxes(svgChart(restartGroupWithoutCacheDeletionMachine, { highlight: { stateIds: ids, halted: true } }));
  expect([...halted].filter(([, b]) => b.classes.split(' ').includes('halted')).map(([id]) => id)).toEqual(ids);
  // A state value from a workflow's answer may name anything: unknown keys, inherited ones, mark nothing.
  expect(activeStateIds(restartGroupWithoutCacheDeletionMachine, { nowhere: 'x' })).toEqual([]);
  expect(activeStateIds(restartGroupWithoutCacheDeletionMachine, JSON.parse('{"__proto__": {"toString": "x"}, "constructor": "y"}'))).toEqual([]);
  expect(restartSvg).toContain('.state.current > rect');
  expect(svgChart(restartGroupWithoutCacheDeletionMachine, { embedStyle: false })).not.toContain('<style>');
});

test('every procedure of the catalog lays out and draws, each state node a box', () => {
  for (const procedure of PROCEDURES) {
    const svg = svgChart(procedure.machine);
    expect({ procedure: procedure.id, boxes: boxes(svg).size }).toEqual({ procedure: procedure.id, boxes: stateNodes(procedure.machine).length });
  }
});
