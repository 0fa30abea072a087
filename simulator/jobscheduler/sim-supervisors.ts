/**
 * The supervisors of the simulated JobScheduler clusters, started with the simulated estate so that
 * each cluster has an active member from the start (without them nobody activates berlin's primary,
 * and a killed member is not failed over). Each runs under its usual workflow id
 * `jobscheduler-cluster-<cluster>` with the catalog's example input. Starting is idempotent: a
 * supervisor already running under that id (npm start again after Ctrl-C or kill -9) is left as it
 * is, and a cluster supervised under another id (started by hand from the Web UI) is left to that
 * supervisor, since the cluster-supervision lease admits one supervisor per cluster.
 */
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { SpoolflowClient, workflowIdFor } from '../../client/spoolflow-client';
import { lease, LEASE_HOLDER_MEMO, type LeaseHolder, leaseWorkflowId } from '../../machines/core/leases';
import { clusterExample } from '../catalog-entries';
import type { SimCluster } from './sim-clusters';

/** What became of one cluster's supervisor. */
export interface SupervisorStart {
  cluster: string;
  workflowId: string;
  outcome: 'started' | 'already-running' | 'supervised-elsewhere' | 'failed';
  /** The other supervisor's workflow id (supervised-elsewhere), or why the start failed. */
  detail?: string;
}

/** Thrown for a SPOOLFLOW_SUPERVISORS value other than on or off. */
export class SupervisorsSettingError extends Error {
  override readonly name = 'SupervisorsSettingError';
}

/**
 * SPOOLFLOW_SUPERVISORS: `off` leaves the simulated clusters unsupervised (for starting the
 * supervisors by hand); unset, empty or `on` starts them.
 */
export function supervisorsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.SPOOLFLOW_SUPERVISORS?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new SupervisorsSettingError(`SPOOLFLOW_SUPERVISORS must be "on" or "off", not ${JSON.stringify(env.SPOOLFLOW_SUPERVISORS)}`);
}

const procedureOf = (sim: SimCluster): string => (sim.definition.mode === 'passive' ? 'supervise-passive-cluster' : 'supervise-active-cluster');

/** The workflow id of the supervisor holding the cluster's supervision lease now, if any. */
async function supervisionHolder(client: Client, cluster: string): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(leaseWorkflowId(lease('cluster-supervision', cluster))).describe();
    if (description.status.name !== 'RUNNING') return undefined;
    return (description.memo?.[LEASE_HOLDER_MEMO] as LeaseHolder | undefined)?.workflowId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function startSupervisor(client: Client, sim: SimCluster, simDir: string): Promise<SupervisorStart> {
  const procedure = procedureOf(sim);
  const input = clusterExample(simDir, sim.definition.cluster);
  const workflowId = workflowIdFor(procedure, input);
  const cluster = sim.definition.cluster;
  const holder = await supervisionHolder(client, cluster);
  if (holder !== undefined && holder !== workflowId) return { cluster, workflowId, outcome: 'supervised-elsewhere', detail: holder };
  try {
    await new SpoolflowClient(client).start(procedure, input, { workflowId });
    return { cluster, workflowId, outcome: 'started' };
  } catch (err) {
    // The server runs at most one workflow per id: the supervisor of an earlier start still runs.
    if (err instanceof Error && err.cause instanceof WorkflowExecutionAlreadyStartedError) return { cluster, workflowId, outcome: 'already-running' };
    throw err;
  }
}

/** One line for the operator per supervisor. */
export function describeSupervisorStart(s: SupervisorStart): string {
  switch (s.outcome) {
    case 'started':
      return `supervisor of JobScheduler cluster ${s.cluster}: started as ${s.workflowId}`;
    case 'already-running':
      return `supervisor of JobScheduler cluster ${s.cluster}: already running as ${s.workflowId}`;
    case 'supervised-elsewhere':
      return `supervisor of JobScheduler cluster ${s.cluster}: not started, ${s.detail ?? 'another workflow'} supervises it`;
    case 'failed':
      return `supervisor of JobScheduler cluster ${s.cluster}: could not be started as ${s.workflowId}: ${s.detail ?? 'unknown error'}`;
  }
}

/**
 * Starts the supervisor of every simulated cluster that has none, and logs one line per cluster.
 * A failure to start one is logged and does not stop the estate (its workers still serve the rest).
 */
export async function startSimSupervisors(client: Client, clusters: SimCluster[], simDir: string, log: (message: string) => void): Promise<SupervisorStart[]> {
  const results: SupervisorStart[] = [];
  for (const sim of clusters) {
    let result: SupervisorStart;
    try {
      result = await startSupervisor(client, sim, simDir);
    } catch (err) {
      result = { cluster: sim.definition.cluster, workflowId: `jobscheduler-cluster-${sim.definition.cluster}`, outcome: 'failed', detail: err instanceof Error ? err.message : String(err) };
    }
    log(describeSupervisorStart(result));
    results.push(result);
  }
  return results;
}
