/**
 * Cache deletion removes only `<install_dir>\SPOC\SpoolCache`, after validating the install
 * folder with win32 path semantics, and refuses anything that could delete somewhere else. It
 * deletes asynchronously, a batch at a time, so the agent stays responsive on a large cache.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DELETION_BATCH, deleteSpoolCache, spoolCachePathOf, UnsafeCachePathError } from '../../../activities/spoc/spool-cache';
import { localPathOf } from '../../../simulator/windows/sim-host-files';

const INSTALL = 'C:\\Program Files\\Dispatcher Paragon';

function host() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'spool-cache-'));
  const local = (win: string) => localPathOf(root, win);
  mkdirSync(local(`${INSTALL}\\SPOC\\SpoolCache`), { recursive: true });
  mkdirSync(local(`${INSTALL}\\SPOC\\logs`), { recursive: true });
  writeFileSync(local(`${INSTALL}\\SPOC\\SpoolCache\\job-1.spl`), 'job');
  writeFileSync(local(`${INSTALL}\\SPOC\\logs\\spoc.log`), 'log');
  return { root, local };
}

test('deletes the SpoolCache folder and leaves the rest of the install folder alone', async () => {
  const { local } = host();
  expect(await deleteSpoolCache(INSTALL, local)).toEqual({ deleted: true, path: `${INSTALL}\\SPOC\\SpoolCache`, removed: 2 });
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache`))).toBe(false);
  expect(readdirSync(local(`${INSTALL}\\SPOC`))).toEqual(['logs']);
});

test('deleting a cache that is already gone is not an error (a retried step does no harm)', async () => {
  const { local } = host();
  await deleteSpoolCache(INSTALL, local);
  expect(await deleteSpoolCache(INSTALL, local)).toEqual({ deleted: false, path: `${INSTALL}\\SPOC\\SpoolCache`, removed: 0 });
});

test('accepts forward slashes and a trailing separator, as Windows does', () => {
  expect(spoolCachePathOf('C:/Program Files/Dispatcher Paragon/')).toBe(`${INSTALL}\\SPOC\\SpoolCache`);
});

test.each([
  ['', /empty/],
  ['   ', /empty/],
  ['Dispatcher Paragon', /absolute path with a drive letter/],
  ['\\Program Files\\Dispatcher Paragon', /absolute path with a drive letter/],
  ['C:', /absolute path with a drive letter/],
  ['C:\\', /drive root/],
  ['D:/', /drive root/],
  ['C:\\Program Files\\..\\Windows', /contains "\.\."/],
  ['C:\\DP\\..', /contains "\.\."/],
  ['\\\\fileserver\\share\\DP', /network path/],
])('refuses the install folder %j', (installDir, message) => {
  expect(() => spoolCachePathOf(installDir)).toThrow(UnsafeCachePathError);
  expect(() => spoolCachePathOf(installDir)).toThrow(message);
});

test('refuses an install folder without a SPOC folder: it is not a Dispatcher Paragon install', async () => {
  const { local } = host();
  mkdirSync(local('C:\\Other'), { recursive: true });
  await expect(deleteSpoolCache('C:\\Other', local)).rejects.toThrow(/SPOC folder C:\\Other\\SPOC does not exist/);
});

test('refuses a cache folder that is a link, and deletes nothing it points to', async () => {
  const { local } = host();
  const elsewhere = local('D:\\Important');
  mkdirSync(elsewhere, { recursive: true });
  writeFileSync(path.join(elsewhere, 'keep.txt'), 'keep');
  const cache = local(`${INSTALL}\\SPOC\\SpoolCache`);
  rmSync(cache, { recursive: true });
  symlinkSync(elsewhere, cache, 'dir');
  await expect(deleteSpoolCache(INSTALL, local)).rejects.toThrow(UnsafeCachePathError);
  await expect(deleteSpoolCache(INSTALL, local)).rejects.toThrow(/is a link or junction/);
  expect(readdirSync(elsewhere)).toEqual(['keep.txt']);
});

test('refuses an install folder reached through a link', async () => {
  const { local } = host();
  symlinkSync(local(INSTALL), local('C:\\Linked'), 'dir');
  await expect(deleteSpoolCache('C:\\Linked', local)).rejects.toThrow(/install folder C:\\Linked is a link or junction/);
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache\\job-1.spl`))).toBe(true);
});

/** A cache of `folders` folders of `files` files each, plus a file at the top. */
function largeCache(local: (win: string) => string, folders: number, files: number): number {
  const cache = local(`${INSTALL}\\SPOC\\SpoolCache`);
  for (let f = 0; f < folders; f += 1) {
    const folder = path.join(cache, `queue-${f}`);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < files; i += 1) writeFileSync(path.join(folder, `job-${i}.spl`), 'x');
  }
  // job-1.spl at the top, the folders, their files, and the cache folder itself.
  return 1 + folders + folders * files + 1;
}

test('a cache of many files is deleted without blocking the event loop, reporting progress batch by batch', async () => {
  const { local } = host();
  const entries = largeCache(local, 20, 200);
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 0);
  const progress: number[] = [];
  try {
    const result = await deleteSpoolCache(INSTALL, local, { onProgress: (removed) => progress.push(removed) });
    expect(result).toEqual({ deleted: true, path: `${INSTALL}\\SPOC\\SpoolCache`, removed: entries });
  } finally {
    clearInterval(timer);
  }
  // A timer kept firing while the files were deleted: nothing held the event loop for the whole time.
  expect(ticks).toBeGreaterThan(10);
  expect(progress.length).toBeGreaterThan(entries / DELETION_BATCH - 1);
  expect(progress.at(-1)).toBe(entries);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(readdirSync(local(`${INSTALL}\\SPOC`))).toEqual(['logs']);
});

test('a deletion stopped half-way (its time is up) leaves the rest, and deleting again removes it', async () => {
  const { local } = host();
  largeCache(local, 3, 100);
  const stop = (removed: number) => {
    if (removed >= 100) throw new Error('time is up');
  };
  await expect(deleteSpoolCache(INSTALL, local, { onProgress: stop })).rejects.toThrow('time is up');
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache`))).toBe(true);
  await expect(deleteSpoolCache(INSTALL, local)).resolves.toMatchObject({ deleted: true });
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache`))).toBe(false);
});

test('links inside the cache are removed as links; what they point to is never touched', async () => {
  const { local } = host();
  const elsewhere = local('D:\\Important');
  mkdirSync(path.join(elsewhere, 'sub'), { recursive: true });
  writeFileSync(path.join(elsewhere, 'keep.txt'), 'keep');
  writeFileSync(path.join(elsewhere, 'sub', 'keep-too.txt'), 'keep');
  const cache = local(`${INSTALL}\\SPOC\\SpoolCache`);
  mkdirSync(path.join(cache, 'nested'), { recursive: true });
  symlinkSync(elsewhere, path.join(cache, 'nested', 'to-folder'), 'dir');
  symlinkSync(path.join(elsewhere, 'keep.txt'), path.join(cache, 'to-file'), 'file');
  await expect(deleteSpoolCache(INSTALL, local)).resolves.toMatchObject({ deleted: true });
  expect(existsSync(cache)).toBe(false);
  expect(readdirSync(elsewhere).sort()).toEqual(['keep.txt', 'sub']);
  expect(readdirSync(path.join(elsewhere, 'sub'))).toEqual(['keep-too.txt']);
});
