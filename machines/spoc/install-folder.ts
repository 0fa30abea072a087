/**
 * The rule a Dispatcher Paragon install folder must pass before anything is done under it: the
 * input schemas apply it (so a bad folder is refused before a procedure starts), and the host
 * agent applies it again before it deletes `<install>\SPOC\SpoolCache`. One rule, so a folder the
 * input accepts is never refused at the deletion, with the whole group already stopped.
 *
 * Pure string rules with win32 semantics (no `node:path`: machines also run in the workflow
 * sandbox). Windows drops trailing dots and spaces from a path's parts, so `C:\DP\.. ` is
 * `C:\DP\..` and `C:\.` is the drive root: parts made of dots and spaces, and parts ending in a
 * dot or a space, are refused rather than interpreted.
 */

/** What is wrong with an install folder, in words that say how to fix it; undefined when it passes. */
export function installFolderProblem(installDir: string): string | undefined {
  if (installDir.trim() === '') return 'the install folder is empty; give the Dispatcher Paragon install folder, e.g. C:\\Program Files\\Dispatcher Paragon';
  if (installDir !== installDir.trim()) return `the install folder "${installDir}" starts or ends with a space; give it without`;
  if (/^[\\/]{2}/.test(installDir)) return `the install folder "${installDir}" is a network path; give the local folder on the site server`;
  if (!/^[A-Za-z]:[\\/]/.test(installDir)) return `the install folder "${installDir}" is not an absolute path with a drive letter, e.g. C:\\Program Files\\Dispatcher Paragon`;
  const parts = installDir.slice(3).split(/[\\/]+/).filter((part) => part !== '');
  for (const part of parts) {
    if (/^[. ]+$/.test(part)) {
      return part.includes('..')
        ? `the install folder "${installDir}" contains ".."; give it without relative parts`
        : `the install folder "${installDir}" contains "."; give it without relative parts`;
    }
    if (/[. ]$/.test(part)) return `the install folder "${installDir}" has a part ending in a dot or a space ("${part}"), which Windows drops; write the folder as it is named`;
    // eslint-disable-next-line no-control-regex
    if (/[<>:"|?*\u0000-\u001f]/.test(part)) return `the install folder "${installDir}" contains a character Windows does not allow in a folder name`;
  }
  if (parts.length === 0) return `the install folder "${installDir}" is a drive root; refusing to work on a whole drive`;
  return undefined;
}

/** The install folder in one form: its drive, its parts joined by `\`, no trailing separator. */
export function normalInstallFolder(installDir: string): string {
  const parts = installDir.slice(3).split(/[\\/]+/).filter((part) => part !== '');
  return [installDir.slice(0, 2), ...parts].join('\\');
}

/** `<install>\SPOC\SpoolCache` of an install folder that passed {@link installFolderProblem}. */
export function spoolCacheFolderOf(installDir: string): string {
  return `${normalInstallFolder(installDir)}\\SPOC\\SpoolCache`;
}

/** The SPOC logs the procedures read, under an install folder that passed the rule. */
export function spocLogFilesOf(installDir: string): { lifecycle: string; main: string } {
  const logs = `${normalInstallFolder(installDir)}\\SPOC\\logs`;
  return { lifecycle: `${logs}\\spoc_lifecycle.log`, main: `${logs}\\spoc.log` };
}
