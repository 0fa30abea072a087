// Whether the compiled CLI in dist/ may run: it exists and none of the files it was compiled from
// (listed by the build in its stamp) changed since the build began. Plain JavaScript, because the
// launcher reads it before anything can compile TypeScript. Costs one small JSON read and one
// stat per source file: a few milliseconds.
const fs = require('node:fs');
const path = require('node:path');

/** The folder tsconfig.build.json compiles into (its outDir), relative to the project root. */
const BUILD_DIR = 'dist';
/** Written last by scripts/build-cli.js: when the build began and the files it compiled. */
const STAMP_FILE = 'build-stamp.json';
/** The compiled entry point, relative to the project root. */
const BUILT_MAIN = path.join(BUILD_DIR, 'cli', 'main.js');
/** The source entry point: missing in an installed package (package.json `files` ships the build only). */
const SOURCE_MAIN = path.join('cli', 'main.ts');

/** Milliseconds since the epoch a file last changed, or Infinity when it is gone (a build must not outlive its sources). */
function changedAt(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * The compiled CLI's entry point under `root`, or undefined when there is no complete build or a
 * source it was compiled from changed after the build began (then the caller runs the sources).
 * Without sources at all (the package installed into another project) the build is all there is.
 */
function freshBuildMain(root) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(root, BUILD_DIR, STAMP_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof stamp.builtAt !== 'number' || !Array.isArray(stamp.sources)) return undefined;
  const main = path.join(root, BUILT_MAIN);
  if (!fs.existsSync(main)) return undefined;
  if (!fs.existsSync(path.join(root, SOURCE_MAIN))) return main;
  for (const source of stamp.sources) {
    if (changedAt(path.join(root, source)) > stamp.builtAt) return undefined;
  }
  return main;
}

module.exports = { BUILD_DIR, STAMP_FILE, BUILT_MAIN, freshBuildMain };
