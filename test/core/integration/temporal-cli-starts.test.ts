/**
 * Procedures started the way a new user of the Temporal CLI starts them (`temporal workflow
 * start --type ... --input ...`; the Web UI's start form sends the same request): unusual input
 * gets a clear refusal before any step, never a wrong turn.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { catalogEntries } from '../../../simulator/catalog-entries';
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

/** The command block the README marks as run by this test, exactly as written there. */
function readmeTemporalCliStart(): string {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  const marker = '<!-- run exactly as written by test/core/integration/temporal-cli-starts.test.ts -->';
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no block marked ${marker}`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at + marker.length));
  if (!block?.[1]) throw new Error('README.md: no sh block after the marker');
  return block[1];
}

test("the README's temporal CLI start runs as written: the catalog's workflow type, queue and example input complete the procedure", async () => {
  const command = readmeTemporalCliStart();
  const workflowId = /--workflow-id (\S+)/.exec(command)?.[1];
  expect(workflowId).toBe('spoc-group-london');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-readme-'));
  try {
    // What the README's jq line writes: the catalog's example input, here on the test fleet's inventory.
    const example = catalogEntries(testInventory()).find((e) => e.id === 'restart-group-without-cache-deletion')?.exampleInput;
    writeFileSync(path.join(folder, 'example.json'), JSON.stringify(example, null, 2));
    const fleet = estate.fleet();
    const output = await estate.withWorkers(fleet, async () => {
      const env = { PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`, HOME: folder, TEMPORAL_ADDRESS: estate.address, TEMPORAL_NAMESPACE: estate.temporal.namespace };
      await run('sh', ['-e', '-c', command], { cwd: folder, env });
      return (await estate.spoolflow.result(workflowId as string)) as { outcome: string; completedMembers: string[] };
    });
    expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'] });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}, 180_000);
