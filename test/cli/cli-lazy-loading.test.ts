/**
 * Every `spoolflow` command answers in under half a second (`npm run bench`, section 4) because
 * registering the commands loads almost nothing: each action loads the Temporal client, the catalog's
 * machines and schemas or the simulator when it runs. These tests look at what a fresh process
 * has loaded, so a new top-level import of something heavy fails here rather than slowing every
 * command unnoticed.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** The files a fresh process has loaded after `script`, relative to the project (node_modules may be a link elsewhere). */
function loadedAfter(script: string): string[] {
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((file) => path.relative(ROOT, file).split(path.sep).join('/'));
}

const HEAVY = [/node_modules\/@temporalio\//, /node_modules\/zod\//, /node_modules\/xstate\//, /node_modules\/dagre\//, /^machines\/catalog\.ts$/, /^simulator\//];
const heavyIn = (files: string[]) => files.filter((file) => HEAVY.some((pattern) => pattern.test(file)));

test('building the program and the exit codes loads no Temporal client, zod, xstate, catalog or simulator', () => {
  expect(heavyIn(loadedAfter("require('./cli/program').buildProgram(); require('./cli/exit-codes')"))).toEqual([]);
});

test('the typed client loads the catalog and zod only when it starts a procedure or sends a command (a status needs neither)', () => {
  const files = loadedAfter("require('./client/spoolflow-client'); require('./client/connect')");
  expect(files.some((file) => /node_modules\/@temporalio\/client\//.test(file))).toBe(true);
  expect(files.filter((file) => /^machines\/(catalog\.ts|spoc\/|jobscheduler\/)/.test(file) || /node_modules\/zod\//.test(file))).toEqual([]);
});
