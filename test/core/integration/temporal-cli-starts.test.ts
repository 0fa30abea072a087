/**
 * Procedures started the way a new user of the Temporal CLI starts them (`temporal workflow
 * start --type ... --input ...`; the Web UI's start form sends the same request): unusual input
 * gets a clear refusal before any step, never a wrong turn.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { SpoolflowClient } from '../../../client/spoolflow-client';
import { resolveTemporalCli } from '../../../engine/temporal-cli';
import { failureOf as readFailure, waitForStatus } from '../../helpers/procedure-status';
import { createTestFleet, testInventory, withWorkers } from '../../helpers/sim-fleet';
import { startTestTemporal, TestTemporal } from '../../helpers/temporal-server';

const run = promisify(execFile);

let temporal: TestTemporal;
let cli: string;
beforeAll(async () => {
  temporal = await startTestTemporal();
  cli = (await resolveTemporalCli({ allowBuild: false, log: () => undefined })).path;
});
afterAll(async () => {
  await temporal?.close();
});

/** `temporal workflow start` with one `--input` per argument, as a user types it. */
async function startWithTemporalCli(type: string, workflowId: string, args: unknown[]): Promise<void> {
  const inputs = args.flatMap((a) => ['--input', JSON.stringify(a)]);
  await run(cli, ['workflow', 'start', '--address', temporal.server.address, '--namespace', temporal.namespace, '--task-queue', 'spoolflow-central', '--type', type, '--workflow-id', workflowId, ...inputs]);
}

const failureOf = (workflowId: string) => readFailure(temporal.client, workflowId);

function london() {
  return groupRestartExample(testInventory(), 'london');
}

test('a misspelled wait key is refused naming the key, before any step', async () => {
  const fleet = createTestFleet();
  const workflowId = `cli-typo-${randomUUID()}`;
  await withWorkers(temporal, fleet, async () => {
    const input = { ...london(), waits: { ...london().waits, betweenStartSeconds: 600 } };
    await startWithTemporalCli('restartGroupWithCacheDeletion', workflowId, [input]);
    const refused = await failureOf(workflowId);
    expect(refused.type).toBe('InvalidInputError');
    expect(refused.message).toMatch(/waits.*betweenStartSeconds/);
  });
  expect(fleet.record.read()).toEqual([]);
  fleet.stop();
});

test('a second argument (a crafted resume state) is refused before any step', async () => {
  const fleet = createTestFleet();
  const workflowId = `cli-resume-${randomUUID()}`;
  await withWorkers(temporal, fleet, async () => {
    const crafted = { value: 'deleteCaches', context: {}, pendingEffects: [{ step: 'x', title: 'x', action: 'delete-cache', host: 'spoc-lon-1', installDir: 'C:\\DP' }], timers: [], path: [], stepsTaken: 0 };
    await startWithTemporalCli('restartGroupWithCacheDeletion', workflowId, [london(), crafted]);
    expect((await failureOf(workflowId)).type).toBe('InvalidResumeStateError');
  });
  expect(fleet.record.read()).toEqual([]);
  fleet.stop();
});

test('a second procedure on a group in use, started with another workflow id, is refused naming the holder', async () => {
  const fleet = createTestFleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const spoolflow = new SpoolflowClient(temporal.client);
  const first = `cli-first-${randomUUID()}`;
  const second = `cli-second-${randomUUID()}`;
  await withWorkers(temporal, fleet, async () => {
    await spoolflow.start('restart-group-without-cache-deletion', { ...london(), waits: { ...london().waits, onlineTimeoutSeconds: 5 } }, { workflowId: first });
    await waitForStatus(temporal.client, first, (s) => s.status === 'halted', 90_000);
    const before = fleet.record.read().length;
    await startWithTemporalCli('restartGroupWithCacheDeletion', second, [{ ...london(), group: 'LONDON' }]);
    const refused = await failureOf(second);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain(`SPOC group london is held by ${first}`);
    expect(fleet.record.read().length).toBe(before);
    fleet.host('spoc-lon-1').setFaults({});
    await spoolflow.command(first, { type: 'operator.abort' });
    await spoolflow.result(first);
  });
  fleet.stop();
});
