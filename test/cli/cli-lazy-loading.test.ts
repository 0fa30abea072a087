/**
 * Every `spoolflow` command answers in under half a second (`npm run bench`, section 4) because
 * registering the commands loads almost nothing: each action loads the Temporal client, the catalog's
 * machines and schemas or the simulator when it runs. These tests look at what a fresh process
 * has loaded, so a new top-level import of something heavy fails here rather than slowing every
 * command unnoticed. The procedure workflows load one procedure's modules the same way.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The files a fresh process has loaded after `script` (awaited: it may `await`), relative to the
 * project (node_modules may be a link elsewhere). tsx whole, as the launcher runs the sources: the
 * actions' `await import()` goes through Node's ESM loader.
 */
function loadedAfter(script: string): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', `(async () => { ${script}; })().then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))))`], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((file) => path.relative(ROOT, file).split(path.sep).join('/'));
}

const HEAVY = [/node_modules\/@temporalio\//, /node_modules\/zod\//, /node_modules\/xstate\//, /node_modules\/dagre\//, /^machines\/catalog\.ts$/, /^simulator\//];
const heavyIn = (files: string[]) => files.filter((file) => HEAVY.some((pattern) => pattern.test(file)));

test('building the program and the exit codes loads no Temporal client, zod, xstate, catalog or simulator', () => {
  expect(heavyIn(loadedAfter("require('./cli/program').buildProgram(); require('./cli/exit-codes')"))).toEqual([]);
});

test('the typed client loads zod and schemas only when it starts a procedure or sends a command (a status needs neither)', () => {
  const files = loadedAfter("require('./client/spoolflow-client'); require('./client/connect')");
  expect(files.some((file) => /node_modules\/@temporalio\/client\//.test(file))).toBe(true);
  expect(files.filter((file) => /^machines\/(catalog\.ts|spoc\/|jobscheduler\/)/.test(file) || /node_modules\/zod\//.test(file))).toEqual([]);
});

/** A procedure's machine file (what the catalog imports besides schemas), e.g. machines/spoc/restart-group-with-cache-deletion.ts. */
const MACHINE_FILES = /^machines\/(spoc\/(restart-|create-group-|add-spoc-|remove-spoc-|move-spoc-|ip-address-)|jobscheduler\/(passive-cluster-supervisor|active-cluster-supervisor|set-cluster-option)\.ts|flexispooler\/job-delivery\.ts)/;

test("start's validation loads its procedure's input schema and no machine: not the catalog, not xstate", () => {
  const files = loadedAfter("const input = JSON.parse(require('node:fs').readFileSync('simulator/spoc/default-inventory.json', 'utf8')); await require('./client/procedure-modules').validateStartInput('restart-group-without-cache-deletion', input).catch(() => undefined)");
  expect(files).toContain('machines/spoc/spoc-group-input.ts');
  expect(heavyIn(files).filter((file) => !/node_modules\/zod\//.test(file))).toEqual([]);
  expect(files.filter((file) => MACHINE_FILES.test(file) || /^machines\/startable\.ts$/.test(file))).toEqual([]);
});

test('list checks --procedure against the startable ids alone: no catalog, machine or schema', () => {
  const files = loadedAfter("require('./cli/list-procedures').listQuery({ procedure: 'fleet-rollout' })");
  expect(files).toContain('machines/startable-ids.ts');
  // The search attributes' keys come from @temporalio/common, which listing loads with the client anyway.
  expect(heavyIn(files).filter((file) => !/node_modules\/@temporalio\//.test(file))).toEqual([]);
  expect(files.filter((file) => /^machines\/(startable\.ts|procedure-starts\.ts|fleet\/)/.test(file) || MACHINE_FILES.test(file))).toEqual([]);
});

test("watch plans the steps to come with its procedure's machine alone, not the catalog's every one", () => {
  const files = loadedAfter("await require('./client/procedure-modules').procedureMachine('set-cluster-option')");
  expect(files).toContain('machines/jobscheduler/set-cluster-option.ts');
  expect(files.filter((file) => /^machines\/catalog\.ts$/.test(file) || (MACHINE_FILES.test(file) && file !== 'machines/jobscheduler/set-cluster-option.ts'))).toEqual([]);
});

test("a procedure workflow loads its own machine, input schema and summary, not the catalog's every one", () => {
  // What runProcedure (workflows/procedure-workflow.ts) asks for: the worker evaluates the modules again for every workflow.
  const files = loadedAfter("require('./machines/procedure-modules').procedureDefinition('restart-group-without-cache-deletion')");
  expect(files).toEqual(expect.arrayContaining(['machines/spoc/restart-group-without-cache-deletion.ts', 'machines/spoc/spoc-group-input.ts', 'machines/spoc/spoc-summaries.ts']));
  expect(files.filter((file) => /^machines\/(catalog|startable)\.ts$/.test(file) || (MACHINE_FILES.test(file) && file !== 'machines/spoc/restart-group-without-cache-deletion.ts'))).toEqual([]);
});
