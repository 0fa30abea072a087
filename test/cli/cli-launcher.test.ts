/**
 * cli/spoolflow.js runs the compiled CLI in dist/ only while that build is complete and not older
 * than any file it was compiled from; otherwise the TypeScript sources through tsx, so an edited
 * checkout (and every test that spawns the CLI) runs its current code. Proven on a small copy of
 * the launcher in a temporary project whose two entry points say which one ran.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { BUILD_DIR, BUILT_MAIN, STAMP_FILE } from '../../cli/build-freshness';
import { BUILD_DIR as SOURCE_DIR_BUILD_DIR, sourceDir } from '../../engine/source-dir';

const ROOT = path.join(__dirname, '..', '..');
let project: string;
let builtAt: number;

/** A project with the real launcher, a source entry point, a complete build and its stamp. */
function makeProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-launcher-'));
  mkdirSync(path.join(dir, 'cli'));
  mkdirSync(path.join(dir, BUILD_DIR, 'cli'), { recursive: true });
  for (const file of ['spoolflow.js', 'build-freshness.js']) copyFileSync(path.join(ROOT, 'cli', file), path.join(dir, 'cli', file));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "launcher-test", "private": true }\n');
  writeFileSync(path.join(dir, 'cli', 'main.ts'), "const ran: string = 'sources';\nprocess.stdout.write(ran);\n");
  writeFileSync(path.join(dir, BUILT_MAIN), "process.stdout.write('built');\n");
  return dir;
}

function writeStamp(sources: string[]): void {
  writeFileSync(path.join(project, BUILD_DIR, STAMP_FILE), JSON.stringify({ builtAt, sources }));
}

/** Sets a file's modification time `offsetMs` from the build's start. */
function changedAt(file: string, offsetMs: number): void {
  const when = new Date(builtAt + offsetMs);
  utimesSync(path.join(project, file), when, when);
}

function whichRan(): string {
  const result = spawnSync(process.execPath, [path.join(project, 'cli', 'spoolflow.js')], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

beforeEach(() => {
  project = makeProject();
  builtAt = Date.now() - 60_000;
  changedAt('cli/main.ts', -1000);
  writeStamp(['cli/main.ts']);
});

afterEach(() => rmSync(project, { recursive: true, force: true }));

test('runs the compiled CLI when no source changed since the build began', () => {
  expect(whichRan()).toBe('built');
});

test('runs the sources through tsx when a source changed after the build began', () => {
  changedAt('cli/main.ts', 1000);
  expect(whichRan()).toBe('sources');
});

test('the sources through tsx load a module on demand, as a command does with await import()', () => {
  writeFileSync(path.join(project, 'cli', 'on-demand.ts'), "export const ran: string = 'sources, on demand';\n");
  writeFileSync(path.join(project, 'cli', 'main.ts'), "void import('./on-demand').then((m) => process.stdout.write(m.ran));\n");
  expect(whichRan()).toBe('sources, on demand');
});

test('runs the compiled CLI in an installed package, which ships the build without the sources', () => {
  rmSync(path.join(project, 'cli', 'main.ts'));
  expect(whichRan()).toBe('built');
});

test('runs the sources when a file the build compiled is gone', () => {
  writeStamp(['cli/main.ts', 'cli/removed.ts']);
  expect(whichRan()).toBe('sources');
});

test('runs the sources when the build has no stamp (a build that did not finish)', () => {
  rmSync(path.join(project, BUILD_DIR, STAMP_FILE));
  expect(whichRan()).toBe('sources');
});

test('runs the sources when the stamp is there but the compiled entry point is not', () => {
  rmSync(path.join(project, BUILT_MAIN));
  expect(whichRan()).toBe('sources');
});

test('the launcher, the build and tsconfig.build.json name the same build folder', () => {
  const { config } = ts.readConfigFile(path.join(ROOT, 'tsconfig.build.json'), ts.sys.readFile) as { config: { compilerOptions: { outDir: string } } };
  expect(config.compilerOptions.outDir).toBe(BUILD_DIR);
  expect(SOURCE_DIR_BUILD_DIR).toBe(BUILD_DIR);
});

test('a compiled module finds the files beside its source (inventory, scripts, workflows) in the source folder', () => {
  const root = path.join(os.tmpdir(), 'project');
  expect(sourceDir(path.join(root, BUILD_DIR, 'simulator', 'spoc'), root)).toBe(path.join(root, 'simulator', 'spoc'));
  expect(sourceDir(path.join(root, 'simulator', 'spoc'), root)).toBe(path.join(root, 'simulator', 'spoc'));
  expect(sourceDir(path.join(root, `${BUILD_DIR}-old`, 'cli'), root)).toBe(path.join(root, `${BUILD_DIR}-old`, 'cli'));
});
