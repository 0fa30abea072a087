// `npm run build` (also `prepare`, so `npm install` runs it): compiles the CLI into dist/ with
// tsconfig.build.json, then writes the stamp cli/spoolflow.js checks before it runs dist/. Plain
// JavaScript run by node, so building needs nothing but typescript. A failed build exits non-zero
// and leaves no dist/ behind, so the launcher keeps running the sources.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BUILD_DIR, STAMP_FILE, BUILT_MAIN } = require('../cli/build-freshness');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, BUILD_DIR);
/** Files that change what tsc emits besides the sources themselves. */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The project's own tsc; missing when devDependencies were left out (`npm install --omit=dev`). */
function tscPath() {
  try {
    return require.resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('spoolflow build failed: typescript is not installed (a devDependency: run npm install without --omit=dev)\n');
    process.exit(1);
  }
}
const tsc = tscPath();

// Taken before tsc reads anything: a source saved during the build counts as newer than the build.
const builtAt = Date.now();
fs.rmSync(buildDir, { recursive: true, force: true });
/** tsc's own lines without the file list --listFiles adds: its errors. */
const withoutFileList = (out) => out.split('\n').filter((line) => !path.isAbsolute(line.trim())).join('\n');
let listed;
try {
  listed = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFiles'], { cwd: root, encoding: 'utf8' });
} catch (err) {
  fs.rmSync(buildDir, { recursive: true, force: true });
  process.stderr.write(`${withoutFileList(err.stdout ?? '')}${err.stderr ?? ''}spoolflow build failed: tsc -p tsconfig.build.json (see above); dist/ removed\n`);
  process.exit(1);
}
const sources = listed
  .split('\n')
  .map((line) => line.trim())
  .filter((file) => file !== '' && !file.split(/[\\/]/).includes('node_modules'))
  .map((file) => path.relative(root, file))
  .filter((file) => !file.startsWith('..'));
if (!fs.existsSync(path.join(root, BUILT_MAIN)) || sources.length === 0) {
  fs.rmSync(buildDir, { recursive: true, force: true });
  process.stderr.write(`spoolflow build failed: tsc wrote no ${BUILT_MAIN}; dist/ removed\n`);
  process.exit(1);
}
// The static SVG charts, laid out now rather than on every `spoolflow chart <id> --svg` (dagre takes
// seconds for the large machines): dist/charts/, named by a hash of each machine's chart graph.
async function writeCharts() {
  const { PROCEDURES } = require(path.join(buildDir, 'machines', 'catalog.js'));
  const { writeChartCache } = require(path.join(buildDir, 'client', 'chart-cache.js'));
  await writeChartCache(PROCEDURES.map((p) => p.machine));
}

// The stamp last: a build without its charts is no build (the launcher then runs the sources).
writeCharts().then(
  () => fs.writeFileSync(path.join(buildDir, STAMP_FILE), `${JSON.stringify({ builtAt, sources: [...SETTINGS, ...sources] }, null, 2)}\n`),
  (err) => {
    fs.rmSync(buildDir, { recursive: true, force: true });
    process.stderr.write(`spoolflow build failed: laying out the state charts: ${err && err.stack ? err.stack : err}; dist/ removed\n`);
    process.exit(1);
  },
);
