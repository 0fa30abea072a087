/**
 * Whether a folder a step names is one the agent's configuration gives it. Compared in each
 * system's normal form: a Windows folder without regard to case, separators or a trailing `\`
 * (Windows does not tell them apart), a Unix folder exactly, less a trailing `/`.
 */
import path from 'node:path';
import { normalWindowsFolder } from '../activities/windows/windows-folder';
import { installFolderProblem, normalInstallFolder } from '../machines/spoc/install-folder';
import type { AgentConfig } from './agent-config';

/** True when `asked` is the site server's configured install folder. */
export function allowedSpocInstall(configured: string, asked: string): boolean {
  return installFolderProblem(asked) === undefined && normalInstallFolder(asked).toLowerCase() === normalInstallFolder(configured).toLowerCase();
}

function normalFolder(os: 'unix' | 'windows', dir: string): string {
  if (os === 'windows') return normalWindowsFolder(dir);
  return path.posix.normalize(dir).replace(/\/+$/, '');
}

type Installs = NonNullable<AgentConfig['jobScheduler']>['installs'];

/** True when `asked` on `os` is one of the configured JobScheduler install folders. */
export function allowedJobSchedulerInstall(installs: Installs, os: unknown, asked: string): boolean {
  if (os !== 'unix' && os !== 'windows') return false;
  return installs.some((install) => install.os === os && normalFolder(os, install.installDir) === normalFolder(os, asked));
}
