/**
 * Host agents: one activity worker per site server, polling that host's task queue. On a real
 * site server the agent runs there with the Windows service control (sc.exe) and the real disk;
 * for the simulated fleet each simulated host gets an agent in this process, wired to the same
 * production activities through the simulator's sc.exe and its folder for the host's C: drive.
 * A simulated host's agent goes down with its host when Windows restarts and comes back after the
 * boot, as the agent service of a real site server does.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createHostAgentActivities, HostAgentDeps } from '../../activities/spoc/spoc-host-activities';
import { createScExeServiceControl } from '../../activities/windows/service-control/sc-exe-service-control';
import { hostTaskQueue } from '../../workflows/task-queues';
import { HOST_HEARTBEAT_THROTTLE } from '../../activities/core/host-activity';
import type { ActivitiesOf, SpocActionWord } from '../../machines/actions';
import type { SimFleet } from './sim-fleet';
import { simCommandRunner } from '../windows/sim-command-runner';
import { createWindowsOsControl } from '../../activities/windows/os-control/windows-os-control';
import type { SimHost } from './sim-host';

export interface AgentConnection {
  connection: NativeConnection;
  namespace: string;
}

/** A worker that runs a host's activities on its task queue. */
export async function createHostAgentWorker(conn: AgentConnection, deps: HostAgentDeps, activityPolls?: number): Promise<Worker> {
  return Worker.create({
    connection: conn.connection,
    namespace: conn.namespace,
    taskQueue: hostTaskQueue(deps.host),
    activities: createHostAgentActivities(deps) satisfies ActivitiesOf<'host', SpocActionWord>,
    // A host agent does a handful of things at once; more would only queue on the host's SCM.
    maxConcurrentActivityTaskExecutions: 8,
    // An abort's cancellation reaches a running step within this (host-activity.ts).
    maxHeartbeatThrottleInterval: HOST_HEARTBEAT_THROTTLE,
    // The bench of a thousand hosts gives one long poll each (the SDK's default of 5 each would be
    // 5,000, beyond a namespace's 1,200 by default); the tests and `npm start` keep the default.
    ...(activityPolls !== undefined ? { maxConcurrentActivityTaskPolls: activityPolls } : {}),
  });
}

/** What the agent of a simulated host uses: production activities over the simulator's sc.exe. */
export function simHostAgentDeps(host: SimHost, pollMs: number): HostAgentDeps {
  const run = simCommandRunner(host);
  return {
    host: host.host,
    services: createScExeServiceControl(run),
    os: createWindowsOsControl(run),
    stateDir: host.localPath(AGENT_STATE_DIR),
    localPath: (windowsPath) => host.localPath(windowsPath),
    pollMs,
    audit: (entry) => host.recordOperation(entry.operation, entry.target, entry.outcome),
  };
}

/** Where an agent keeps its notes on a Windows site server. */
export const AGENT_STATE_DIR = 'C:\\ProgramData\\spoolflow\\agent';

/** What runs until told to stop: a Temporal worker, or an agent that restarts with its host. */
export interface RunningAgent {
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The agent of a simulated host: a worker while the host is up; when Windows goes down the worker
 * stops (its running activities die with it, as on a real host, and Temporal retries them), and a
 * new one starts once the host has booted.
 */
export class SimHostAgent implements RunningAgent {
  private stopping = false;
  private wake: (() => void) | undefined;
  /** How many times the agent's worker started: once, plus once per boot of its host. */
  starts = 0;

  constructor(
    private readonly conn: AgentConnection,
    readonly host: SimHost,
    private readonly pollMs: number,
    private readonly watchMs = 25,
    private readonly activityPolls?: number,
  ) {}

  async run(): Promise<void> {
    while (!this.stopping) {
      if (!this.host.isUp()) {
        await this.pause();
        continue;
      }
      const worker = await createHostAgentWorker(this.conn, simHostAgentDeps(this.host, this.pollMs), this.activityPolls);
      this.starts += 1;
      const running = worker.run();
      while (!this.stopping && this.host.isUp()) await this.pause();
      // On Ctrl-C the SDK may already be draining every worker by itself.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    }
  }

  shutdown(): void {
    this.stopping = true;
    this.wake?.();
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.watchMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * One agent per simulated host, but for the hosts in `without` (a test's host whose agent is gone).
 * `activityPolls`: long polls per agent (the SDK's default unless given; a large estate gives 1).
 * `watchMs`: how often each agent looks whether its host went down (default 25 ms); a large estate
 * looks less often, as each look reads the host's state file.
 */
export function createSimHostAgents(conn: AgentConnection, fleet: SimFleet, pollMs = 100, without: string[] = [], watchMs?: number, activityPolls?: number): SimHostAgent[] {
  const hosts = [...fleet.hosts.values()].filter((host) => !without.includes(host.host));
  return hosts.map((host) => new SimHostAgent(conn, host, pollMs, watchMs, activityPolls));
}
