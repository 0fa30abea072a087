/**
 * The live chart of a procedure, without a server: the path it took drawn along the arrows (a
 * loop's count on its arrow), the steps done ticked, and the member loop read from its status.
 */
import { createMachine } from 'xstate';
import { chartGraph } from '../../client/chart-graph';
import { takenTransitions } from '../../client/chart-path';
import { layoutChart } from '../../client/chart-layout';
import { layoutSvg } from '../../client/chart-svg';
import { restartGroupWithoutCacheDeletionMachine } from '../../machines/spoc/restart-group-without-cache-deletion';
import { planProcedure } from '../../machines/core/plan';
import { groupRestartExample } from '../../simulator/example-inputs';
import { memberLines, memberLoopOf } from '../../web/member-loop';
import type { ProcedureStatus } from '../../workflows/operator-messages';
import { testInventory } from '../helpers/sim-fleet';

/** A member loop in small: two steps per member, an eventless `nextMember` that loops back or finishes. */
const loopMachine = createMachine({
  id: 'loop',
  initial: 'stopSpoc',
  states: {
    stopSpoc: { meta: { step: 'stopSpoc' }, on: { 'effect.done.stopSpoc': 'startSpoc' } },
    startSpoc: { meta: { step: 'startSpoc' }, on: { 'effect.done.startSpoc': 'nextMember' } },
    nextMember: { always: [{ guard: 'isLastMember', target: 'completed' }, { target: 'stopSpoc' }] },
    completed: { type: 'final' },
  },
});
const loopGraph = chartGraph(loopMachine);
const done = (step: string, host: string) => ({ step, host, action: 'stop-service', outcome: 'done' });
const edge = (from: string, label: string) => loopGraph.transitions.find((t) => t.source === `loop.${from}` && t.label === label)?.id ?? `no ${from} ${label}`;

test('a loop taken for three members is counted on its arrows: twice back, once out', () => {
  const path = ['a', 'b', 'c'].flatMap((h) => [done('stopSpoc', h), done('startSpoc', h)]);
  const taken = takenTransitions(loopGraph, path, 'loop.completed');
  expect(taken.get(edge('stopSpoc', 'done'))).toBe(3);
  expect(taken.get(edge('startSpoc', 'done'))).toBe(3);
  expect(taken.get(edge('nextMember', 'otherwise'))).toBe(2);
  expect(taken.get(edge('nextMember', 'isLastMember'))).toBe(1);
});

test('a retried step is not a loop, and nothing is drawn past the state the procedure is in', () => {
  const path = [
    done('stopSpoc', 'a'),
    { step: 'startSpoc', host: 'a', action: 'start-service', outcome: 'failed' },
    { step: 'startSpoc', action: 'operator.retry', outcome: 'done' },
    { step: 'startSpoc', host: 'a', action: 'start-service', outcome: 'running' },
  ];
  const taken = takenTransitions(loopGraph, path, 'loop.startSpoc');
  expect([...taken]).toEqual([[edge('stopSpoc', 'done'), 1]]);
});

test('the SVG draws taken arrows thick and blue with a count above one, ticks the steps done and puts the member note beside the current step', () => {
  const taken = takenTransitions(loopGraph, ['a', 'b'].flatMap((h) => [done('stopSpoc', h), done('startSpoc', h)]), 'loop.startSpoc');
  const svg = layoutSvg(layoutChart(loopGraph), {
    embedStyle: false,
    highlight: { stateIds: ['loop.startSpoc'] },
    done: ['loop.stopSpoc'],
    taken,
    note: { stateId: 'loop.startSpoc', lines: ['member 2 of 2: b', 'done: a'] },
  });
  const loopBack = edge('nextMember', 'otherwise');
  expect(svg).toMatch(new RegExp(`<path class="transition transition-always taken" data-transition-id="${loopBack.replace(/[.:]/g, '\\$&')}"[^>]* data-taken="1" stroke="#1565c0" stroke-width="3"`));
  expect(svg).toMatch(/<path class="transition transition-event taken" data-transition-id="loop\.stopSpoc:on:0"[^>]* data-taken="2"/);
  expect(svg).toContain('<g class="taken-count" data-transition-id="loop.stopSpoc:on:0">');
  expect(svg).toContain('>×2</text>');
  expect(svg).not.toMatch(/data-transition-id="[^"]*isLastMember[^"]*"[^>]*taken/);
  expect(svg).toMatch(/<g class="state state-atomic state-step done" data-state-id="loop\.stopSpoc">.*?<text class="tick"[^>]*>✓<\/text><\/g>/);
  expect(svg).toMatch(/<g class="state state-atomic state-step current" data-state-id="loop\.startSpoc">/);
  expect(svg).toMatch(/<g class="member-note" data-state-id="loop\.startSpoc">.*member 2 of 2: b.*done: a/);
});

test("a real procedure's planned path joins every recorded step along the chart's arrows, the member loop taken once per further member", () => {
  const input = groupRestartExample(testInventory(), 'prague');
  const plan = planProcedure(restartGroupWithoutCacheDeletionMachine, input);
  const graph = chartGraph(restartGroupWithoutCacheDeletionMachine);
  const taken = takenTransitions(graph, plan.map((s) => ({ step: s.step, action: s.action, outcome: 'done' })), 'restartGroupWithoutCacheDeletion.completed');
  const loopBack = graph.transitions.find((t) => t.source.endsWith('.memberNextMember') && t.label === 'otherwise');
  expect(loopBack && taken.get(loopBack.id)).toBe(input.members.length - 1);
  // Every step with an effect is left once per member, by its own `done` arrow.
  for (const step of ['memberStopSpoc', 'memberStartSpoc', 'memberAwaitRescueFinished']) expect([step, taken.get(`${step}:on:0`)]).toEqual([step, input.members.length]);
  expect(taken.get('restartGroupWithoutCacheDeletion.procedure:on:0')).toBeUndefined(); // abort, not taken
});

function statusWith(summary: Record<string, unknown>, extra: Partial<ProcedureStatus> = {}): ProcedureStatus {
  return { procedure: 'restart-group-without-cache-deletion', state: {}, step: 'memberStartTerminalServer', status: 'halted', halt: null, accepts: [], summary, path: [], stepsTaken: 0, timers: [], inFlight: [], ...extra };
}

test("a SPOC group's member loop says which member it is at, of how many, and which are done, from the status", () => {
  const loop = memberLoopOf(statusWith({ member: 'spoc-lon-2', members: 3, memberIndex: 1, completedMembers: ['spoc-lon-1'] }));
  expect(loop && memberLines(loop)).toEqual(['member 2 of 3: spoc-lon-2', 'done: spoc-lon-1']);
  // Without the member in the summary, the host of the latest step; without a count, no "of".
  const fromPath = memberLoopOf(statusWith({ memberIndex: 0, completedMembers: [] }, { path: [{ step: 's', action: 'stop-service', host: 'spoc-prg-1', title: 't', startedAt: '', outcome: 'running' }] }));
  expect(fromPath && memberLines(fromPath)).toEqual(['member 1: spoc-prg-1', 'done: none yet']);
  // Done: no current member; a procedure without members: no loop.
  const finished = memberLoopOf(statusWith({ member: 'spoc-lon-2', members: 2, memberIndex: 1, completedMembers: ['spoc-lon-1', 'spoc-lon-2'] }, { status: 'done' }));
  expect(finished && memberLines(finished)).toEqual(['done: spoc-lon-1, spoc-lon-2']);
  expect(memberLoopOf(statusWith({ cluster: 'x', host: 'js-1' }))).toBeUndefined();
});

test("a JobScheduler cluster's members show with their role and status, the active one marked; values of the wrong type are left out", () => {
  const loop = memberLoopOf(
    statusWith({ activeMember: 'js-berlin-1', members: [{ member: 'js-berlin-1', role: 'primary', status: 'running', alive: true }, { member: 'js-berlin-2', role: 'backup', status: 'stopped', alive: false }, { member: 42 }, 'x'] }),
  );
  expect(loop?.members.map((m) => [m.name, m.current, m.detail])).toEqual([
    ['js-berlin-1', true, 'primary, running'],
    ['js-berlin-2', false, 'backup, stopped, heartbeat lost'],
  ]);
  expect(loop && memberLines(loop)[0]).toBe('active member: js-berlin-1');
});
