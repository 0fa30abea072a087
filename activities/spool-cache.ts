/**
 * Deleting the SPOC's spool cache, `<install_dir>\SPOC\SpoolCache`, and nothing else. The install
 * folder is validated with win32 path semantics before anything is touched: it must be an absolute
 * path on a drive (not a share), not a drive root, without `..`; it must exist, contain the SPOC
 * folder, and no folder on the way to the cache may be a link or junction (deleting through one
 * would delete somewhere else). Deleting a cache that is already gone is not an error.
 */
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';
import { installFolderProblem, spoolCacheFolderOf } from '../machines/install-folder';

export class UnsafeCachePathError extends Error {
  override readonly name = 'UnsafeCachePathError';
}

/** The cache folder of an install folder, or an UnsafeCachePathError saying what is wrong. */
export function spoolCachePathOf(installDir: string): string {
  // The same rule the input schemas apply (machines/install-folder.ts), so input and deletion agree.
  const problem = installFolderProblem(installDir);
  if (problem !== undefined) throw new UnsafeCachePathError(problem);
  return spoolCacheFolderOf(installDir);
}

/**
 * Deletes the spool cache of `installDir`. `localPath` maps a Windows path to this machine's file
 * system (identity on the site server itself, the host's folder in the simulator).
 */
export function deleteSpoolCache(installDir: string, localPath: (windowsPath: string) => string): { deleted: boolean; path: string } {
  const cache = spoolCachePathOf(installDir);
  const spocDir = path.win32.dirname(cache);
  const install = path.win32.dirname(spocDir);
  for (const [folder, what] of [
    [install, 'the install folder'],
    [spocDir, 'the SPOC folder'],
  ] as const) {
    const stat = lstatOrUndefined(localPath(folder));
    if (!stat) throw new UnsafeCachePathError(`${what} ${folder} does not exist: is "${installDir}" the Dispatcher Paragon install folder of this host?`);
    if (stat.isSymbolicLink()) throw new UnsafeCachePathError(`${what} ${folder} is a link or junction; refusing to delete through it`);
    if (!stat.isDirectory()) throw new UnsafeCachePathError(`${what} ${folder} is not a folder`);
  }
  const cacheStat = lstatOrUndefined(localPath(cache));
  if (!cacheStat) return { deleted: false, path: cache };
  if (cacheStat.isSymbolicLink()) throw new UnsafeCachePathError(`${cache} is a link or junction; refusing to delete what it points to`);
  if (!cacheStat.isDirectory()) throw new UnsafeCachePathError(`${cache} is not a folder`);
  // rmSync removes links found inside the cache as links; it never follows them.
  rmSync(localPath(cache), { recursive: true, force: true });
  return { deleted: true, path: cache };
}

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
