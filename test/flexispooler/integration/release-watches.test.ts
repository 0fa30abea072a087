/**
 * Print jobs held at their servers are watched for their release minutes at a time, for as long as
 * their users take to reach a printer. The watches run on the central watches' queue: with the
 * central worker left a single place for its activities, two jobs held at once are both watched,
 * and the second prints as soon as its user authenticates while the first still waits. On the
 * central queue the second job's watch would wait for the first one's (two minutes here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NativeConnection } from '@temporalio/worker';
import { SpoolflowClient } from '../../../client/spoolflow-client';
import { createSimClientAgents, openSimNetwork, simReleaseActivities } from '../../../simulator/flexispooler/sim-flexispooler-agents';
import { SIM_CLIENTS, simPrintJobInput } from '../../../simulator/flexispooler/sim-network-definition';
import type { SimFlexiSpoolerNetwork } from '../../../simulator/flexispooler/sim-network';
import { createCentralWorkers } from '../../../worker/central-worker';
import { CENTRAL_WATCH_TASK_QUEUE } from '../../../workflows/task-queues';
import { waitForStatus } from '../../helpers/procedure-status';
import { startTestTemporal, type TestTemporal } from '../../helpers/temporal-server';

let temporal: TestTemporal;
let dir: string;
let network: SimFlexiSpoolerNetwork;
beforeAll(async () => {
  temporal = await startTestTemporal();
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-release-watches-'));
  network = openSimNetwork(path.join(dir, 'sim'));
});
afterAll(async () => {
  network?.store.close();
  await temporal?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function workers(conn: { connection: NativeConnection; namespace: string }) {
  const noManagementServer = { address: 'none', ping: async () => undefined, spocStatus: async () => ({}) };
  return [
    ...(await createCentralWorkers({ ...conn, managementServer: noManagementServer, flexiSpoolerActivities: simReleaseActivities(network, 50), maxConcurrentActivityTaskExecutions: 1 })),
    ...(await createSimClientAgents(conn, network, ['laptop-cleo', 'laptop-ann'])),
  ];
}

test('two jobs held at once are both watched with one central place: the second prints when its user authenticates, while the first still waits', async () => {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const running = await workers(conn);
  const runs = running.map((w) => w.run());
  try {
    const spoolflow = new SpoolflowClient(temporal.client);
    const client = (name: string) => SIM_CLIENTS.find((c) => c.client === name)!;
    const heldSummary = (s: { summary: unknown }) => (s.summary as { heldOn: unknown }).heldOn !== null;
    const ids: string[] = [];
    // Cleo's job is held first, and watched; then Ann's.
    for (const [name, job] of [['laptop-cleo', 'cleo-1'], ['laptop-ann', 'ann-1']] as const) {
      const input = simPrintJobInput(client(name), { id: job, document: `${job}.pdf` }, { retrySeconds: 1, releaseWatchSeconds: 120 });
      const id = (await spoolflow.start('deliver-print-job', input, { workflowId: `release-watch-${job}` })).workflowId;
      await waitForStatus(temporal.client, id, heldSummary, 60_000);
      ids.push(id);
    }
    // Ann reaches her printer while Cleo's job still waits for Cleo: Ann's job prints at once.
    await new Promise((r) => setTimeout(r, 1000));
    network.authenticate('ann', 'printer-prg-1');
    const started = Date.now();
    expect(await spoolflow.result(ids[1]!)).toMatchObject({ outcome: 'printed' });
    expect(Date.now() - started).toBeLessThan(20_000);
    network.authenticate('cleo', 'printer-lon-1');
    expect(await spoolflow.result(ids[0]!)).toMatchObject({ outcome: 'printed' });
    // Each release watch was scheduled on the central watches' queue.
    for (const id of ids) {
      const { events } = await temporal.client.workflow.getHandle(id).fetchHistory();
      const watches = (events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitJobRelease' ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : []));
      expect(watches.length).toBeGreaterThan(0);
      expect(new Set(watches)).toEqual(new Set([CENTRAL_WATCH_TASK_QUEUE]));
    }
  } finally {
    for (const w of running) w.shutdown();
    await Promise.all(runs);
  }
}, 180_000);
