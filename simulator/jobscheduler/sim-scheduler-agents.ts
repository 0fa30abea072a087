/**
 * The JobScheduler side of the workers: the cluster database activities the central worker runs
 * (watch, fence, activate, hand out order steps, submit orders), and one agent per scheduler host
 * for what touches a member's process. For the simulated clusters the members are processes of
 * the scheduler fleet on this machine; every activation and fence goes to its operation record.
 */
import { Worker } from '@temporalio/worker';
import { createSchedulerActivities, SchedulerActivities } from '../../activities/jobscheduler/scheduler-activities';
import { SchedulerDbPool } from '../../activities/jobscheduler/scheduler-db-pool';
import type { SchedulerFleet } from './scheduler-fleet';
import { hostTaskQueue } from '../../workflows/task-queues';
import type { AgentConnection } from '../spoc/sim-host-agents';

/** The scheduler activities wired to the simulated fleet (its processes and its operation record). */
export function simSchedulerActivities(fleet: SchedulerFleet, databases: SchedulerDbPool): SchedulerActivities {
  return createSchedulerActivities({
    processes: fleet,
    databases,
    audit: (entry) => fleet.record.append({ host: entry.host, operation: entry.operation, member: entry.member, epoch: entry.epoch, target: entry.member, outcome: entry.outcome, ...(entry.reason ? { reason: entry.reason } : {}) }),
  });
}

/** The central worker's share: everything but process control, which belongs to the member's host. */
export function centralSchedulerActivities(activities: SchedulerActivities): Partial<SchedulerActivities> {
  const { terminateMember: _hostOnly, ...central } = activities;
  return central;
}

/** One agent per scheduler host: the member's process control. */
export async function createSchedulerHostAgent(conn: AgentConnection, host: string, activities: SchedulerActivities, extra: Record<string, unknown> = {}): Promise<Worker> {
  return Worker.create({
    connection: conn.connection,
    namespace: conn.namespace,
    taskQueue: hostTaskQueue(host),
    activities: { terminateMember: activities.terminateMember, ...extra },
    maxConcurrentActivityTaskExecutions: 4,
  });
}
