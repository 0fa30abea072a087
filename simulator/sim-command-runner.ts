/**
 * The simulator's stand-in for running sc.exe on a Windows host: the command goes to the host's
 * emulated service control manager and comes back as sc.exe text, which the production parser
 * reads. A host made unreachable answers like a command that could not connect.
 */
import type { CommandRunner } from '../activities/service-control/service-control';
import { emulateScExe } from './sc-exe-emulator';
import type { SimHost } from './sim-host';

export function simCommandRunner(host: SimHost): CommandRunner {
  return async (file, args) => {
    if (!/^sc(\.exe)?$/i.test(file)) throw new Error(`the simulated host ${host.host} only runs sc.exe, not ${file}`);
    return emulateScExe(args, host);
  };
}
