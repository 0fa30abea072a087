/**
 * Where a simulated host's drives live on this machine: `C:\Program Files\X` on host H is
 * `<data>/sim/hosts/H/fs/C/Program Files/X`. Paths are parsed with win32 semantics, as the host
 * agent does on a real Windows server.
 */
import path from 'node:path';

export function localPathOf(fsRoot: string, windowsPath: string): string {
  const normalized = path.win32.normalize(windowsPath);
  const parsed = path.win32.parse(normalized);
  const drive = /^([A-Za-z]):\\$/.exec(parsed.root);
  if (!drive) throw new Error(`"${windowsPath}" is not an absolute Windows path with a drive letter`);
  const rest = normalized.slice(parsed.root.length).split('\\').filter((part) => part !== '');
  return path.join(fsRoot, (drive[1] ?? 'C').toUpperCase(), ...rest);
}
