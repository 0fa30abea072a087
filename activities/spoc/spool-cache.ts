/**
 * Deleting the SPOC's spool cache, `<install_dir>\SPOC\SpoolCache`, and nothing else. The install
 * folder is validated with win32 path semantics before anything is touched: it must be an absolute
 * path on a drive (not a share), not a drive root, without `..`; it must exist, contain the SPOC
 * folder, and no folder on the way to the cache may be a link or junction (deleting through one
 * would delete somewhere else). Deleting a cache that is already gone is not an error.
 *
 * A cache can hold a great many files. They are deleted asynchronously, a bounded batch at a time,
 * so the agent's event loop (its other activities, its polling, its heartbeats) keeps running
 * while the disk works, and the caller hears of the progress after every batch.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { installFolderProblem, spoolCacheFolderOf } from '../../machines/spoc/install-folder';

/** The install folder or the cache is not what it must be; nothing was deleted. Not retryable. */
export class UnsafeCachePathError extends Error {
  override readonly name = 'UnsafeCachePathError';
}

/** The cache folder of an install folder, or an UnsafeCachePathError saying what is wrong. */
export function spoolCachePathOf(installDir: string): string {
  // The same rule the input schemas apply (machines/spoc/install-folder.ts), so input and deletion agree.
  const problem = installFolderProblem(installDir);
  if (problem !== undefined) throw new UnsafeCachePathError(problem);
  return spoolCacheFolderOf(installDir);
}

/** How many entries of one folder are removed at once: enough to keep the disk busy, few enough to stay responsive. */
export const DELETION_BATCH = 64;

export interface DeleteSpoolCacheOptions {
  /**
   * Told how many entries (files, links, folders) were removed so far, after every batch. It may
   * throw to stop the deletion (the step's time is up, the activity was cancelled); what was
   * removed stays removed, and deleting again goes on with the rest.
   */
  onProgress?: (removed: number) => void;
}

export interface SpoolCacheDeletion {
  deleted: boolean;
  /** The cache folder, as a Windows path. */
  path: string;
  /** Entries removed, the cache folder itself included. */
  removed: number;
}

/**
 * Deletes the spool cache of `installDir`. `localPath` maps a Windows path to this machine's file
 * system (identity on the site server itself, the host's folder in the simulator).
 */
export async function deleteSpoolCache(
  installDir: string,
  localPath: (windowsPath: string) => string,
  options: DeleteSpoolCacheOptions = {},
): Promise<SpoolCacheDeletion> {
  const cache = spoolCachePathOf(installDir);
  const spocDir = path.win32.dirname(cache);
  const install = path.win32.dirname(spocDir);
  for (const [folder, what] of [
    [install, 'the install folder'],
    [spocDir, 'the SPOC folder'],
  ] as const) {
    const stat = await lstatOrUndefined(localPath(folder));
    if (!stat) throw new UnsafeCachePathError(`${what} ${folder} does not exist: is "${installDir}" the Dispatcher Paragon install folder of this host?`);
    if (stat.isSymbolicLink()) throw new UnsafeCachePathError(`${what} ${folder} is a link or junction; refusing to delete through it`);
    if (!stat.isDirectory()) throw new UnsafeCachePathError(`${what} ${folder} is not a folder`);
  }
  const cacheStat = await lstatOrUndefined(localPath(cache));
  if (!cacheStat) return { deleted: false, path: cache, removed: 0 };
  if (cacheStat.isSymbolicLink()) throw new UnsafeCachePathError(`${cache} is a link or junction; refusing to delete what it points to`);
  if (!cacheStat.isDirectory()) throw new UnsafeCachePathError(`${cache} is not a folder`);
  const progress = { removed: 0 };
  await removeFolder(localPath(cache), progress, options.onProgress ?? (() => undefined));
  return { deleted: true, path: cache, removed: progress.removed };
}

/**
 * Removes a folder and everything in it, depth first. Every entry is looked at with lstat, so a
 * link or junction inside the cache is removed as a link and what it points to is never touched.
 */
async function removeFolder(folder: string, progress: { removed: number }, onProgress: (removed: number) => void): Promise<void> {
  // Some file systems skip entries of a folder that changes while it is read: read it again
  // until it is empty, as long as each pass removes something.
  for (;;) {
    const before = progress.removed;
    await removeContents(folder, progress, onProgress);
    try {
      if (await ignoringGone(() => fs.rmdir(folder))) {
        progress.removed += 1;
        onProgress(progress.removed);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || progress.removed === before) throw err;
    }
  }
}

/** One pass over a folder: its files and links a batch at a time, then its subfolders. */
async function removeContents(folder: string, progress: { removed: number }, onProgress: (removed: number) => void): Promise<void> {
  const subfolders: string[] = [];
  let batch: string[] = [];
  const flush = async () => {
    const removed = await Promise.all(batch.map((entry) => removeEntry(entry, subfolders)));
    progress.removed += removed.filter(Boolean).length;
    batch = [];
    onProgress(progress.removed);
  };
  const dir = await openFolder(folder);
  if (dir) {
    // The iterator closes the folder when the loop ends, also when onProgress throws.
    for await (const entry of dir) {
      batch.push(path.join(folder, entry.name));
      if (batch.length >= DELETION_BATCH) await flush();
    }
  }
  if (batch.length > 0) await flush();
  for (const subfolder of subfolders) await removeFolder(subfolder, progress, onProgress);
}

/** Removes a file or a link; a real folder is put on `subfolders` for later. True when something was removed now. */
async function removeEntry(entry: string, subfolders: string[]): Promise<boolean> {
  const stat = await lstatOrUndefined(entry);
  if (!stat) return false;
  if (stat.isDirectory() && !stat.isSymbolicLink()) {
    subfolders.push(entry);
    return false;
  }
  return ignoringGone(async () => {
    try {
      await fs.unlink(entry);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Windows: a link to a folder (or a junction) is removed with rmdir, which removes the link
      // only; a read-only file must be made writable before it can be deleted.
      if (stat.isSymbolicLink() && (code === 'EPERM' || code === 'EISDIR')) await fs.rmdir(entry);
      else if (code === 'EPERM' || code === 'EACCES') {
        await fs.chmod(entry, 0o666);
        await fs.unlink(entry);
      } else throw err;
    }
  });
}

async function openFolder(folder: string) {
  try {
    return await fs.opendir(folder, { bufferSize: DELETION_BATCH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Runs a removal; an entry that is gone already counts as not removed now, not as an error. */
async function ignoringGone(remove: () => Promise<void>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
