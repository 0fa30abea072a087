/**
 * Records the runs of a fleet rollout that hands over to a new run while a group it started still
 * runs, and whose new run waits on the server for that group's end (patch
 * `fleet-rollout-waits-for-the-children-of-runs-before`, workflows/fleet/fleet-rollout-workflow.ts):
 * `fleetRollout--handed-over-waits-for-the-groups-before--run<n>`. The older fleet histories stay as
 * they are.
 *
 *   npx tsx scripts/record-rollout-hand-over-histories.ts
 *
 * London and prague one at a time; london's agents come only after the hand-over (so it runs
 * across it), the operator's pauses and resumes fill the first run's history, no look in the time
 * it takes (pollSeconds 600).
 */
import { randomUUID } from 'node:crypto';
import { commandRollout, startRollout } from '../client/fleet-rollout-client';
import { groupRestartExample } from '../simulator/example-inputs';
import { serverByHost } from '../simulator/spoc/inventory';
import { createTestFleet, startAgentsLate, testInventory, withWorkers } from '../test/helpers/sim-fleet';
import { startTestTemporal } from '../test/helpers/temporal-server';
import { saveRecordedHistory } from '../test/helpers/recorded-histories';
import { until } from '../test/helpers/until';
import { runHistories } from '../bench/run-histories';
import { installOperatorLogger } from '../worker/runtime-logger';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';

installOperatorLogger('WARN');

const NAME = 'fleetRollout--handed-over-waits-for-the-groups-before';

async function main(): Promise<void> {
  const temporal = await startTestTemporal();
  const inventory = testInventory();
  const fleet = createTestFleet(inventory);
  const london = inventory.groups.find((g) => g.name === 'london')?.members ?? [];
  const siteOf = (group: string) => serverByHost(inventory, inventory.groups.find((g) => g.name === group)?.members[0] ?? '').site;
  const groupInput = (group: string) => {
    const i = groupRestartExample(inventory, group);
    return { ...i, waits: { ...i.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
  };
  const id = `record-${randomUUID()}`;
  try {
    await withWorkers(
      temporal,
      fleet,
      async () => {
        const rollout = {
          procedure: 'restart-group-without-cache-deletion',
          groups: ['london', 'prague'].map((group) => ({ site: siteOf(group), input: groupInput(group) })),
          limits: { maxGroupsAtOnce: 1, failureBudget: 1 },
          pollSeconds: 600,
          continueAsNewAfterEvents: 50,
        };
        await startRollout(temporal.client, rollout, { workflowId: id });
        const handle = temporal.client.workflow.getHandle(id);
        const status = () => handle.query<RolloutStatus>('status');
        await until('london running', async () => (await status()).groups.running.includes('london'));
        for (let i = 0; i < 20 && (await status()).continuedAsNew === 0; i++) {
          await commandRollout(temporal.client, id, { type: 'operator.pause', operator: 'recorder' });
          await commandRollout(temporal.client, id, { type: 'operator.resume', operator: 'recorder' });
        }
        await until('handed over, not paused', async () => {
          const s = await status();
          return s.continuedAsNew >= 1 && s.status !== 'paused';
        });
        const stopAgents = await startAgentsLate(temporal, fleet, london);
        try {
          await handle.result();
        } finally {
          await stopAgents();
        }
      },
      { withoutAgents: london },
    );
    const runs = await runHistories(temporal.client, id);
    if (runs.length < 2) throw new Error('the rollout did not hand over');
    runs.forEach((events, i) => console.log(saveRecordedHistory(`${NAME}--run${i + 1}`, { events })));
  } finally {
    fleet.stop();
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
