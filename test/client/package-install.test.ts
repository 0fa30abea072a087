/**
 * The typed client as a package another TypeScript project installs. `npm pack` of this project;
 * then a small project in a temporary folder with the tarball unpacked where npm puts it
 * (node_modules/spoolflow) and spoolflow's declared dependencies linked from this project's
 * node_modules: offline, no registry (a CI machine's npm cache holds the tarballs of `npm install`
 * but not the registry documents `npm install <tarball> --offline` needs). tsc type-checks a
 * consumer and an example against the package's declarations; node runs the consumer, which starts
 * a procedure through the package against a real dev server and follows it until it is done.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshBuildMain } from '../../cli/build-freshness';
import { groupRestartExample } from '../../simulator/example-inputs';
import { useSimulatedEstate } from '../helpers/integration-estate';
import { testInventory } from '../helpers/sim-fleet';

const ROOT = path.join(__dirname, '..', '..');
const estate = useSimulatedEstate();
let dir: string;
let consumer: string;

const CONSUMER_SOURCE = `import { readFileSync } from 'node:fs';
import { connectClient, SpoolflowClient, type ProcedureInput, type ProcedureStatus } from 'spoolflow/client';

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ProcedureInput<'restart-group-without-cache-deletion'>;
  const { client, close } = await connectClient();
  try {
    const spoolflow = new SpoolflowClient(client);
    const { workflowId } = await spoolflow.start('restart-group-without-cache-deletion', input, { workflowId: process.argv[3] as string });
    const status: ProcedureStatus = await spoolflow.follow(workflowId, { intervalMs: 200, onChange: (s) => process.stdout.write(\`\${s.status} \${s.step}\\n\`) });
    process.stdout.write(JSON.stringify({ workflowId, status: status.status, steps: status.stepsTaken }));
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exitCode = 1;
});
`;

/** The project as npm would install it from the tarball, its dependencies linked. */
function installPackage(tarball: string): void {
  const installed = path.join(consumer, 'node_modules', 'spoolflow');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const { dependencies } = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dependency of Object.keys(dependencies)) {
    mkdirSync(path.dirname(path.join(consumer, 'node_modules', dependency)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', dependency), path.join(consumer, 'node_modules', dependency));
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-package-'));
  consumer = path.join(dir, 'consumer');
  mkdirSync(path.join(consumer, 'examples'), { recursive: true });
  // What `npm install` (prepare) built; built here when a source changed since.
  if (freshBuildMain(ROOT) === undefined) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.js')], { cwd: ROOT });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  installPackage(path.join(dir, (packed[0] as { filename: string }).filename));
  writeFileSync(path.join(consumer, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
  writeFileSync(
    path.join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, outDir: 'dist', rootDir: '.', types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
      include: ['*.ts', 'examples/*.ts'],
    }),
  );
  writeFileSync(path.join(consumer, 'start.ts'), CONSUMER_SOURCE);
  for (const example of ['run-procedure.ts', 'restart-group-without-cache-deletion.ts']) copyFileSync(path.join(ROOT, 'examples', example), path.join(consumer, 'examples', example));
}, 300_000); // a build when a source changed since `npm install`, and npm pack: slow on a loaded machine

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('npm pack ships the built client with its declarations, and no sources', () => {
  const installed = path.join(consumer, 'node_modules', 'spoolflow');
  expect(() => readFileSync(path.join(installed, 'dist', 'client', 'index.d.ts'))).not.toThrow();
  expect(() => readFileSync(path.join(installed, 'dist', 'client', 'index.js'))).not.toThrow();
  expect(() => readFileSync(path.join(installed, 'client', 'spoolflow-client.ts'))).toThrow();
});

test('another project type-checks against spoolflow/client and starts a procedure through it that runs to the end', async () => {
  // Type-checked and compiled with this project's tsc, against the installed package's declarations.
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { cwd: consumer, encoding: 'utf8' });
  expect(tsc.stdout).toBe('');
  expect(tsc.status).toBe(0);
  const input = groupRestartExample(testInventory(), 'london');
  const inputFile = path.join(dir, 'input.json');
  writeFileSync(inputFile, JSON.stringify({ ...input, waits: { ...input.waits, convergenceSeconds: 1 } }));
  const workflowId = `package-${randomUUID()}`;
  // The result is awaited while the workers still run: \`follow\` ends when the status says done,
  // and the run itself may still have its last workflow task (the leases' release) to take.
  const { run, result } = await estate.withWorkers(estate.fleet(), async () => {
    const run = await runNode(path.join(consumer, 'dist', 'start.js'), [inputFile, workflowId]);
    return { run, result: run.code === 0 ? await estate.spoolflow.result(workflowId) : undefined };
  });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  // One line per status change, then how it ended.
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^(running|waiting) /);
  expect(JSON.parse(lines[lines.length - 1] as string)).toMatchObject({ workflowId, status: 'done' });
  expect(result).toMatchObject({ outcome: 'completed' });
}, 300_000);

/** node <file> <args> in the consumer project, against this file's server; asynchronous, so the workers in this process go on. */
function runNode(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: consumer, env: { ...process.env, TEMPORAL_ADDRESS: estate.address, TEMPORAL_NAMESPACE: estate.temporal.namespace }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A consumer that never ends fails the test with what it printed, before jest's timeout.
    const timer = setTimeout(() => child.kill(), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
