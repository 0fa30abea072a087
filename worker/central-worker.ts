/**
 * The central worker: it runs the procedure workflows (the orchestration), the lease workflows and
 * the central activities (Management Server checks, lease look-ups). It never touches a host itself.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCentralActivities } from '../activities/spoc/management-server-activities';
import { createLeaseActivities } from '../activities/core/lease-activities';
import { createRolloutActivities } from '../activities/fleet/group-procedure-look';
import type { ManagementServerView } from '../activities/spoc/management-server';
import { NoManagementServer, noManagementServerActivities } from '../activities/spoc/no-management-server';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import type { ActivitiesOf, FlexiSpoolerActionWord, JobSchedulerActionWord, SpocActionWord } from '../machines/actions';
import { workflowBundle } from './workflow-bundle';

export { WORKFLOWS_PATH, workflowBundle } from './workflow-bundle';

export interface CentralWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** What the SPOC procedures' checks ask; `NoManagementServer` on an estate without SPOCs, whose checks then refuse. */
  managementServer: ManagementServerView | NoManagementServer;
  taskQueue?: string;
  /** How often to ask the Management Server while waiting for a SPOC (default 1 s). */
  pollMs?: number;
  /** The longest one wait of a lease for its holder's end lasts before it heartbeats and waits again (default 15 s). */
  leasePollMs?: number;
  /** The JobScheduler cluster database's activities, when this worker supervises clusters (all of them, then). */
  extraActivities?: ActivitiesOf<'central', JobSchedulerActionWord>;
  /** The FlexiSpooler servers' release watch, when this worker delivers print jobs (the simulated network). */
  flexiSpoolerActivities?: ActivitiesOf<'central', FlexiSpoolerActionWord>;
  /**
   * Activities at once (default the SDK's 100). Each running procedure's leases hold one watch
   * activity each for as long as it runs (a group restart: the group and each member), so a
   * rollout of many groups at once needs more.
   */
  maxConcurrentActivityTaskExecutions?: number;
}

export async function createCentralWorker(opts: CentralWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? CENTRAL_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: centralActivities(opts),
    ...(opts.maxConcurrentActivityTaskExecutions !== undefined ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions } : {}),
  });
}

/** The central activities: the SPOC procedures' Management Server checks, the leases, and the clusters' when given. */
export function centralActivities(opts: Pick<CentralWorkerOptions, 'managementServer' | 'pollMs' | 'leasePollMs' | 'extraActivities' | 'flexiSpoolerActivities'>) {
  const spoc: ActivitiesOf<'central', SpocActionWord> =
    opts.managementServer instanceof NoManagementServer ? noManagementServerActivities(opts.managementServer) : createCentralActivities(opts.managementServer, { pollMs: opts.pollMs });
  return { ...spoc, ...createLeaseActivities({ pollMs: opts.leasePollMs }), ...createRolloutActivities(), ...(opts.extraActivities ?? {}), ...(opts.flexiSpoolerActivities ?? {}) } satisfies ActivitiesOf<'central', SpocActionWord>;
}
