/**
 * Host agents: one activity worker per site server, polling that host's task queue. On a real
 * site server the agent runs there with the Windows service control (sc.exe) and the real disk;
 * for the simulated fleet each simulated host gets an agent in this process, wired to the same
 * production activities through the simulator's sc.exe and its folder for the host's C: drive.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createHostAgentActivities, HostAgentDeps } from '../activities/host-agent-activities';
import { createScExeServiceControl } from '../activities/service-control/sc-exe-service-control';
import { hostTaskQueue } from '../workflows/task-queues';
import type { SimFleet } from '../simulator/sim-fleet';
import { simCommandRunner } from '../simulator/sim-command-runner';
import type { SimHost } from '../simulator/sim-host';

export interface AgentConnection {
  connection: NativeConnection;
  namespace: string;
}

/** A worker that runs a host's activities on its task queue. */
export async function createHostAgentWorker(conn: AgentConnection, deps: HostAgentDeps): Promise<Worker> {
  return Worker.create({
    connection: conn.connection,
    namespace: conn.namespace,
    taskQueue: hostTaskQueue(deps.host),
    activities: createHostAgentActivities(deps),
    // A host agent does a handful of things at once; more would only queue on the host's SCM.
    maxConcurrentActivityTaskExecutions: 8,
  });
}

/** What the agent of a simulated host uses: production activities over the simulator's sc.exe. */
export function simHostAgentDeps(host: SimHost, pollMs: number): HostAgentDeps {
  return {
    host: host.host,
    services: createScExeServiceControl(simCommandRunner(host)),
    serviceKeyOf: (display) => {
      const service = host.server.services.find((s) => s.display.toLowerCase() === display.toLowerCase());
      if (!service) throw new Error(`${host.host} has no service named "${display}" in the inventory`);
      return service.key;
    },
    localPath: (windowsPath) => host.localPath(windowsPath),
    pollMs,
    audit: (entry) => host.recordOperation(entry.operation, entry.target, entry.outcome),
  };
}

/** One agent per simulated host, but for the hosts in `without` (a test's host whose agent is gone). */
export async function createSimHostAgents(conn: AgentConnection, fleet: SimFleet, pollMs = 100, without: string[] = []): Promise<Worker[]> {
  const hosts = [...fleet.hosts.values()].filter((host) => !without.includes(host.host));
  return Promise.all(hosts.map((host) => createHostAgentWorker(conn, simHostAgentDeps(host, pollMs))));
}
