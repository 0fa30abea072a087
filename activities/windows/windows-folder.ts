/**
 * Windows folders in the form Windows compares them in: without regard to case, separators
 * (`/` or `\`), `.` and `..` steps or a trailing `\`.
 */
import path from 'node:path';

/** A Windows folder in its normal form. */
export function normalWindowsFolder(dir: string): string {
  return path.win32.normalize(dir).replace(/\\+$/, '').toLowerCase();
}

/** Whether a Windows path lies inside a folder, compared in their normal forms. */
export function isInsideWindowsFolder(file: string, folder: string): boolean {
  return normalWindowsFolder(file).startsWith(`${normalWindowsFolder(folder)}\\`);
}
