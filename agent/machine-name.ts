/**
 * The agent runs only on the machine its configuration names. An agent.json copied to the wrong
 * server would otherwise make that server poll another host's queue and run its steps: stop its
 * services, delete its spool cache, restart its OS. So at start the machine's own name (its first
 * label, in the normal form of machines/core/names.ts) must be the first label of `host`, unless
 * the configuration says, with a reason, that the check is skipped.
 */
import os from 'node:os';
import { normalName } from '../machines/core/names';
import { AgentConfigError, type AgentConfig } from './agent-config';

declare const checked: unique symbol;

/** The machine the agent runs on, once checked against the configuration (only `checkMachineName` makes one). */
export interface CheckedMachine {
  readonly name: string;
  /** Set when the configuration skips the check: the line to print at every start. */
  readonly skippedBecause?: string;
  readonly [checked]: true;
}

/** The first label of a host or machine name, in normal form: `SPOC-LON-1.corp.example.com` is `spoc-lon-1`. */
export function firstLabel(name: string): string {
  return normalName(name).split('.')[0] ?? '';
}

/**
 * This machine, if `config.host` names it; otherwise an AgentConfigError naming `host`, the
 * machine's name and how to fix it (exit code 2, before the agent connects to anything).
 */
export function checkMachineName(config: AgentConfig, machineName: string = os.hostname()): CheckedMachine {
  const skip = config.machineNameCheck;
  if (skip) {
    return {
      name: machineName,
      skippedBecause: `machineNameCheck.skip: this machine is "${machineName}" and host is "${config.host}"; not compared, because: ${skip.reason}`,
    } as CheckedMachine;
  }
  if (firstLabel(machineName) !== firstLabel(config.host)) {
    throw new AgentConfigError(
      `agent config: host: "${config.host}" is not this machine, whose name is "${machineName}": this configuration belongs to another server, ` +
        `and running it here would run that server's steps on this one. Use this server's own configuration (host "${firstLabel(machineName)}", as the procedures name it); ` +
        `only if the procedures know this machine by another name, set "machineNameCheck": {"skip": true, "reason": "<why>"}`,
    );
  }
  return { name: machineName } as CheckedMachine;
}
