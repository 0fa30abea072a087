/**
 * The workers of simulated SAP spool servers for a test: the central worker (the dispatchers and
 * the global management slot, with the lease activities the slot watches its holder with) and one
 * worker per spool server's work-process queue. `sap-spool-workers-main.ts` runs the same as a
 * process of its own, for a kill -9.
 */
import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createLeaseActivities } from '../../activities/core/lease-activities';
import { createSapWorkProcessWorkers, SimSapSystem, simSpoolServerSettings } from '../../simulator/sap/sim-sap-estate';
import { SimSpoolServers } from '../../simulator/sap/sim-spool-servers';
import { CENTRAL_TASK_QUEUE } from '../../workflows/task-queues';

export async function createSapSpoolWorkers(conn: { connection: NativeConnection; namespace: string }, bundle: WorkflowBundleOption, systems: SimSapSystem[], simDir: string): Promise<{ workers: Worker[]; servers: SimSpoolServers }> {
  const servers = new SimSpoolServers(simDir, simSpoolServerSettings(systems));
  const central = await Worker.create({ ...conn, taskQueue: CENTRAL_TASK_QUEUE, workflowBundle: bundle, activities: createLeaseActivities({ pollMs: 200 }) });
  return { workers: [central, ...(await createSapWorkProcessWorkers(conn, systems, servers))], servers };
}
