/**
 * The path a procedure took, as transitions of its chart: the steps its `status` lists (each a
 * state of the machine) joined by the arrows that lead from one to the next, so a live view can
 * draw the path along the arrows and say how often a loop was taken.
 *
 * The path records every haltable step (its effect) and every timed wait, but not the eventless
 * states between them (`memberNextMember`, `memberBegin`): between two recorded steps the machine
 * went the shortest way through states that record nothing. Pure: the page, the CLI and the tests
 * share it.
 */
import type { ChartGraph, ChartState, ChartTransition } from './chart-graph';

/** A chart's states and transitions indexed for walking. */
interface ChartIndex {
  states: Map<string, ChartState>;
  children: Map<string, string[]>;
  outgoing: Map<string, ChartTransition[]>;
  /** States that leave an entry in the path whenever they are entered: haltable steps and timed waits. */
  recorded: Set<string>;
}

function indexChart(graph: ChartGraph): ChartIndex {
  const states = new Map(graph.states.map((s) => [s.id, s]));
  const children = new Map<string, string[]>();
  for (const s of graph.states) if (s.parent !== undefined) children.set(s.parent, [...(children.get(s.parent) ?? []), s.id]);
  const outgoing = new Map<string, ChartTransition[]>();
  for (const t of graph.transitions) outgoing.set(t.source, [...(outgoing.get(t.source) ?? []), t]);
  const recorded = new Set([...graph.states.filter((s) => s.step !== undefined).map((s) => s.id), ...graph.transitions.filter((t) => t.kind === 'after').map((t) => t.source)]);
  return { states, children, outgoing, recorded };
}

/** The state itself and every state that contains it, innermost first. */
function lineage(index: ChartIndex, id: string): string[] {
  const out: string[] = [];
  for (let s = index.states.get(id); s; s = s.parent === undefined ? undefined : index.states.get(s.parent)) out.push(s.id);
  return out;
}

function descendants(index: ChartIndex, id: string): string[] {
  return (index.children.get(id) ?? []).flatMap((child) => [child, ...descendants(index, child)]);
}

/**
 * The chart state a path entry's `step` names: the haltable step carrying that runbook step, else
 * the state of that name (a wait, a decision). Undefined for a name the machine does not have.
 */
export function stateOfStep(graph: ChartGraph, step: string): string | undefined {
  const found =
    graph.states.find((s) => s.step === step) ??
    graph.states.find((s) => s.laneSteps?.includes(step)) ??
    graph.states.find((s) => s.key === step && s.parent !== undefined);
  return found?.id;
}

/** The step box a state is drawn in: the haltable step that contains it, or the state itself. */
export function stepBoxOf(graph: ChartGraph, stateId: string): string {
  const index = indexChart(graph);
  return lineage(index, stateId).find((id) => index.states.get(id)?.step !== undefined) ?? stateId;
}

/** Longest detour through unrecorded states between two recorded steps; more means the path was trimmed or does not fit. */
const MAX_HOPS = 16;

/**
 * The transitions that can move the machine on from state `at`: its own, and those of the states
 * around it (an `operator.abort` on the procedure), but a containing state's `done` only from its
 * final child: it fires when that child is reached, not from anywhere inside.
 */
function movesFrom(index: ChartIndex, at: string): ChartTransition[] {
  const state = index.states.get(at);
  return lineage(index, at).flatMap((source) =>
    (index.outgoing.get(source) ?? []).filter((t) => source === at || t.label !== 'done' || (state?.kind === 'final' && state.parent === source)),
  );
}

/**
 * The transitions from state `from` to state `to` (ids), the fewest that pass only through states
 * the path would not record, entering a compound state by its initial child. Leaving `from` may
 * also take a transition of a state inside it (a halted child's command); one that stays inside it
 * (running → done) goes nowhere. Undefined when no such way exists.
 */
function route(index: ChartIndex, from: string, to: string): string[] | undefined {
  const reached = (id: string) => lineage(index, id).includes(to);
  const inside = (id: string, container: string) => lineage(index, id).includes(container);
  const queue: { at: string; via: string[] }[] = [{ at: from, via: [] }];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const { at, via } = queue.shift() as { at: string; via: string[] };
    if (via.length >= MAX_HOPS) continue;
    const transitions = at === from ? [from, ...descendants(index, from)].flatMap((id) => movesFrom(index, id)).filter((t) => !inside(t.target, from)) : movesFrom(index, at);
    const initial = index.states.get(at)?.initial;
    const moves: { to: string; transition?: string }[] = [...transitions.map((t) => ({ to: t.target, transition: t.id })), ...(initial === undefined ? [] : [{ to: initial }])];
    for (const move of moves) {
      const path = move.transition === undefined ? via : [...via, move.transition];
      if (reached(move.to) && path.length > 0) return path;
      if (seen.has(move.to) || lineage(index, move.to).some((id) => index.recorded.has(id))) continue;
      seen.add(move.to);
      queue.push({ at: move.to, via: path });
    }
  }
  return undefined;
}

/** What the path says of one step taken: its `step`, and for telling a retry from a loop its action and outcome. */
export interface TakenStep {
  step: string;
  action?: string;
  outcome?: string;
}

const isOperatorCommand = (entry: TakenStep) => entry.action?.startsWith('operator.') === true;

/**
 * How often the procedure took each transition of the chart (by transition id), from the steps of
 * its path in order and, last, the state it is in now (`current`: a state id, e.g. the halted
 * child of a step). The same step twice in a row is a loop back to it when the first one was done
 * (a parallel step's lanes, a block that walks its members one step at a time); after a failure
 * or an operator command it is the same step again (a retry). A pair of steps the chart cannot
 * join (the oldest entries were trimmed) adds nothing.
 */
export function takenTransitions(graph: ChartGraph, path: readonly TakenStep[], current?: string): Map<string, number> {
  const index = indexChart(graph);
  const visited = path.flatMap((entry) => {
    const id = stateOfStep(graph, entry.step);
    return id === undefined ? [] : [{ id, entry }];
  });
  if (current !== undefined && index.states.has(current)) visited.push({ id: stepBoxOf(graph, current), entry: { step: '' } });
  const counts = new Map<string, number>();
  for (let i = 1; i < visited.length; i += 1) {
    const from = visited[i - 1] as (typeof visited)[number];
    const to = visited[i] as (typeof visited)[number];
    if (from.id === to.id) {
      const loopsBack = from.entry.outcome === 'done' && !isOperatorCommand(from.entry) && to.entry.step !== '' && !isOperatorCommand(to.entry) && !index.states.get(from.id)?.laneSteps;
      if (!loopsBack) continue;
    }
    for (const id of route(index, from.id, to.id) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
