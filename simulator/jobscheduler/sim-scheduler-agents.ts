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
import type { SchedulerHostActivities } from '../../activities/jobscheduler/scheduler-host-activities';
import type { ActivitiesOf, JobSchedulerActionWord } from '../../machines/actions';
import type { AgentConnection } from '../spoc/sim-host-agents';

/** The scheduler activities wired to the simulated fleet (its processes and its operation record). */
export function simSchedulerActivities(fleet: SchedulerFleet, databases: SchedulerDbPool): SchedulerActivities {
  return createSchedulerActivities({
    processes: fleet,
    databases,
    audit: (entry) => fleet.record.append({ host: entry.host, operation: entry.operation, member: entry.member, epoch: entry.epoch, target: entry.member, outcome: entry.outcome, ...(entry.reason ? { reason: entry.reason } : {}) }),
  });
}

export { centralSchedulerActivities } from '../../activities/jobscheduler/scheduler-activities';

/** Everything a scheduler host's agent runs: the member's process control, its service and its start script. */
export function schedulerHostAgentActivities(cluster: Pick<SchedulerActivities, 'terminateMember'>, onHost: SchedulerHostActivities) {
  return { terminateMember: cluster.terminateMember, ...onHost } satisfies ActivitiesOf<'host', JobSchedulerActionWord>;
}

/** One agent per scheduler host: the member's process control, and what else a test's cluster gives it. */
export async function createSchedulerHostAgent(conn: AgentConnection, host: string, activities: SchedulerActivities, extra: Record<string, unknown> = {}): Promise<Worker> {
  return schedulerHostWorker(conn, host, { terminateMember: activities.terminateMember, ...extra });
}

/** The agent of a scheduler host that runs every host action of the clusters (npm start's). */
export async function createFullSchedulerHostAgent(conn: AgentConnection, host: string, activities: ActivitiesOf<'host', JobSchedulerActionWord>): Promise<Worker> {
  return schedulerHostWorker(conn, host, activities);
}

function schedulerHostWorker(conn: AgentConnection, host: string, activities: object): Promise<Worker> {
  return Worker.create({
    connection: conn.connection,
    namespace: conn.namespace,
    taskQueue: hostTaskQueue(host),
    activities,
    maxConcurrentActivityTaskExecutions: 4,
  });
}
