/**
 * The Web UI's timeline reads like the runbook: an activity's summary leads with its host, says
 * what it does in the effect's own words and the runbook step of its state; a timer's summary
 * names the delay, how long, and the words of the state that waits. Read off the real machines.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { restartGroupWithCacheDeletionMachine } from '../../../machines/spoc/restart-group-with-cache-deletion';
import { restartGroupWithoutCacheDeletionMachine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import type { Effect } from '../../../machines/core/effects';
import { GROUP_SERVICE } from '../../../machines/spoc/spoc-services';
import { activitySummary, timerSummary } from '../../../workflows/runtime/timeline-summaries';

/** The event type XState schedules for the `after` delay of the state whose key ends with `keySuffix`. */
function afterEventOf(machine: AnyStateMachine, keySuffix: string): { type: string } {
  const visit = (node: AnyStateNode): AnyStateNode | undefined =>
    node.key.endsWith(keySuffix) ? node : Object.values(node.states).map(visit).find((n) => n !== undefined);
  const node = visit(machine.root);
  const delayed = node?.after[0];
  if (!delayed) throw new Error(`no state ending in ${keySuffix} with an after delay`);
  return { type: delayed.eventType };
}

test('a step on a host reads "<host>: <what it does> (step <n>)"', () => {
  const effect = { step: 'memberStopGroupService', title: `Stop ${GROUP_SERVICE} on spoc-lon-1`, action: 'stop-service', host: 'spoc-lon-1', service: GROUP_SERVICE, timeoutSeconds: 60 } as const;
  expect(activitySummary(restartGroupWithoutCacheDeletionMachine, effect)).toBe(`spoc-lon-1: stop ${GROUP_SERVICE} (step 1)`);
});

test('a central step says what it does, without a step number its state does not have', () => {
  const effect = { step: 'checkManagementServer', title: 'Check that the Management Server is running', action: 'check-management-server' } as const;
  expect(activitySummary(restartGroupWithoutCacheDeletionMachine, effect)).toBe('Check that the Management Server is running');
});

test('a step whose id is no state of the machine still reads by its host and title', () => {
  const effect: Effect = { step: 'abortRestore', title: 'Abort: start again what was stopped on spoc-lon-2', action: 'start-services', host: 'spoc-lon-2', services: ['a'], timeoutSeconds: 60 };
  expect(activitySummary(restartGroupWithoutCacheDeletionMachine, effect)).toBe('spoc-lon-2: abort: start again what was stopped');
});

test('the convergence wait is named, timed and numbered as in the runbook', () => {
  expect(timerSummary(restartGroupWithoutCacheDeletionMachine, afterEventOf(restartGroupWithoutCacheDeletionMachine, 'ConvergenceWait'), 'Wait 5 min')).toBe(
    'convergence wait 5 min (step 8): wait for the distributed layer to converge (circa 5 minutes after the rescue finished)',
  );
});

test('the wait between the starts of two members reads in words, with its state description', () => {
  expect(timerSummary(restartGroupWithCacheDeletionMachine, afterEventOf(restartGroupWithCacheDeletionMachine, 'WaitBetweenStarts'), 'Wait 3 min')).toBe(
    'between starts wait 3 min: wait 3-10 minutes between the starts of two members (the input says how long)',
  );
});

test('a timer the machine cannot place still says how long it waits', () => {
  expect(timerSummary(restartGroupWithoutCacheDeletionMachine, { type: 'somethingElse' }, 'Wait 10 s')).toBe('Wait 10 s');
});
