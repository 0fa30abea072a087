/**
 * Windows' own programs for the simulated hosts, as real executables: `sc.exe`, `shutdown.exe`
 * and `powershell.exe` under each host's emulated `C:\Windows\System32` (where the agent runs
 * them from, never PATH), each a small launcher of windows-program.cjs. The launcher asks this
 * process, which holds the simulated fleet, over a local socket; the answer is the simulator's
 * (sim-command-runner.ts: sc.exe emulated byte for byte, the OS restart, the boot time), so the
 * real agent process parses what the simulator's in-process agents parse. One process owns each
 * host's state: the programs never write it themselves.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sourceDir } from '../../../engine/source-dir';
import { WINDOWS_PROGRAMS, type WindowsProgram } from '../../../activities/windows/service-control/windows-programs';
import { emulatedDrivePath } from '../../../activities/windows/emulated-drives';
import { simCommandRunner } from '../sim-command-runner';
import type { SimFleet } from '../../spoc/sim-fleet';

const FRONT = path.join(sourceDir(__dirname), 'windows-program.cjs');

/** The programs a site server's agent runs. */
const PROGRAMS: WindowsProgram[] = ['sc.exe', 'shutdown.exe', 'powershell.exe'];

interface Request {
  host: string;
  program: string;
  args: string[];
}

export interface FakeWindows {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Answers the programs of every host of `fleet` on a socket at `socketPath`. */
export async function serveFakeWindows(fleet: SimFleet, socketPath: string): Promise<FakeWindows> {
  rmSync(socketPath, { force: true });
  const server = net.createServer({ allowHalfOpen: true }, (connection) => {
    let text = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => (text += chunk));
    connection.on('end', () => {
      answer(fleet, text).then(
        (reply) => connection.end(JSON.stringify(reply)),
        (err: unknown) => connection.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
      );
    });
    connection.on('error', () => connection.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function answer(fleet: SimFleet, text: string): Promise<unknown> {
  const request = JSON.parse(text) as Request;
  return simCommandRunner(fleet.host(request.host))(request.program, request.args);
}

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Puts the launchers of `host`'s programs where Windows keeps them, under its drives folder
 * (`<drives>/C/Windows/System32/sc.exe`, ...), each passing its command line to `socketPath`.
 */
export function installFakeWindowsPrograms(drivesFolder: string, host: string, socketPath: string): void {
  for (const program of PROGRAMS) {
    const file = emulatedDrivePath(drivesFolder, path.win32.join('C:\\Windows', ...WINDOWS_PROGRAMS[program]));
    mkdirSync(path.dirname(file), { recursive: true });
    const launch = [process.execPath, FRONT, socketPath, host, program].map(shellQuoted).join(' ');
    writeFileSync(file, `#!/bin/sh\nexec ${launch} "$@"\n`);
    chmodSync(file, 0o755);
  }
}
