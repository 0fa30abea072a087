/**
 * The machine the agent runs on, as the activities see it: where a host path is on the local disk
 * and how a program is run. On the host itself both are plain (identity paths; Windows' programs
 * from %SystemRoot%\System32, never PATH's). On a machine that is not Windows, for tests, the
 * configuration's `emulatedWindowsDrives` holds the Windows drives as folders, and a Windows
 * program is run from the emulated System32 there: the rule "Windows' own folder, not PATH" is the
 * same, only the drive is elsewhere.
 */
import { createExecCommandRunner } from '../activities/windows/service-control/exec-command-runner';
import type { CommandRunner } from '../activities/windows/service-control/service-control';
import { resolveWindowsProgram } from '../activities/windows/service-control/windows-programs';
import { emulatedDrivePath, isDriveLetterPath } from '../activities/windows/emulated-drives';
import type { AgentConfig } from './agent-config';

/** The local path of a path on this host. */
export function agentLocalPath(config: Pick<AgentConfig, 'emulatedWindowsDrives'>): (hostPath: string) => string {
  const drives = config.emulatedWindowsDrives;
  if (drives === undefined) return (hostPath) => hostPath;
  return (hostPath) => (isDriveLetterPath(hostPath) ? emulatedDrivePath(drives, hostPath) : hostPath);
}

/**
 * The real process runner (no shell), with Windows' programs resolved from %SystemRoot%\System32
 * first and that path then taken to the local disk.
 */
export function agentCommandRunner(localPath: (hostPath: string) => string, env: NodeJS.ProcessEnv = process.env): CommandRunner {
  const exec = createExecCommandRunner({ env });
  return (file, args) => exec(localPath(resolveWindowsProgram(file, env)), args);
}
