/**
 * The agent of one real server as a process: a Temporal worker on the host's task queue
 * (`spoolflow-host-<host>`), running the production host activities held to its configuration,
 * until it is told to stop. It stops cleanly: the worker takes no new step, running ones finish
 * or are handed back to the server for a retry, then the connection closes.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectWithin } from '../engine/connection-config';
import { hostTaskQueue } from '../workflows/task-queues';
import { HOST_HEARTBEAT_THROTTLE } from '../activities/core/host-activity';
import type { AgentConfig } from './agent-config';
import { createAgentActivities, type AgentLog } from './agent-activities';
import type { AgentTemporal } from './agent-connection';
import type { CheckedMachine } from './machine-name';

/** How many steps the agent runs at once; more would only queue on the host's service manager. */
export const MAX_CONCURRENT_STEPS = 8;

export interface RunAgentOptions {
  config: AgentConfig;
  /** This machine, checked against `config.host` before anything connects (machine-name.ts). */
  machine: CheckedMachine;
  temporal: AgentTemporal;
  /** Resolves when the agent should stop. */
  stopSignal: Promise<void>;
  log: AgentLog;
}

/** What the agent is, in one line: printed at start so an operator can check it against the fleet. */
export function startupLine(config: AgentConfig, machine: CheckedMachine, temporal: AgentTemporal): string {
  const roles = [
    ...(config.spocSiteServer ? [`SPOC site server (${config.spocSiteServer.installDir})`] : []),
    ...(config.jobScheduler ? [`JobScheduler (${config.jobScheduler.installs.map((i) => i.installDir).join(', ')})`] : []),
    ...(config.spoolFolder !== undefined ? [`spooler of the spool cleaning (${config.spoolFolder})`] : []),
  ];
  return `agent of ${config.host} on machine ${machine.name} polls task queue ${hostTaskQueue(config.host)} on ${temporal.options.address}, namespace ${temporal.namespace}; roles: ${roles.join(', ')}; notes in ${config.notesFolder}`;
}

export async function runAgent(opts: RunAgentOptions): Promise<void> {
  const { config, machine, temporal } = opts;
  if (machine.skippedBecause !== undefined) opts.log(machine.skippedBecause);
  const connection = await connectWithin(temporal.options.address, () => NativeConnection.connect(temporal.options));
  try {
    const worker = await Worker.create({
      connection,
      namespace: temporal.namespace,
      taskQueue: hostTaskQueue(config.host),
      activities: createAgentActivities(config, opts.log),
      maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_STEPS,
      // An abort's cancellation reaches a running step within this (host-activity.ts).
      maxHeartbeatThrottleInterval: HOST_HEARTBEAT_THROTTLE,
    });
    const running = worker.run();
    opts.log(startupLine(config, machine, temporal));
    await Promise.race([opts.stopSignal, running]);
    // The SDK may already be draining on the same signal.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    opts.log(`agent of ${config.host} stopped`);
  } finally {
    await connection.close();
  }
}
