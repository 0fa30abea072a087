/**
 * Windows drives kept as folders on a machine that is not Windows: `C:\Program Files\X` is
 * `<drives>/C/Program Files/X`. The simulator keeps each simulated host's drives so, and an agent
 * started on Linux for a test (its configuration's `emulatedWindowsDrives`) reads and runs what is
 * there, Windows' own programs from `<drives>/C/Windows/System32` included. Paths are parsed with
 * win32 semantics, as the agent does on a real Windows server.
 */
import path from 'node:path';

/** True for an absolute Windows path with a drive letter (`C:\...`). */
export function isDriveLetterPath(file: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(file);
}

/** The local path of `windowsPath` under the folder that holds the drives. */
export function emulatedDrivePath(drivesFolder: string, windowsPath: string): string {
  const normalized = path.win32.normalize(windowsPath);
  const parsed = path.win32.parse(normalized);
  const drive = /^([A-Za-z]):\\$/.exec(parsed.root);
  if (!drive) throw new Error(`"${windowsPath}" is not an absolute Windows path with a drive letter`);
  const rest = normalized.slice(parsed.root.length).split('\\').filter((part) => part !== '');
  return path.join(drivesFolder, (drive[1] ?? 'C').toUpperCase(), ...rest);
}
