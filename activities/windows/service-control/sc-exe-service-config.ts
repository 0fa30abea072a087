/**
 * The command line a Windows service runs with, from `sc.exe qc <key name>`: its BINARY_PATH_NAME.
 * A JobScheduler service keeps the cluster options it was installed with on that line, which is how
 * the procedure tells what a member started by its service runs with, and whether the service was
 * installed after the start script was edited.
 *
 * What `sc.exe qc` prints on an English host:
 *
 *   [SC] QueryServiceConfig SUCCESS
 *
 *   SERVICE_NAME: sos_scheduler_production_backup
 *           TYPE               : 10  WIN32_OWN_PROCESS
 *           START_TYPE         : 2   AUTO_START
 *           ERROR_CONTROL      : 1   NORMAL
 *           BINARY_PATH_NAME   : "C:\...\bin\scheduler.exe" -service ... -exclusive -backup
 *           ...
 *
 * The label is looked for first; on a host that translates it, the first field whose value names
 * an `.exe` is taken instead. A command line longer than sc.exe's default buffer (win32 122) is
 * asked again with a bigger one. Failures are read like every sc.exe failure: the exit code is the
 * Win32 code, 1060 meaning "no such service".
 */
import type { CommandRunner } from './service-control';
import { parseScFailure } from './sc-exe-output';
import { WIN32 } from './service-control-errors';
import { windowsProgram } from './windows-programs';

/** `sc.exe qc` failed or printed something without a command line. Not retryable: the host answers the same way again. */
export class ServiceConfigUnreadableError extends Error {
  override readonly name: string = 'ServiceConfigUnreadableError';
  constructor(
    message: string,
    readonly service: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** The BINARY_PATH_NAME in the output of `sc.exe qc`, or undefined. */
export function parseScQcBinaryPath(output: string): string | undefined {
  const lines = output.split(/\r?\n/);
  const labelled = lines.map((line) => /^\s*BINARY_PATH_NAME\s*:\s?(.*)$/.exec(line)?.[1]).find((v) => v !== undefined);
  if (labelled !== undefined) return labelled.trim();
  const anyExe = lines.map((line) => /^\s*[^:\r\n]+?\s*:\s?(.*\.exe\b.*)$/i.exec(line)?.[1]).find((v) => v !== undefined);
  return anyExe?.trim();
}

/** The service's command line, or 'NOT_INSTALLED'. */
export async function serviceCommandLine(run: CommandRunner, service: string, scExe = windowsProgram('sc.exe')): Promise<string | 'NOT_INSTALLED'> {
  if (service.trim() === '' || /[\\/]/.test(service)) throw new ServiceConfigUnreadableError(`"${service}" is not a service key name`, service, '');
  let { output, code } = await qc(run, scExe, [service]);
  // sc.exe's default buffer is small; a long command line answers 122 and needs a bigger one.
  if (code === INSUFFICIENT_BUFFER) ({ output, code } = await qc(run, scExe, [service, '8192']));
  if (code === WIN32.SERVICE_DOES_NOT_EXIST) return 'NOT_INSTALLED';
  if (code !== 0) {
    throw new ServiceConfigUnreadableError(`sc.exe qc "${service}" failed with win32 error ${code}; \`net helpmsg ${code}\` on the host explains it`, service, output);
  }
  const binaryPath = parseScQcBinaryPath(output);
  if (binaryPath === undefined) {
    throw new ServiceConfigUnreadableError(`sc.exe qc "${service}" printed no BINARY_PATH_NAME; check that the worker runs the Windows sc.exe`, service, output);
  }
  return binaryPath;
}

const INSUFFICIENT_BUFFER = 122;

async function qc(run: CommandRunner, scExe: string, args: string[]): Promise<{ output: string; code: number }> {
  const result = await run(scExe, ['qc', ...args]);
  const output = result.stderr.length > 0 ? `${result.stdout}\n${result.stderr}` : result.stdout;
  return { output, code: result.exitCode !== 0 ? result.exitCode : (parseScFailure(output)?.code ?? 0) };
}
