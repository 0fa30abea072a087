/**
 * The central worker: it runs the procedure workflows (the orchestration), the lease workflows and
 * the central activities (Management Server checks, lease look-ups), and beside them, on queues
 * of their own, the leases' watches of their holders and the procedures' central watches (a print
 * job's release). It never touches a host itself.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCentralActivities } from '../activities/spoc/management-server-activities';
import { createLeaseActivities } from '../activities/core/lease-activities';
import { createRolloutActivities } from '../activities/fleet/group-procedure-look';
import { createSapReassignActivities } from '../activities/sap/spool-reassignment';
import type { ManagementServerView } from '../activities/spoc/management-server';
import { NoManagementServer, noManagementServerActivities } from '../activities/spoc/no-management-server';
import { CENTRAL_TASK_QUEUE, LEASE_WATCH_TASK_QUEUE, CENTRAL_WATCH_TASK_QUEUE } from '../workflows/task-queues';
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
   * Central activities at once (default the SDK's 100): the procedures' central steps and the
   * rollouts' looks. The leases' watches and the central watches (a print job's release) do not
   * count: they run on workers of their own.
   */
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * Lease watches at once: one per held lease (a group restart holds its group and each member),
 * each a long poll of its holder's close that costs nothing while it waits. Past it, a lease
 * learns of its holder's end later; no procedure's step waits for it.
 */
export const LEASE_WATCHES_AT_ONCE = 5000;

/** Central watches at once (a print job's release watch each): each a poll that costs little while it waits. */
export const CENTRAL_WATCHES_AT_ONCE = 5000;

/**
 * The central worker's Temporal workers, to run together: the workflows with the central
 * activities on the central queue, the leases' watches on theirs, and, where print jobs are
 * delivered, the central watches on theirs (workflows/task-queues.ts).
 */
export async function createCentralWorkers(opts: CentralWorkerOptions): Promise<[central: Worker, leaseWatches: Worker, ...centralWatches: Worker[]]> {
  const central = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? CENTRAL_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: centralActivities(opts),
    ...(opts.maxConcurrentActivityTaskExecutions !== undefined ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions } : {}),
  });
  const leaseWatches = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: LEASE_WATCH_TASK_QUEUE,
    activities: createLeaseActivities({ pollMs: opts.leasePollMs }),
    maxConcurrentActivityTaskExecutions: LEASE_WATCHES_AT_ONCE,
  });
  // The watch actions' activities (runs begun before they had their own queue find them on the central queue too).
  const centralWatches = opts.flexiSpoolerActivities
    ? [
        await Worker.create({
          connection: opts.connection,
          namespace: opts.namespace,
          taskQueue: CENTRAL_WATCH_TASK_QUEUE,
          activities: opts.flexiSpoolerActivities,
          maxConcurrentActivityTaskExecutions: CENTRAL_WATCHES_AT_ONCE,
        }),
      ]
    : [];
  return [central, leaseWatches, ...centralWatches];
}

/**
 * The central activities: the SPOC procedures' Management Server checks, the leases (their watches
 * too, for lease runs begun before the watches had their own queue), the fleet rollouts' looks, the move of
 * a spool server's requests at its shutdown, and the clusters' when given.
 */
export function centralActivities(opts: Pick<CentralWorkerOptions, 'managementServer' | 'pollMs' | 'leasePollMs' | 'extraActivities' | 'flexiSpoolerActivities'>) {
  const spoc: ActivitiesOf<'central', SpocActionWord> =
    opts.managementServer instanceof NoManagementServer ? noManagementServerActivities(opts.managementServer) : createCentralActivities(opts.managementServer, { pollMs: opts.pollMs });
  return { ...spoc, ...createLeaseActivities({ pollMs: opts.leasePollMs }), ...createRolloutActivities(), ...createSapReassignActivities(), ...(opts.extraActivities ?? {}), ...(opts.flexiSpoolerActivities ?? {}) } satisfies ActivitiesOf<'central', SpocActionWord>;
}
