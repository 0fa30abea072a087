/**
 * `spoolflow agent --config <file>`: runs the agent of this server until SIGINT or SIGTERM (a
 * service manager's stop). The configuration is validated before anything connects, and so is
 * that this is the machine it names; a bad one exits with code 2 and names the field and the rule.
 */
import { readAgentConfig } from '../agent/agent-config';
import { checkMachineName } from '../agent/machine-name';
import { UsageError } from './errors';

export class AgentUsageError extends UsageError {}

export async function agentCommand(flags: Record<string, string | true>): Promise<void> {
  if (typeof flags.config !== 'string') throw new AgentUsageError('agent needs --config <file> (the agent configuration, see README "The host agent")');
  const config = readAgentConfig(flags.config);
  const machine = checkMachineName(config);
  // Loaded here, not at the top: the Temporal worker takes a third of a second to load, which
  // every other command would pay (see cli/spoolflow.js).
  const { agentTemporal } = await import('../agent/agent-connection');
  const { runAgent } = await import('../agent/run-agent');
  const temporal = await agentTemporal();
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  // `on`, not `once`: a second signal must not cut the clean shutdown short.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const log = (line: string) => process.stdout.write(`[spoolflow agent] ${new Date().toISOString()} ${line}\n`);
  try {
    await runAgent({ config, machine, temporal, stopSignal, log });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
