/**
 * Where a simulated host's drives live on this machine: `C:\Program Files\X` on host H is
 * `<data>/sim/hosts/H/fs/C/Program Files/X` (activities/windows/emulated-drives.ts, the same rule
 * an agent started on Linux with `emulatedWindowsDrives` follows).
 */
import { emulatedDrivePath } from '../../activities/windows/emulated-drives';

export function localPathOf(fsRoot: string, windowsPath: string): string {
  return emulatedDrivePath(fsRoot, windowsPath);
}
