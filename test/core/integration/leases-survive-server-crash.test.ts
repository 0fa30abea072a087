/**
 * A crash of the whole stack (kill -9 of the Temporal server and the workers) ends no lease: after
 * the restart a second procedure on the same group is still refused, and the first one's abort
 * then frees the group.
 */
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';

const estate = useSimulatedEstate();

test('kill -9 of the server and the workers keeps the leases: after the restart a second procedure on the group is still refused', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const input = groupRestartExample(testInventory(), 'london');
  input.waits.onlineTimeoutSeconds = 5;
  const first = `first-${randomUUID()}`;

  await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId: first });
    await estate.halted(first, 90_000);
  });
  // The workers are gone; now the server dies without a word, and is started again on its data.
  await estate.crashServer();

  await estate.withWorkers(fleet, async () => {
    const second = `second-${randomUUID()}`;
    await estate.client.workflow.start('restartGroupWithCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: second, args: [input] });
    const failure = await estate.failureOf(second);
    expect(failure?.type).toBe('LeaseHeldError');
    expect(failure?.message).toContain(`SPOC group london is held by ${first}`);
    fleet.host('spoc-lon-1').setFaults({});
    await estate.spoolflow.command(first, { type: 'operator.abort' });
    await estate.spoolflow.result(first);
  });
}, 300_000);
