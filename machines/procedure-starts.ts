/**
 * What starting a procedure needs of it, without its machine: its id, workflow type, description,
 * the hosts it touches and what it changes (its leases). machines/catalog.ts makes each procedure of
 * these and its input schema, machine and summary; `spoolflow start`, the run's summary for the
 * Web UI (workflows/run-description.ts) and the agent warning read these alone, so starting one
 * procedure does not load every machine of the catalog (client/procedure-modules.ts loads its
 * input schema only).
 */
import { canonicalLeases, hostLeases, lease, type Lease } from './core/leases';
import type { GroupRestartInput } from './spoc/spoc-group-input';
import type { AddSpocInput, CreateGroupInput, IpChangedInput, MoveSpocInput, RemoveSpocInput } from './spoc/spoc-scenario-inputs';
import type { GroupOsRestartInput, StandaloneOsRestartInput } from './spoc/os-restart-input';
import type { SupervisorInput } from './jobscheduler/cluster-supervisor-input';
import { clusterDatabase, targetMemberOf } from './jobscheduler/cluster-members';
import type { SetClusterOptionInput } from './jobscheduler/set-cluster-option-input';
import type { JobDeliveryInput } from './flexispooler/job-delivery-input';

export interface ProcedureStart {
  /** Kebab-case id the CLI uses. */
  id: string;
  /** The workflow function's name. */
  workflowType: string;
  description: string;
  /** Hosts the procedure touches, for search attributes. */
  hostsOf: (input: never) => string[];
  /** The SPOC groups and JobScheduler clusters the procedure changes; its hosts are leased too, unless `watchesOnly`. */
  changes: (input: never) => Lease[];
  /**
   * A supervisor watches a cluster and changes no host by its own plan, so it holds only its
   * supervision lease (one supervisor per cluster) and a cluster option change can run under it.
   */
  watchesOnly?: boolean;
  /**
   * Leases taken since a change (a `wf.patched` marker of its name): a run recorded before it
   * took the others only, and replays so; every new run takes these too.
   */
  changesSince?: { change: string; changes: (input: never) => Lease[] };
}

/**
 * Every lease a procedure holds for its whole run: its hosts and what it changes, in canonical
 * order; with `since`, which tells whether the run has a change, those taken since it too.
 */
export function leasesOf(procedure: ProcedureStart, input: unknown, since?: (change: string) => boolean): Lease[] {
  const hosts = procedure.watchesOnly ? [] : hostLeases(procedure.hostsOf(input as never));
  const later = procedure.changesSince && since?.(procedure.changesSince.change) ? procedure.changesSince.changes(input as never) : [];
  return canonicalLeases([...hosts, ...procedure.changes(input as never), ...later]);
}

/**
 * Since this change a cluster's supervisor and its option changes lease its database as well as
 * its name: two definitions under different names that name one database are one cluster.
 */
export const LEASES_BY_CLUSTER_DATABASE = 'jobscheduler-leases-by-cluster-database';

/** A supervisor's lease on its cluster's database, since LEASES_BY_CLUSTER_DATABASE. */
const DATABASE_SUPERVISION: ProcedureStart['changesSince'] = { change: LEASES_BY_CLUSTER_DATABASE, changes: (input: SupervisorInput) => [lease('cluster-database-supervision', clusterDatabase(input.cluster))] };

/** Keyed by id, in the catalog's order (test/client/procedure-modules.test.ts holds them to it). */
export const PROCEDURE_STARTS = {
  'restart-group-without-cache-deletion': {
    id: 'restart-group-without-cache-deletion',
    workflowType: 'restartGroupWithoutCacheDeletion',
    description:
      'Restart a SPOC group without cache deletion, one member at a time: stop SPOC, group service, terminal server and the other services, start them again, wait for ONLINE and for the cache rescue, let the distributed layer converge, then the next member.',
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
  },
  'restart-group-with-cache-deletion': {
    id: 'restart-group-with-cache-deletion',
    workflowType: 'restartGroupWithCacheDeletion',
    description:
      'Restart a SPOC group with cache deletion: stop SPOC, group service, terminal server and the other services on every member, delete every member\'s spool cache, then start the members one at a time (SPOC and group service, terminal server, ONLINE, the other services) with a wait between them.',
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
  },
  'create-group-from-standalone-spocs': {
    id: 'create-group-from-standalone-spocs',
    workflowType: 'createGroupFromStandaloneSpocs',
    description:
      'A SPOC group was created from standalone SPOCs: newly installed ones are restarted without cache deletion (no convergence wait), ones in production with cache deletion.',
    hostsOf: (input: CreateGroupInput) => input.members.map((m) => m.host),
    changes: (input: CreateGroupInput) => [lease('spoc-group', input.group)],
  },
  'add-spoc-to-group': {
    id: 'add-spoc-to-group',
    workflowType: 'addSpocToGroup',
    description:
      'A standalone SPOC was added to a SPOC group: with a group of two, restart all three with cache deletion; with three or more, stop the new SPOC and delete its cache, restart the original group without cache deletion, then start the new SPOC.',
    hostsOf: (input: AddSpocInput) => [...input.members, input.newMember].map((m) => m.host),
    changes: (input: AddSpocInput) => [lease('spoc-group', input.group)],
  },
  'remove-spoc-from-group': {
    id: 'remove-spoc-from-group',
    workflowType: 'removeSpocFromGroup',
    description: 'A SPOC was removed from its group: restart the members that stay with cache deletion, then stop and start the removed SPOC.',
    hostsOf: (input: RemoveSpocInput) => [...input.members, input.removedMember].map((m) => m.host),
    changes: (input: RemoveSpocInput) => [lease('spoc-group', input.group)],
  },
  'move-spoc-to-another-group': {
    id: 'move-spoc-to-another-group',
    workflowType: 'moveSpocToAnotherGroup',
    description: 'Move a SPOC to another group: in two steps (remove, then add) or in one step (restart both groups with cache deletion).',
    hostsOf: (input: MoveSpocInput) => [...input.from.members, input.spoc, ...input.to.members].map((m) => m.host),
    changes: (input: MoveSpocInput) => [lease('spoc-group', input.from.group), lease('spoc-group', input.to.group)],
  },
  'ip-address-changed': {
    id: 'ip-address-changed',
    workflowType: 'ipAddressChanged',
    description: 'The IP address of a site server changed: restart the remaining members of its group with cache deletion.',
    hostsOf: (input: IpChangedInput) => input.members.map((m) => m.host),
    changes: (input: IpChangedInput) => [lease('spoc-group', input.group)],
  },
  'restart-os-of-standalone-spocs': {
    id: 'restart-os-of-standalone-spocs',
    workflowType: 'restartOsOfStandaloneSpocs',
    description:
      'Restart the operating system of standalone SPOC servers, in parallel: each is restarted on the host, then observed back (new boot time, its services running) and online on the Management Server.',
    hostsOf: (input: StandaloneOsRestartInput) => input.spocs.map((m) => m.host),
    changes: () => [],
  },
  'restart-os-of-group-members': {
    id: 'restart-os-of-group-members',
    workflowType: 'restartOsOfGroupMembers',
    description:
      'Restart the operating system of the servers of a SPOC group, one member at a time: restart, wait until it is back and its SPOC online on the Management Server, wait 5-10 minutes, next. A member found down meanwhile (a parallel restart) leads to the restart with cache deletion on all members.',
    hostsOf: (input: GroupOsRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupOsRestartInput) => [lease('spoc-group', input.group)],
  },
  'group-members-restarted-in-parallel': {
    id: 'group-members-restarted-in-parallel',
    workflowType: 'groupMembersRestartedInParallel',
    description:
      'Several members of a SPOC group were restarted in parallel (their OS, outside spoolflow): the runbook requires the restart with cache deletion on all members of the group.',
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
  },
  'supervise-passive-cluster': {
    id: 'supervise-passive-cluster',
    workflowType: 'supervisePassiveCluster',
    description:
      'Supervise a passive JobScheduler cluster: only the primary active; when the active member is aborted or killed (heartbeat lost), fence it and activate the backup next in precedence; a normal termination activates nobody; when the primary is back, terminate the backup and activate the primary. Runs until stopped (operator.abort).',
    hostsOf: (input: SupervisorInput) => input.cluster.members.map((m) => m.host),
    changes: (input: SupervisorInput) => [lease('cluster-supervision', input.cluster.cluster)],
    watchesOnly: true,
    changesSince: DATABASE_SUPERVISION,
  },
  'supervise-active-cluster': {
    id: 'supervise-active-cluster',
    workflowType: 'superviseActiveCluster',
    description:
      'Supervise an active JobScheduler cluster: hand each step of distributed orders to the least-loaded alive member, in chain order; steps of a member that dies run again elsewhere. Submit orders with the operator update {type: "operator.submitOrder", chain, order}. Runs until stopped (operator.abort).',
    hostsOf: (input: SupervisorInput) => input.cluster.members.map((m) => m.host),
    changes: (input: SupervisorInput) => [lease('cluster-supervision', input.cluster.cluster)],
    watchesOnly: true,
    changesSince: DATABASE_SUPERVISION,
  },
  'set-cluster-option': {
    id: 'set-cluster-option',
    workflowType: 'setClusterOption',
    description:
      "Set a JobScheduler member's cluster option (SCHEDULER_CLUSTER_OPTIONS). Unix: stop, set it in ./bin/jobscheduler_environment_variables.sh, start. Windows: stop the service, jobscheduler.cmd remove, set it in the .cmd file, jobscheduler.cmd install, start the service. The change must leave a valid cluster.",
    hostsOf: (input: SetClusterOptionInput) => [targetMemberOf(input).host],
    changes: (input: SetClusterOptionInput) => [lease('cluster', input.cluster.cluster)],
    changesSince: { change: LEASES_BY_CLUSTER_DATABASE, changes: (input: SetClusterOptionInput) => [lease('cluster-database', clusterDatabase(input.cluster))] },
  },
  'deliver-print-job': {
    id: 'deliver-print-job',
    workflowType: 'deliverPrintJob',
    description:
      "Deliver one print job from a FlexiSpooler Client: its location (DHCP option 9, else the last location kept, or the installation's locations map), then its Spooler Controllers in the defined order, the first reachable taking the job; none reachable: through the public FlexiSpooler Server to the data center, else queued on the client, saying why, and tried again; then held until the user authenticates at a printer, in any office. An operator may redirect a waiting job to another location (operator.redirect {location}) or cancel it (operator.cancel).",
    hostsOf: (input: JobDeliveryInput) => [input.client],
    // A delivery changes no host and no group: the servers dedupe on the job id, so it needs no
    // lease, and a client's jobs deliver side by side (a host lease would refuse its second job).
    changes: () => [],
    watchesOnly: true,
  },
} as const satisfies Record<string, ProcedureStart>;

/** The ids of the catalog's procedures, in its order. */
export const PROCEDURE_IDS = Object.keys(PROCEDURE_STARTS) as (keyof typeof PROCEDURE_STARTS)[];

/** The procedure with this id, or the catalog's error that lists the known ids. */
export function procedureStartById(id: string): ProcedureStart {
  const found = Object.hasOwn(PROCEDURE_STARTS, id) ? PROCEDURE_STARTS[id as keyof typeof PROCEDURE_STARTS] : undefined;
  if (!found) throw new Error(`unknown procedure "${id}"; known: ${PROCEDURE_IDS.join(', ')}`);
  return found;
}
