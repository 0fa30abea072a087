/**
 * The procedures a chaos run starts on the default inventory: on each SPOC group one of the group
 * procedures (the restart without or with cache deletion, the OS restart of its members), on the
 * standalone SPOCs their OS restart; inputs from the catalog's examples, with waits short enough
 * for a run to take a minute or two and timeouts short enough that a fault halts a step in seconds.
 * In some runs also the JobScheduler cluster option change on berlin.
 */
import { groupRestartExample, osRestartExamples } from '../simulator/example-inputs';
import { clusterExample } from '../simulator/catalog-entries';
import type { Inventory } from '../simulator/spoc/inventory';

export interface PlannedProcedure {
  procedureId: string;
  workflowId: string;
  input: unknown;
  hosts: string[];
  /** Members it must keep at most one of down, for the one-at-a-time procedures. */
  oneAtATime?: string[];
  restartsOs: boolean;
  deletesCache: boolean;
  /** The JobScheduler member it stops and starts again (the cluster option change). */
  member?: string;
}

export const GROUP_PROCEDURES = ['restart-group-without-cache-deletion', 'restart-group-with-cache-deletion', 'restart-os-of-group-members'] as const;
export type GroupProcedure = (typeof GROUP_PROCEDURES)[number];

/** Timeouts a fault runs into quickly: the simulated services start in well under a second. */
const CHAOS_WAITS = {
  serviceTimeoutSeconds: 8,
  groupServiceTimeoutSeconds: 8,
  onlineTimeoutSeconds: 10,
  rescueTimeoutSeconds: 10,
  convergenceSeconds: 1,
  betweenStartsSeconds: 1,
  hostPickupSeconds: 10,
  cacheDeletionTimeoutSeconds: 60,
};
const CHAOS_OS_WAITS = { ...CHAOS_WAITS, restartDelaySeconds: 5, bootTimeoutSeconds: 30, settleSeconds: 1 };

export function groupProcedure(inventory: Inventory, group: string, procedureId: GroupProcedure, runTag: string): PlannedProcedure {
  const example = groupRestartExample(inventory, group);
  const hosts = example.members.map((m) => m.host);
  const workflowId = `chaos-${runTag}-${group}`;
  if (procedureId === 'restart-os-of-group-members') {
    const os = osRestartExamples(inventory)['restart-os-of-group-members'];
    return { procedureId, workflowId, input: { ...os, group, members: example.members, waits: CHAOS_OS_WAITS }, hosts, oneAtATime: hosts, restartsOs: true, deletesCache: false };
  }
  const input = { ...example, waits: CHAOS_WAITS };
  const withCache = procedureId === 'restart-group-with-cache-deletion';
  return { procedureId, workflowId, input, hosts, oneAtATime: withCache ? undefined : hosts, restartsOs: false, deletesCache: withCache };
}

export function standaloneOsRestart(inventory: Inventory, runTag: string): PlannedProcedure {
  const example = osRestartExamples(inventory)['restart-os-of-standalone-spocs'];
  return {
    procedureId: 'restart-os-of-standalone-spocs',
    workflowId: `chaos-${runTag}-standalone`,
    input: { ...example, waits: CHAOS_OS_WAITS },
    hosts: example.spocs.map((s) => s.host),
    restartsOs: true,
    deletesCache: false,
  };
}

/**
 * The catalog's example of the cluster option change: berlin's backup js-berlin-3 to precedence 3
 * (a Windows member: stopped, its service removed and installed with the new options, started).
 * The shortest waits the input allows, so a stuck step halts in seconds.
 */
export function clusterOptionChange(simDir: string, runTag: string): PlannedProcedure {
  const host = 'js-berlin-3';
  return {
    procedureId: 'set-cluster-option',
    workflowId: `chaos-${runTag}-berlin`,
    input: { cluster: clusterExample(simDir, 'berlin').cluster, host, options: '-exclusive -backup -backup-precedence=3', waits: { stopTimeoutSeconds: 10, startTimeoutSeconds: 10, hostPickupSeconds: 10 } },
    hosts: [host],
    member: host,
    restartsOs: false,
    deletesCache: false,
  };
}
