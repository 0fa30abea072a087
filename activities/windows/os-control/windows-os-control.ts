/**
 * {@link OsControl} on Windows: `shutdown.exe /r` to restart and PowerShell's CIM view of
 * Win32_OperatingSystem for the last boot time, both run through a {@link CommandRunner} (no
 * shell). Decisions are taken on the exit code (shutdown.exe exits with the Win32 error code),
 * never on localised message text.
 */
import type { CommandRunner } from '../service-control/service-control';
import { windowsProgram } from '../service-control/windows-programs';
import { OsControl, OsRestartRefusedError } from './os-control';

/** Win32 codes shutdown.exe ends with. */
export const SHUTDOWN_CODES = {
  accessDenied: 5,
  invalidParameter: 87,
  /** ERROR_SHUTDOWN_IN_PROGRESS */
  inProgress: 1115,
  /** ERROR_SHUTDOWN_IS_SCHEDULED */
  alreadyScheduled: 1190,
} as const;

/** The PowerShell command that prints the last boot time as an ISO 8601 UTC timestamp. */
export const LAST_BOOT_COMMAND = "(Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime().ToString('o')";

/** `shutdown.exe` arguments: restart, after the delay, planned maintenance reason, with a comment. */
export function restartArguments(delaySeconds: number, comment: string): string[] {
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 600) throw new OsRestartRefusedError(`restart delay must be 0-600 s, got ${delaySeconds}`);
  // shutdown.exe takes at most 512 characters of comment; quotes would end it early.
  const safeComment = comment.replace(/"/g, "'").slice(0, 500);
  return ['/r', '/t', String(delaySeconds), '/d', 'p:4:1', '/c', safeComment];
}

/** Reads PowerShell's `ToString('o')` of a UTC DateTime (seven fraction digits) as ms since the epoch. */
export function parseLastBootOutput(stdout: string): number {
  const text = stdout.trim();
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) throw new Error(`cannot read the last boot time from PowerShell output ${JSON.stringify(text.slice(0, 200))}`);
  const millis = (match[2] ?? '').padEnd(3, '0').slice(0, 3);
  const at = Date.parse(`${match[1]}.${millis}${match[3]}`);
  if (Number.isNaN(at)) throw new Error(`the last boot time ${JSON.stringify(text)} is not a valid time`);
  return at;
}

/** The programs, by default from `%SystemRoot%\System32` (never PATH's). */
export interface WindowsOsControlOptions {
  shutdownExe?: string;
  powershellExe?: string;
}

export function createWindowsOsControl(run: CommandRunner, options: WindowsOsControlOptions = {}): OsControl {
  const shutdownExe = options.shutdownExe ?? windowsProgram('shutdown.exe');
  const powershellExe = options.powershellExe ?? windowsProgram('powershell.exe');
  return {
    async lastBootTime() {
      const result = await run(powershellExe, ['-NoProfile', '-NonInteractive', '-Command', LAST_BOOT_COMMAND]);
      if (result.exitCode !== 0) throw new Error(`PowerShell could not read the last boot time (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`);
      return parseLastBootOutput(result.stdout);
    },

    async requestRestart(delaySeconds, comment) {
      const result = await run(shutdownExe, restartArguments(delaySeconds, comment));
      switch (result.exitCode) {
        case 0:
          return 'scheduled';
        case SHUTDOWN_CODES.alreadyScheduled:
        case SHUTDOWN_CODES.inProgress:
          return 'already-scheduled';
        case SHUTDOWN_CODES.accessDenied:
          throw new OsRestartRefusedError(`shutdown.exe was refused (access denied): the agent's account needs the right to shut down the system`);
        default: {
          const output = `${result.stdout}${result.stderr}`.trim();
          const message = `shutdown.exe /r failed with code ${result.exitCode}${output ? `: ${output}` : ''}`;
          if (result.exitCode === SHUTDOWN_CODES.invalidParameter) throw new OsRestartRefusedError(message);
          throw new Error(message);
        }
      }
    },
  };
}
