/**
 * Cache deletion removes only `<install_dir>\SPOC\SpoolCache`, after validating the install
 * folder with win32 path semantics, and refuses anything that could delete somewhere else.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteSpoolCache, spoolCachePathOf, UnsafeCachePathError } from '../../activities/spool-cache';
import { localPathOf } from '../../simulator/sim-host-files';

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

test('deletes the SpoolCache folder and leaves the rest of the install folder alone', () => {
  const { local } = host();
  expect(deleteSpoolCache(INSTALL, local)).toEqual({ deleted: true, path: `${INSTALL}\\SPOC\\SpoolCache` });
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache`))).toBe(false);
  expect(readdirSync(local(`${INSTALL}\\SPOC`))).toEqual(['logs']);
});

test('deleting a cache that is already gone is not an error (a retried step does no harm)', () => {
  const { local } = host();
  deleteSpoolCache(INSTALL, local);
  expect(deleteSpoolCache(INSTALL, local)).toEqual({ deleted: false, path: `${INSTALL}\\SPOC\\SpoolCache` });
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

test('refuses an install folder without a SPOC folder: it is not a Dispatcher Paragon install', () => {
  const { local } = host();
  mkdirSync(local('C:\\Other'), { recursive: true });
  expect(() => deleteSpoolCache('C:\\Other', local)).toThrow(/SPOC folder C:\\Other\\SPOC does not exist/);
});

test('refuses a cache folder that is a link, and deletes nothing it points to', () => {
  const { local } = host();
  const elsewhere = local('D:\\Important');
  mkdirSync(elsewhere, { recursive: true });
  writeFileSync(path.join(elsewhere, 'keep.txt'), 'keep');
  const cache = local(`${INSTALL}\\SPOC\\SpoolCache`);
  require('node:fs').rmSync(cache, { recursive: true });
  symlinkSync(elsewhere, cache, 'dir');
  expect(() => deleteSpoolCache(INSTALL, local)).toThrow(/is a link or junction/);
  expect(readdirSync(elsewhere)).toEqual(['keep.txt']);
});

test('refuses an install folder reached through a link', () => {
  const { local } = host();
  symlinkSync(local(INSTALL), local('C:\\Linked'), 'dir');
  expect(() => deleteSpoolCache('C:\\Linked', local)).toThrow(/install folder C:\\Linked is a link or junction/);
  expect(existsSync(local(`${INSTALL}\\SPOC\\SpoolCache\\job-1.spl`))).toBe(true);
});
