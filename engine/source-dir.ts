/**
 * The CLI also runs compiled (`npm run build` writes `dist/`, cli/spoolflow.js prefers it when it
 * is fresh). Files a module finds next to itself at run time (a JSON inventory, a script a child
 * process runs with tsx, the workflow sources the Temporal bundler compiles) are not in `dist/`:
 * tsc copies only what is imported. `sourceDir(__dirname)` names the folder those files are in,
 * whichever way the module runs.
 */
import * as path from 'node:path';
import { projectRoot } from './data-dir';

/** The folder tsconfig.build.json compiles into, relative to the project root. */
export const BUILD_DIR = 'dist';

/**
 * The source folder of a module's folder: `<root>/dist/simulator/spoc` becomes
 * `<root>/simulator/spoc`; a folder outside `dist/` is returned as it is.
 */
export function sourceDir(moduleDir: string, root: string = projectRoot()): string {
  const inBuild = path.relative(path.join(root, BUILD_DIR), moduleDir);
  if (inBuild === '' || inBuild.startsWith('..') || path.isAbsolute(inBuild)) return moduleDir;
  return path.join(root, inBuild);
}
