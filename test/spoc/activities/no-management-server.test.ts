/**
 * A central worker whose fleet configuration has no SPOC part still offers every SPOC check, and
 * each one refuses for good, naming the configuration: a SPOC procedure started there by mistake
 * halts at its first check with that reason instead of waiting on a task nobody runs.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NoManagementServer } from '../../../activities/spoc/no-management-server';
import { activityNameOf, isActionWord, type ActionWord } from '../../../machines/actions';
import { SPOC_ACTIONS } from '../../../machines/spoc/spoc-actions';
import { centralActivities } from '../../../worker/central-worker';

const FLEET_FILE = '/etc/spoolflow/fleet.json';

/** The SPOC procedures' actions that run on the central worker. */
const centralSpocActions = Object.entries(SPOC_ACTIONS)
  .filter(([, entry]) => entry.place === 'central')
  .map(([word]) => word)
  .filter((word): word is ActionWord => isActionWord(word));

test('every central SPOC check refuses, not retryable, saying the fleet configuration has no Management Server', async () => {
  const activities = centralActivities({ managementServer: new NoManagementServer(FLEET_FILE) }) as unknown as Record<string, (effect: unknown) => Promise<unknown>>;
  expect(centralSpocActions.length).toBeGreaterThanOrEqual(4);
  for (const action of centralSpocActions) {
    const activity = activities[activityNameOf(action)];
    expect(activity).toBeDefined();
    const failure = await activity!({ step: 's', title: 't', action, hosts: ['spoc-a'], host: 'spoc-a' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'NoManagementServerError',
      nonRetryable: true,
      message: expect.stringContaining(`the fleet configuration ${FLEET_FILE} has no Management Server (no managementServer and siteServers)`),
    });
    expect((failure as Error).message).toContain('Nothing was checked or changed');
  }
});

test('the leases are still served beside the refusing checks', () => {
  const activities = centralActivities({ managementServer: new NoManagementServer(FLEET_FILE) });
  expect(Object.keys(activities)).toEqual(expect.arrayContaining(['describeLeaseHolder', 'awaitLeaseHolderClosed']));
});
