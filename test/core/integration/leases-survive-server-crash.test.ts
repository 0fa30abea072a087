/**
 * A crash of the whole stack (kill -9 of the Temporal server and the workers) ends no lease: after
 * the restart a second procedure on the same group is still refused, and the first one's abort
 * then frees the group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { SpoolflowClient } from '../../../client/spoolflow-client';
import { DevServer, startDevServer } from '../../../engine/dev-server';
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { failureOf, waitForStatus } from '../../helpers/procedure-status';
import { createTestFleet, testInventory, withWorkers } from '../../helpers/sim-fleet';
import type { TestTemporal } from '../../helpers/temporal-server';

const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-stack-crash-'));
const running: TestTemporal[] = [];

/** A dev server on a fixed data folder, so a second start finds what the first one kept. */
async function startStack(port: number): Promise<TestTemporal> {
  const server: DevServer = await startDevServer({ dataDir: path.join(dir, 'temporal'), port, ui: false, searchAttributes: { ...SEARCH_ATTRIBUTES }, log: () => undefined });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const stack: TestTemporal = {
    server,
    connection,
    nativeConnection,
    client: new Client({ connection, namespace: server.namespace }),
    namespace: server.namespace,
    dir,
    async close() {
      await nativeConnection.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await server.stop();
    },
  };
  running.push(stack);
  return stack;
}

afterAll(async () => {
  for (const stack of running) await stack.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 of the server and the workers keeps the leases: after the restart a second procedure on the group is still refused', async () => {
  const fleet = createTestFleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const input = groupRestartExample(testInventory(), 'london');
  input.waits.onlineTimeoutSeconds = 5;
  const first = `first-${randomUUID()}`;

  const before = await startStack(0);
  const port = Number(before.server.address.split(':').pop());
  await withWorkers(before, fleet, async () => {
    await new SpoolflowClient(before.client).start('restart-group-without-cache-deletion', input, { workflowId: first });
    await waitForStatus(before.client, first, (s) => s.status === 'halted', 90_000);
  });
  // The workers are gone; now the server dies without a word.
  before.server.process?.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 500));

  const after = await startStack(port);
  const spoolflow = new SpoolflowClient(after.client);
  await withWorkers(after, fleet, async () => {
    const second = `second-${randomUUID()}`;
    await after.client.workflow.start('restartGroupWithCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: second, args: [input] });
    const failure = await failureOf(after.client, second);
    expect(failure?.type).toBe('LeaseHeldError');
    expect(failure?.message).toContain(`SPOC group london is held by ${first}`);
    fleet.host('spoc-lon-1').setFaults({});
    await spoolflow.command(first, { type: 'operator.abort' });
    await spoolflow.result(first);
  });
  fleet.stop();
}, 300_000);
