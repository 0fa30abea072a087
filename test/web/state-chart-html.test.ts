/**
 * The HTML chart names the condition of each branch: `if <guard> → step` for a guarded one,
 * `otherwise → step` for the one after it, `then → step` when there is only one way on.
 */
import { passiveClusterSupervisorMachine } from '../../machines/jobscheduler/passive-cluster-supervisor';
import { setClusterOptionMachine } from '../../machines/jobscheduler/set-cluster-option';
import { restartGroupWithoutCacheDeletionMachine } from '../../machines/spoc/restart-group-without-cache-deletion';
import { htmlChart } from '../../web/state-chart-html';

test('each branch of a decision shows the name of its guard, and the last one "otherwise"', () => {
  const restart = htmlChart(restartGroupWithoutCacheDeletionMachine);
  expect(restart).toContain('<li>if isLastMember → completed</li><li>otherwise → memberStopSpoc</li>');
  expect(restart).toContain('<li>if loadCheckOverridden → done</li><li>otherwise → checkNoLoad</li>');
  expect(htmlChart(passiveClusterSupervisorMachine)).toContain('<li>if decided(failover) → failover</li><li>if decided(fence-dead) → fenceDead</li>');
  expect(htmlChart(setClusterOptionMachine)).toContain('<li>if nothingToStartAgain → finished</li><li>if isWindowsMember → restoreSchedulerService</li><li>otherwise → restartScheduler</li>');
});

test('a transition that is the only way on still reads "then"', () => {
  expect(htmlChart(restartGroupWithoutCacheDeletionMachine)).toContain('<li>then → memberStopSpoc</li>');
});
