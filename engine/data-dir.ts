/**
 * Where spoolflow keeps its local state (the embedded Temporal server's SQLite file, its log).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project root: the nearest folder at or above this file's folder that contains a
 * `package.json`.
 *
 * Walking up (instead of using `process.cwd()`) keeps the data dir stable no matter which
 * folder a script or test is launched from.
 *
 * @throws if no `package.json` is found, which only happens when this file was copied out of
 *   the project.
 */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `spoolflow: no package.json found above ${__dirname}; run spoolflow from inside its project folder ` +
          'or set SPOOLFLOW_DATA_DIR to an absolute path.',
      );
    }
    dir = parent;
  }
}

/**
 * The folder for spoolflow's local state.
 *
 * `SPOOLFLOW_DATA_DIR` wins (resolved against the current directory if relative); otherwise
 * `<project root>/.spoolflow`. The folder is not created here: callers that write into it
 * create it, so that merely reading the setting has no side effects.
 *
 * @param env - the environment to read; defaults to `process.env`.
 * @returns an absolute path.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SPOOLFLOW_DATA_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(projectRoot(), '.spoolflow');
}
