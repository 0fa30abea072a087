/**
 * Which hosts' agents poll now, read from Temporal's description of each host's task queue
 * (`spoolflow-host-<host>`, its activity side): the server keeps, per poller, when it last polled.
 * An agent's poll waits up to a minute for a task before it polls again, so an agent counts as
 * polling when one of its pollers was seen within `pollingWithinMs` (2 minutes by default); the
 * server forgets a poller a few minutes after its last poll, after which a gone agent is "never
 * seen" rather than "last seen at".
 */
import type { Client } from '@temporalio/client';
import { hostTaskQueue } from '../workflows/task-queues';

/** `temporal.api.enums.v1.TaskQueueKind.NORMAL` and `TaskQueueType.ACTIVITY`, inlined to avoid depending on @temporalio/proto directly. */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** How recently a poller must have polled for its agent to count as polling. */
export const POLLING_WITHIN_MS = 120_000;

export interface AgentPoller {
  /** The worker's identity (`<pid>@<machine>` unless set). */
  identity: string;
  lastSeen: string | null;
}

export interface AgentPolling {
  host: string;
  taskQueue: string;
  /** An agent polled within the window. */
  polling: boolean;
  /** The most recent poll of any poller the server remembers; null when it remembers none. */
  lastSeen: string | null;
  pollers: AgentPoller[];
}

type Timestamp = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;

function isoOf(ts: Timestamp): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** One host's agent as the server sees it now. */
export async function agentPolling(client: Client, host: string, options: { now?: number; pollingWithinMs?: number } = {}): Promise<AgentPolling> {
  const taskQueue = hostTaskQueue(host);
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
  });
  const pollers = (response.pollers ?? []).map((p) => ({ identity: p.identity ?? '', lastSeen: isoOf(p.lastAccessTime) }));
  const lastSeen = pollers.map((p) => p.lastSeen).filter((t): t is string => t !== null).sort().at(-1) ?? null;
  const now = options.now ?? Date.now();
  const polling = lastSeen !== null && now - Date.parse(lastSeen) <= (options.pollingWithinMs ?? POLLING_WITHIN_MS);
  return { host, taskQueue, polling, lastSeen, pollers };
}

/** Every host's agent, in the order given. */
export async function agentsPolling(client: Client, hosts: string[], options: { now?: number; pollingWithinMs?: number } = {}): Promise<AgentPolling[]> {
  return Promise.all(hosts.map((host) => agentPolling(client, host, options)));
}
