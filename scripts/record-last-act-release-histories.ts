/**
 * Records the histories of procedures that end in the workflow task that asks for their leases'
 * release (patch `procedure-releases-leases-as-its-last-act`, workflows/procedure-workflow.ts),
 * next to the older ones, which stay as they are and replay the wait for each delivery. Files end
 * in `-leases-released-as-last-act-runtime-v2` (new runs take the runtime's second version too).
 *
 *   npx tsx scripts/record-last-act-release-histories.ts
 *
 * A SPOC group restart completed, and one halted then aborted (the restore, then the release).
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../simulator/example-inputs';
import { SpoolflowClient } from '../client/spoolflow-client';
import { installOperatorLogger } from '../worker/runtime-logger';
import { createTestFleet, testInventory, withWorkers } from '../test/helpers/sim-fleet';
import { startTestTemporal } from '../test/helpers/temporal-server';
import { waitForStatus } from '../test/helpers/procedure-status';
import { saveRecordedHistory } from '../test/helpers/recorded-histories';

installOperatorLogger('WARN');

const SUFFIX = '-leases-released-as-last-act-runtime-v2';

async function main(): Promise<void> {
  const temporal = await startTestTemporal();
  const spoolflow = new SpoolflowClient(temporal.client);
  const fleet = createTestFleet();
  const input = () => {
    const i = groupRestartExample(testInventory(), 'london');
    return { ...i, waits: { ...i.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
  };
  const save = async (name: string, workflowId: string) => console.log(saveRecordedHistory(`${name}${SUFFIX}`, await temporal.client.workflow.getHandle(workflowId).fetchHistory()));
  try {
    await withWorkers(temporal, fleet, async () => {
      let id = `record-${randomUUID()}`;
      await spoolflow.start('restart-group-without-cache-deletion', input(), { workflowId: id });
      await spoolflow.result(id);
      await save('restartGroupWithoutCacheDeletion--completed', id);

      fleet.host('spoc-lon-2').setFaults({ neverOnline: true });
      id = `record-${randomUUID()}`;
      await spoolflow.start('restart-group-without-cache-deletion', input(), { workflowId: id });
      await waitForStatus(temporal.client, id, (s) => s.status === 'halted');
      await spoolflow.command(id, { type: 'operator.abort', reason: 'recorded abort' });
      await spoolflow.result(id);
      await save('restartGroupWithoutCacheDeletion--aborted', id);
    });
  } finally {
    fleet.stop();
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
