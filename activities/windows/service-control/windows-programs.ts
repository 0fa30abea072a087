/**
 * Where the Windows programs the agents run are: Windows' own folder, `%SystemRoot%\System32`,
 * never wherever PATH (or the agent's working folder, which Windows searches first) would find a
 * program of the same name. The agents run as administrators; a planted `sc.exe` on PATH must
 * not run with their rights.
 */
import path from 'node:path';

/** The Windows programs the agents run, by the name an operator knows them by. */
export const WINDOWS_PROGRAMS = {
  'sc.exe': ['System32', 'sc.exe'],
  'shutdown.exe': ['System32', 'shutdown.exe'],
  'cmd.exe': ['System32', 'cmd.exe'],
  'powershell.exe': ['System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'],
} as const;

export type WindowsProgram = keyof typeof WINDOWS_PROGRAMS;

/** Where Windows is when the environment does not say. */
export const DEFAULT_SYSTEM_ROOT = 'C:\\Windows';

/**
 * Windows' folder from `SystemRoot` (looked up without regard to case, as Windows does), or
 * C:\Windows when it is not set. A value that is not an absolute local folder is refused: the
 * programs found under it would be anyone's.
 */
export function systemRoot(env: NodeJS.ProcessEnv = process.env): string {
  const key = Object.keys(env).find((name) => name.toLowerCase() === 'systemroot');
  const value = (key === undefined ? undefined : env[key])?.trim();
  if (value === undefined || value === '') return DEFAULT_SYSTEM_ROOT;
  if (!/^[A-Za-z]:[\\/]/.test(value) || value.split(/[\\/]+/).includes('..')) {
    throw new Error(`the environment variable SystemRoot is "${value}", not an absolute local folder such as C:\\Windows; fix the agent's environment`);
  }
  return path.win32.normalize(value).replace(/\\+$/, '');
}

/** The full path of one of Windows' own programs, e.g. `C:\Windows\System32\sc.exe`. */
export function windowsProgram(program: WindowsProgram, env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(systemRoot(env), ...WINDOWS_PROGRAMS[program]);
}

/**
 * `file` with a bare name of one of {@link WINDOWS_PROGRAMS} (`sc.exe` or `sc`, in any case)
 * replaced by its full path; any other file (a full path, `/bin/sh`, a test's program) unchanged.
 */
export function resolveWindowsProgram(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (/[\\/]/.test(file)) return file;
  const bare = file.toLowerCase().replace(/\.exe$/, '');
  const program = (Object.keys(WINDOWS_PROGRAMS) as WindowsProgram[]).find((name) => name === `${bare}.exe`);
  return program === undefined ? file : windowsProgram(program, env);
}
