/**
 * Procedures started the way a new user of the Temporal CLI starts them (`temporal workflow
 * start --type ... --input ...`; the Web UI's start form sends the same request): unusual input
 * gets a clear refusal before any step, never a wrong turn.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { resolveTemporalCli } from '../../../engine/temporal-cli';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const run = promisify(execFile);

const estate = useSimulatedEstate();
let cli: string;
beforeAll(async () => {
  cli = (await resolveTemporalCli({ allowBuild: false, log: () => undefined })).path;
});

/** `temporal workflow start` with one `--input` per argument, as a user types it. */
async function startWithTemporalCli(type: string, workflowId: string, args: unknown[]): Promise<void> {
  const inputs = args.flatMap((a) => ['--input', JSON.stringify(a)]);
  await run(cli, ['workflow', 'start', '--address', estate.address, '--namespace', estate.temporal.namespace, '--task-queue', 'spoolflow-central', '--type', type, '--workflow-id', workflowId, ...inputs]);
}

function london() {
  return groupRestartExample(testInventory(), 'london');
}

test('a misspelled wait key is refused naming the key, before any step', async () => {
  const fleet = estate.fleet();
  const workflowId = `cli-typo-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    const input = { ...london(), waits: { ...london().waits, betweenStartSeconds: 600 } };
    await startWithTemporalCli('restartGroupWithCacheDeletion', workflowId, [input]);
    const refused = await estate.failureOf(workflowId);
    expect(refused.type).toBe('InvalidInputError');
    expect(refused.message).toMatch(/waits.*betweenStartSeconds/);
  });
  expect(fleet.record.read()).toEqual([]);
});

test('a second argument (a crafted resume state) is refused before any step', async () => {
  const fleet = estate.fleet();
  const workflowId = `cli-resume-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    const crafted = { value: 'deleteCaches', context: {}, pendingEffects: [{ step: 'x', title: 'x', action: 'delete-cache', host: 'spoc-lon-1', installDir: 'C:\\DP' }], timers: [], path: [], stepsTaken: 0 };
    await startWithTemporalCli('restartGroupWithCacheDeletion', workflowId, [london(), crafted]);
    expect((await estate.failureOf(workflowId)).type).toBe('InvalidResumeStateError');
  });
  expect(fleet.record.read()).toEqual([]);
});

test('a second procedure on a group in use, started with another workflow id, is refused naming the holder', async () => {
  const fleet = estate.fleet();
  fleet.host('spoc-lon-1').setFaults({ neverOnline: true });
  const first = `cli-first-${randomUUID()}`;
  const second = `cli-second-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', { ...london(), waits: { ...london().waits, onlineTimeoutSeconds: 5 } }, { workflowId: first });
    await estate.halted(first, 90_000);
    const before = fleet.record.read().length;
    await startWithTemporalCli('restartGroupWithCacheDeletion', second, [{ ...london(), group: 'LONDON' }]);
    const refused = await estate.failureOf(second);
    expect(refused.type).toBe('LeaseHeldError');
    expect(refused.message).toContain(`SPOC group london is held by ${first}`);
    expect(fleet.record.read().length).toBe(before);
    fleet.host('spoc-lon-1').setFaults({});
    await estate.spoolflow.command(first, { type: 'operator.abort' });
    await estate.spoolflow.result(first);
  });
});
