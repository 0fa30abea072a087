/**
 * What `spoolflow watch` shows for a status and a plan: where the procedure is in its plan, the
 * current step with host and elapsed time, the steps to come, and when halted the commands to type.
 */
import { outputOf } from '../../client/completed-run';
import { commandsToType, completedEvent, progressBar, progressOf, renderWatch, watchEvent } from '../../cli/watch-view';
import type { PlannedStep } from '../../machines/core/plan';
import type { PathEntry, ProcedureStatus } from '../../workflows/operator-messages';

const PLAN: PlannedStep[] = [
  { order: 1, step: 'checkManagementServer', action: 'check-management-server', title: 'Check the management server' },
  { order: 2, step: 'memberStopSpoc', action: 'stop-service', host: 'spoc-lon-1', title: 'Step 1: stop the SPOC' },
  { order: 3, step: 'memberStopSpoc', action: 'stop-service', host: 'spoc-lon-2', title: 'Step 1: stop the SPOC' },
  { order: 4, step: 'finish', action: 'record' as never, title: 'Finish' },
];

const entry = (step: string, outcome: PathEntry['outcome'], host?: string): PathEntry => ({ step, action: 'x', title: `${step}${host ? ` ${host}` : ''}`, startedAt: '2026-12-05T10:00:00.000Z', outcome, ...(host ? { host } : {}) });

function status(over: Partial<ProcedureStatus>): ProcedureStatus {
  return { procedure: 'restart-group-without-cache-deletion', state: {}, step: 'memberStopSpoc', status: 'running', halt: null, accepts: ['operator.abort'], summary: {}, path: [], stepsTaken: 0, timers: [], inFlight: [], ...over };
}

const NOW = new Date('2026-12-05T10:01:05.000Z');

test('the path is followed through the plan by step and host; an operator command is no plan step', () => {
  const path = [entry('checkManagementServer', 'done'), entry('operator', 'done'), entry('memberStopSpoc', 'done', 'spoc-lon-1'), entry('memberStopSpoc', 'running', 'spoc-lon-2')];
  expect(progressOf(PLAN, path)).toEqual({ done: 2, current: 2 });
});

test('a running step shows its host and how long it has run, and the steps to come follow it', () => {
  const s = status({ path: [entry('checkManagementServer', 'done'), entry('memberStopSpoc', 'running', 'spoc-lon-1')], stepsTaken: 2 });
  const event = watchEvent('spoc-group-london', s, PLAN);
  expect(event).toMatchObject({ status: 'running', done: 1, total: 4, current: { step: 'memberStopSpoc', host: 'spoc-lon-1' }, halt: null });
  const screen = renderWatch(event, s, PLAN, NOW);
  expect(screen).toContain('[########----------------------] 1/4 steps');
  expect(screen).toContain('▶ memberStopSpoc spoc-lon-1  (1 min 5 s)');
  expect(screen.indexOf('To come:')).toBeGreaterThan(screen.indexOf('Now:'));
  expect(screen).toContain('· Step 1: stop the SPOC on spoc-lon-2');
  expect(screen).not.toContain('· Step 1: stop the SPOC on spoc-lon-1');
});

test('a halted procedure shows its reason and the exact commands to type', () => {
  const halt = { step: 'memberStopSpoc', title: 'Step 1: stop the SPOC', reason: 'the service did not stop within 120 s', options: ['retry', 'skip', 'abort'] };
  const s = status({ status: 'halted', halt, accepts: ['operator.retry', 'operator.skip', 'operator.abort'], path: [entry('memberStopSpoc', 'failed', 'spoc-lon-1')] });
  const screen = renderWatch(watchEvent('spoc-group-london', s, PLAN), s, PLAN, NOW);
  expect(screen).toContain('HALTED at Step 1: stop the SPOC:\n  the service did not stop within 120 s');
  expect(screen).toContain('spoolflow retry spoc-group-london --operator <name> --reason <text>');
  expect(screen).toContain('spoolflow abort spoc-group-london --operator <name> --reason <text>');
  // The halted step is where the procedure is, not a step to come.
  expect(screen).not.toContain('· Step 1: stop the SPOC on spoc-lon-1');
  expect(screen).toContain('· Step 1: stop the SPOC on spoc-lon-2');
});

test('the other operator commands are typed in their long form', () => {
  expect(commandsToType('jobscheduler-cluster-munich', ['operator.submitOrder', 'operator.startGroupService'])).toEqual([
    'spoolflow operator jobscheduler-cluster-munich submitOrder --chain <chain> --order <id> --operator <name>',
    'spoolflow operator jobscheduler-cluster-munich startGroupService --operator <name> --reason <text>',
  ]);
});

test('a procedure that is done has every plan step done, no commands and no steps to come', () => {
  const s = status({ status: 'done', accepts: [], output: { outcome: 'completed' }, path: [entry('finish', 'done')] });
  const event = watchEvent('spoc-group-london', s, PLAN);
  expect(event).toMatchObject({ status: 'done', done: 4, total: 4, current: null, commands: [] });
  const screen = renderWatch(event, s, PLAN, NOW);
  expect(screen).not.toContain('To come:');
  expect(screen).toContain('Ended: done {"outcome":"completed"}');
});

test('a failed run is failed whatever the last status said', () => {
  expect(watchEvent('w', status({}), PLAN, true)).toMatchObject({ status: 'failed', commands: [], current: null });
});

test('the progress bar is empty without a plan and full when all is done', () => {
  expect(progressBar(0, 0)).toBe('');
  expect(progressBar(4, 4)).toBe(`[${'#'.repeat(30)}] 4/4 steps`);
});

test('a run that completed without a halt, read from its close event, is the event its final status gives', () => {
  const output = { outcome: 'completed', group: 'london' };
  const final = status({ state: 'completed', step: 'completed', status: 'done', accepts: [], path: [entry('checkManagementServer', 'done'), entry('memberStopSpoc', 'done', 'spoc-lon-1')], stepsTaken: 2, output });
  const run = { procedure: final.procedure, step: 'completed', output };
  expect(completedEvent('spoc-group-london', run, PLAN)).toEqual(watchEvent('spoc-group-london', final, PLAN));
  expect(completedEvent('spoc-group-london', run, null)).toEqual(watchEvent('spoc-group-london', final, null));
  const { output: _none, ...withoutOutput } = final;
  expect(completedEvent('spoc-group-london', { procedure: final.procedure, step: 'completed' }, PLAN)).toEqual(watchEvent('spoc-group-london', withoutOutput, PLAN));
});

test("a completed run's output is its result without the operator commands the result adds", () => {
  const commands = [{ type: 'operator.skip', step: 'memberStopSpoc', at: '2026-12-05T10:00:00.000Z', operator: 'ann' }];
  expect(outputOf({ outcome: 'completed', group: 'london', operatorCommands: commands })).toEqual({ outcome: 'completed', group: 'london' });
  expect(outputOf({ outcome: 'aborted', operatorCommands: commands, operatorCommandsTaken: 9_000 })).toEqual({ outcome: 'aborted' });
  expect(outputOf('done')).toBe('done');
  expect(outputOf(undefined)).toBeUndefined();
  expect(outputOf([1, 2])).toEqual([1, 2]);
});
