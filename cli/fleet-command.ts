/**
 * `spoolflow fleet status [<host>...] [--fleet <file>]`: which hosts' agents poll their task queue
 * now and when each was last seen, for the hosts given or every host of the fleet configuration
 * (`--fleet` or SPOOLFLOW_FLEET), so an operator sees a missing agent before starting a procedure.
 * And the warning `spoolflow start` prints when an agent the procedure needs does not poll.
 */
import type { Client } from '@temporalio/client';
import { agentsPolling, POLLING_WITHIN_MS, type AgentPolling } from '../client/agent-pollers';
import { validateStartInput } from '../client/procedure-modules';
import { normalName } from '../machines/core/names';
import { fleetFileOf, loadFleetConfig } from '../worker/fleet-config';
import { UsageError } from './errors';

export class FleetUsageError extends UsageError {}

export interface FleetStatus {
  agents: AgentPolling[];
  /** The hosts whose agent does not poll now. */
  notPolling: string[];
}

/** The hosts `fleet status` looks at: those given, else the fleet configuration's. */
export function hostsToLookAt(hosts: string[], flags: Record<string, string | true>, env: NodeJS.ProcessEnv = process.env): string[] {
  if (hosts.length > 0) return hosts.map(normalName);
  if (flags.fleet === true) throw new FleetUsageError('--fleet needs a file');
  if (flags.fleet === undefined && !env.SPOOLFLOW_FLEET?.trim()) throw new FleetUsageError('fleet status needs hosts, or the fleet configuration (--fleet <file> or SPOOLFLOW_FLEET)');
  return loadFleetConfig(fleetFileOf(flags.fleet, env)).hosts;
}

export async function fleetStatus(client: Client, hosts: string[]): Promise<FleetStatus> {
  const agents = await agentsPolling(client, hosts);
  return { agents, notPolling: agents.filter((a) => !a.polling).map((a) => a.host) };
}

/** The subcommands of `fleet`; `connect` is called only once the arguments are valid. */
export async function fleetCommand(args: string[], flags: Record<string, string | true>, withTemporal: <T>(fn: (client: Client) => Promise<T>) => Promise<T>): Promise<FleetStatus> {
  const [sub, ...hosts] = args;
  if (sub !== 'status') throw new FleetUsageError(sub ? `unknown fleet command "${sub}": status` : 'fleet needs a command: status');
  const toLookAt = hostsToLookAt(hosts, flags);
  return withTemporal((client) => fleetStatus(client, toLookAt));
}

/** One line per agent the procedure needs that does not poll now; none when all poll. */
export function missingAgentWarnings(agents: AgentPolling[], procedureId: string): string[] {
  return agents
    .filter((a) => !a.polling)
    .map(
      (a) =>
        `spoolflow: warning: the agent of ${a.host}, needed by ${procedureId}, does not poll ${a.taskQueue} (${a.lastSeen ? `last seen ${a.lastSeen}` : 'never seen'}, none within ${POLLING_WITHIN_MS / 1000} s): its steps will wait for it and then halt. Check the spoolflow agent service on ${a.host}.`,
    );
}

/**
 * Warns on stderr about each agent the procedure needs that does not poll; never fails the start
 * (an agent may come up before its first step, and the steps halt for it anyway).
 */
export async function warnAboutMissingAgents(client: Client, procedureId: string, input: unknown, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  const { procedure, input: parsed } = await validateStartInput(procedureId, input);
  const hosts = [...new Set(procedure.hostsOf(parsed as never))];
  try {
    for (const line of missingAgentWarnings(await agentsPolling(client, hosts), procedureId)) write(line);
  } catch (err) {
    write(`spoolflow: warning: could not look whether the agents of ${hosts.join(', ')} poll: ${err instanceof Error ? err.message : String(err)}`);
  }
}
