/**
 * The simulator's stand-in for running programs on a Windows host: sc.exe goes to the host's
 * emulated service control manager, `shutdown.exe /r` to its OS restart, and the PowerShell boot
 * time query to its boot clock; the answers come back as the real programs print them, so the
 * production parsers read them. A host that is down answers nothing, like a host whose agent died.
 */
import path from 'node:path';
import type { CommandResult, CommandRunner } from '../../activities/windows/service-control/service-control';
import { LAST_BOOT_COMMAND, SHUTDOWN_CODES } from '../../activities/windows/os-control/windows-os-control';
import { emulateScExe } from './sc-exe-emulator';
import type { SimHost } from '../spoc/sim-host';

export function simCommandRunner(host: SimHost): CommandRunner {
  return async (file, args) => {
    if (!host.isUp()) throw new Error(`${host.host} is not running (it is restarting): the program ${file} cannot run`);
    // The agents ask for Windows' programs by full path (C:\Windows\System32\sc.exe); a test may use the bare name.
    const program = path.win32.basename(file);
    if (/^sc(\.exe)?$/i.test(program)) return emulateScExe(args, host);
    if (/^shutdown(\.exe)?$/i.test(program)) return emulateShutdown(args, host);
    if (/^powershell(\.exe)?$/i.test(program) && args.at(-1) === LAST_BOOT_COMMAND) return emulateLastBoot(host);
    throw new Error(`the simulated host ${host.host} does not emulate ${file} ${args.join(' ')}`);
  };
}

function emulateShutdown(args: string[], host: SimHost): CommandResult {
  const lower = args.map((a) => a.toLowerCase());
  const delayAt = lower.indexOf('/t');
  const delay = delayAt >= 0 ? Number(args[delayAt + 1]) : 30;
  if (!lower.includes('/r') || !Number.isInteger(delay)) {
    return { exitCode: SHUTDOWN_CODES.invalidParameter, stdout: '', stderr: `${args.join(' ')}: The parameter is incorrect.(87)\r\n` };
  }
  if (host.requestOsRestart(delay) === 'already-scheduled') {
    return { exitCode: SHUTDOWN_CODES.alreadyScheduled, stdout: '', stderr: `${host.host}: A system shutdown has already been scheduled.(1190)\r\n` };
  }
  return { exitCode: 0, stdout: '', stderr: '' };
}

/** PowerShell's `ToString('o')` of a UTC DateTime: seven fraction digits and a Z. */
function emulateLastBoot(host: SimHost): CommandResult {
  const iso = new Date(host.lastBootTime()).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  return { exitCode: 0, stdout: `${iso}\r\n`, stderr: '' };
}
