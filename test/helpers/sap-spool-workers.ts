/**
 * The workers of simulated SAP spool servers for a test: the central worker (the dispatchers and
 * the global management slot, with the lease activities the slot watches its holder with and the
 * move of a shut-down server's requests) and one
 * worker per spool server's work-process queue. `sap-spool-workers-main.ts` runs the same as a
 * process of its own, for a kill -9.
 */
import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createLeaseActivities } from '../../activities/core/lease-activities';
import { createSapReassignActivities } from '../../activities/sap/spool-reassignment';
import { createSapWorkProcessWorkers, SimSapSystem, simSpoolServerSettings } from '../../simulator/sap/sim-sap-estate';
import { SimSpoolServers } from '../../simulator/sap/sim-spool-servers';
import { CENTRAL_TASK_QUEUE } from '../../workflows/task-queues';

/**
 * The workers. A worker that is to be killed says so: its workflows' next tasks then go back to
 * every worker after 1 s rather than waiting the SDK's 10 s on its own (sticky) queue, which keeps
 * the test short and changes nothing of what it proves.
 */
export async function createSapSpoolWorkers(
  conn: { connection: NativeConnection; namespace: string },
  bundle: WorkflowBundleOption,
  systems: SimSapSystem[],
  simDir: string,
  options: { toBeKilled?: boolean } = {},
): Promise<{ workers: Worker[]; servers: SimSpoolServers }> {
  const servers = new SimSpoolServers(simDir, simSpoolServerSettings(systems));
  const central = await Worker.create({
    ...conn,
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowBundle: bundle,
    activities: { ...createLeaseActivities({ pollMs: 200 }), ...createSapReassignActivities() },
    ...(options.toBeKilled ? { stickyQueueScheduleToStartTimeout: '1s' } : {}),
  });
  return { workers: [central, ...(await createSapWorkProcessWorkers(conn, systems, servers))], servers };
}
