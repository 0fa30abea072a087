/**
 * Every procedure spoolflow runs: its id (used by the CLI and the client), its workflow type, its
 * input schema and its machine. Pure, so workflows, the client and the CLI share it.
 */
import type { AnyStateMachine } from 'xstate';
import { canonicalLeases, hostLeases, lease, Lease } from './core/leases';
import type { z } from 'zod';
import { groupRestartInputSchema, GroupRestartInput, recordedWaitsOverride } from './spoc/spoc-group-input';
import { restartGroupWithoutCacheDeletionMachine, GroupRestartContext } from './spoc/restart-group-without-cache-deletion';
import { restartGroupWithCacheDeletionMachine, CacheDeletionContext, groupMembersRestartedInParallelMachine } from './spoc/restart-group-with-cache-deletion';
import { createGroupFromStandaloneSpocsMachine } from './spoc/create-group-from-standalone-spocs';
import { addSpocToGroupMachine } from './spoc/add-spoc-to-group';
import { removeSpocFromGroupMachine } from './spoc/remove-spoc-from-group';
import { ipAddressChangedMachine } from './spoc/ip-address-changed';
import { moveSpocToAnotherGroupMachine } from './spoc/move-spoc-to-another-group';
import {
  addSpocInputSchema,
  AddSpocInput,
  createGroupInputSchema,
  CreateGroupInput,
  ipChangedInputSchema,
  IpChangedInput,
  moveSpocInputSchema,
  MoveSpocInput,
  removeSpocInputSchema,
  RemoveSpocInput,
} from './spoc/spoc-scenario-inputs';
import type { BlockContext } from './spoc/spoc-group-blocks';
import { groupOsRestartInputSchema, GroupOsRestartInput, standaloneOsRestartInputSchema, StandaloneOsRestartInput } from './spoc/os-restart-input';
import { restartOsOfGroupMembersMachine, GroupOsRestartContext } from './spoc/restart-os-of-group-members';
import { restartOsOfStandaloneSpocsMachine, StandaloneOsRestartContext } from './spoc/restart-os-of-standalone-spocs';
import type { OsRestartContext } from './spoc/os-restart-steps';
import { activeSupervisorInputSchema, passiveSupervisorInputSchema, SupervisorInput } from './jobscheduler/cluster-supervisor-input';
import { passiveClusterSupervisorMachine, PassiveSupervisorContext, summarizePassiveSupervisor } from './jobscheduler/passive-cluster-supervisor';
import { activeClusterSupervisorMachine, ActiveSupervisorContext, summarizeActiveSupervisor } from './jobscheduler/active-cluster-supervisor';
import { setClusterOptionInputSchema, SetClusterOptionInput, targetMemberOf } from './jobscheduler/set-cluster-option-input';
import { setClusterOptionMachine, SetClusterOptionContext, summarize as summarizeSetClusterOption } from './jobscheduler/set-cluster-option';
import { jobDeliveryInputSchema, JobDeliveryInput } from './flexispooler/job-delivery-input';
import { jobDeliveryMachine, JobDeliveryContext, summarizeJobDelivery } from './flexispooler/job-delivery';

export interface ProcedureDefinition {
  /** Kebab-case id the CLI uses. */
  id: string;
  /** The workflow function's name. */
  workflowType: string;
  description: string;
  inputSchema: z.ZodType;
  machine: AnyStateMachine;
  /** Hosts the procedure touches, for search attributes. */
  hostsOf: (input: never) => string[];
  /** The SPOC groups and JobScheduler clusters the procedure changes; its hosts are leased too, unless `watchesOnly`. */
  changes: (input: never) => Lease[];
  /**
   * A supervisor watches a cluster and changes no host by its own plan, so it holds only its
   * supervision lease (one supervisor per cluster) and a cluster option change can run under it.
   */
  watchesOnly?: boolean;
  /** A small summary of the context for `status`. */
  summarize: (context: never) => Record<string, unknown>;
}

/** Every lease a procedure holds for its whole run: its hosts and what it changes, in canonical order. */
export function leasesOf(procedure: ProcedureDefinition, input: unknown): Lease[] {
  const hosts = procedure.watchesOnly ? [] : hostLeases(procedure.hostsOf(input as never));
  return canonicalLeases([...hosts, ...procedure.changes(input as never)]);
}

function summarizeGroupRestart(c: GroupRestartContext): Record<string, unknown> {
  return {
    group: c.input.group,
    member: c.input.members[c.memberIndex]?.host,
    members: c.input.members.length,
    ...summarizeScenario(c),
  };
}

function summarizeScenario(c: BlockContext): Record<string, unknown> {
  return {
    memberIndex: c.memberIndex,
    cachesDeleted: c.cachesDeleted,
    completedMembers: c.completedMembers,
    down: c.down,
    loadOverride: c.loadOverride,
    waitsOverride: recordedWaitsOverride(c.input),
    abortReason: c.abortReason,
    couldNotStart: c.couldNotStart,
  };
}

function summarizeOsRestart(c: OsRestartContext & BlockContext): Record<string, unknown> {
  return {
    ...summarizeScenario(c),
    restartRequestedAt: c.restartRequestedAt,
    bootedAt: c.bootedAt,
    parallelRestartSeen: c.parallelRestartSeen,
    lanes: c.lanes,
  };
}

export const PROCEDURES = [
  {
    id: 'restart-group-without-cache-deletion',
    workflowType: 'restartGroupWithoutCacheDeletion',
    description:
      'Restart a SPOC group without cache deletion, one member at a time: stop SPOC, group service, terminal server and the other services, start them again, wait for ONLINE and for the cache rescue, let the distributed layer converge, then the next member.',
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithoutCacheDeletionMachine,
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
    summarize: summarizeGroupRestart,
  },
  {
    id: 'restart-group-with-cache-deletion',
    workflowType: 'restartGroupWithCacheDeletion',
    description:
      'Restart a SPOC group with cache deletion: stop SPOC, group service, terminal server and the other services on every member, delete every member\'s spool cache, then start the members one at a time (SPOC and group service, terminal server, ONLINE, the other services) with a wait between them.',
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithCacheDeletionMachine,
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
    summarize: (c: CacheDeletionContext) => summarizeGroupRestart(c),
  },
  {
    id: 'create-group-from-standalone-spocs',
    workflowType: 'createGroupFromStandaloneSpocs',
    description:
      'A SPOC group was created from standalone SPOCs: newly installed ones are restarted without cache deletion (no convergence wait), ones in production with cache deletion.',
    inputSchema: createGroupInputSchema,
    machine: createGroupFromStandaloneSpocsMachine,
    hostsOf: (input: CreateGroupInput) => input.members.map((m) => m.host),
    changes: (input: CreateGroupInput) => [lease('spoc-group', input.group)],
    summarize: summarizeScenario,
  },
  {
    id: 'add-spoc-to-group',
    workflowType: 'addSpocToGroup',
    description:
      'A standalone SPOC was added to a SPOC group: with a group of two, restart all three with cache deletion; with three or more, stop the new SPOC and delete its cache, restart the original group without cache deletion, then start the new SPOC.',
    inputSchema: addSpocInputSchema,
    machine: addSpocToGroupMachine,
    hostsOf: (input: AddSpocInput) => [...input.members, input.newMember].map((m) => m.host),
    changes: (input: AddSpocInput) => [lease('spoc-group', input.group)],
    summarize: summarizeScenario,
  },
  {
    id: 'remove-spoc-from-group',
    workflowType: 'removeSpocFromGroup',
    description: 'A SPOC was removed from its group: restart the members that stay with cache deletion, then stop and start the removed SPOC.',
    inputSchema: removeSpocInputSchema,
    machine: removeSpocFromGroupMachine,
    hostsOf: (input: RemoveSpocInput) => [...input.members, input.removedMember].map((m) => m.host),
    changes: (input: RemoveSpocInput) => [lease('spoc-group', input.group)],
    summarize: summarizeScenario,
  },
  {
    id: 'move-spoc-to-another-group',
    workflowType: 'moveSpocToAnotherGroup',
    description: 'Move a SPOC to another group: in two steps (remove, then add) or in one step (restart both groups with cache deletion).',
    inputSchema: moveSpocInputSchema,
    machine: moveSpocToAnotherGroupMachine,
    hostsOf: (input: MoveSpocInput) => [...input.from.members, input.spoc, ...input.to.members].map((m) => m.host),
    changes: (input: MoveSpocInput) => [lease('spoc-group', input.from.group), lease('spoc-group', input.to.group)],
    summarize: summarizeScenario,
  },
  {
    id: 'ip-address-changed',
    workflowType: 'ipAddressChanged',
    description: 'The IP address of a site server changed: restart the remaining members of its group with cache deletion.',
    inputSchema: ipChangedInputSchema,
    machine: ipAddressChangedMachine,
    hostsOf: (input: IpChangedInput) => input.members.map((m) => m.host),
    changes: (input: IpChangedInput) => [lease('spoc-group', input.group)],
    summarize: summarizeScenario,
  },
  {
    id: 'restart-os-of-standalone-spocs',
    workflowType: 'restartOsOfStandaloneSpocs',
    description:
      'Restart the operating system of standalone SPOC servers, in parallel: each is restarted on the host, then observed back (new boot time, its services running) and online on the Management Server.',
    inputSchema: standaloneOsRestartInputSchema,
    machine: restartOsOfStandaloneSpocsMachine,
    hostsOf: (input: StandaloneOsRestartInput) => input.spocs.map((m) => m.host),
    changes: () => [],
    summarize: (c: StandaloneOsRestartContext) => summarizeOsRestart(c),
  },
  {
    id: 'restart-os-of-group-members',
    workflowType: 'restartOsOfGroupMembers',
    description:
      'Restart the operating system of the servers of a SPOC group, one member at a time: restart, wait until it is back and its SPOC online on the Management Server, wait 5-10 minutes, next. A member found down meanwhile (a parallel restart) leads to the restart with cache deletion on all members.',
    inputSchema: groupOsRestartInputSchema,
    machine: restartOsOfGroupMembersMachine,
    hostsOf: (input: GroupOsRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupOsRestartInput) => [lease('spoc-group', input.group)],
    summarize: (c: GroupOsRestartContext) => ({ group: c.input.group, member: c.input.members[c.memberIndex]?.host, ...summarizeOsRestart(c) }),
  },
  {
    id: 'group-members-restarted-in-parallel',
    workflowType: 'groupMembersRestartedInParallel',
    description:
      'Several members of a SPOC group were restarted in parallel (their OS, outside spoolflow): the runbook requires the restart with cache deletion on all members of the group.',
    inputSchema: groupRestartInputSchema,
    machine: groupMembersRestartedInParallelMachine,
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    changes: (input: GroupRestartInput) => [lease('spoc-group', input.group)],
    summarize: (c: CacheDeletionContext) => summarizeGroupRestart(c),
  },
  {
    id: 'supervise-passive-cluster',
    workflowType: 'supervisePassiveCluster',
    description:
      'Supervise a passive JobScheduler cluster: only the primary active; when the active member is aborted or killed (heartbeat lost), fence it and activate the backup next in precedence; a normal termination activates nobody; when the primary is back, terminate the backup and activate the primary. Runs until stopped (operator.abort).',
    inputSchema: passiveSupervisorInputSchema,
    machine: passiveClusterSupervisorMachine,
    hostsOf: (input: SupervisorInput) => input.cluster.members.map((m) => m.host),
    changes: (input: SupervisorInput) => [lease('cluster-supervision', input.cluster.cluster)],
    watchesOnly: true,
    summarize: (c: PassiveSupervisorContext) => summarizePassiveSupervisor(c),
  },
  {
    id: 'supervise-active-cluster',
    workflowType: 'superviseActiveCluster',
    description:
      'Supervise an active JobScheduler cluster: hand each step of distributed orders to the least-loaded alive member, in chain order; steps of a member that dies run again elsewhere. Submit orders with the operator update {type: "operator.submitOrder", chain, order}. Runs until stopped (operator.abort).',
    inputSchema: activeSupervisorInputSchema,
    machine: activeClusterSupervisorMachine,
    hostsOf: (input: SupervisorInput) => input.cluster.members.map((m) => m.host),
    changes: (input: SupervisorInput) => [lease('cluster-supervision', input.cluster.cluster)],
    watchesOnly: true,
    summarize: (c: ActiveSupervisorContext) => summarizeActiveSupervisor(c),
  },
  {
    id: 'set-cluster-option',
    workflowType: 'setClusterOption',
    description:
      "Set a JobScheduler member's cluster option (SCHEDULER_CLUSTER_OPTIONS). Unix: stop, set it in ./bin/jobscheduler_environment_variables.sh, start. Windows: stop the service, jobscheduler.cmd remove, set it in the .cmd file, jobscheduler.cmd install, start the service. The change must leave a valid cluster.",
    inputSchema: setClusterOptionInputSchema,
    machine: setClusterOptionMachine,
    hostsOf: (input: SetClusterOptionInput) => [targetMemberOf(input).host],
    changes: (input: SetClusterOptionInput) => [lease('cluster', input.cluster.cluster)],
    summarize: (c: SetClusterOptionContext) => summarizeSetClusterOption(c),
  },
  {
    id: 'deliver-print-job',
    workflowType: 'deliverPrintJob',
    description:
      "Deliver one print job from a FlexiSpooler Client: its location (DHCP option 9, else the last location kept, or the installation's locations map), then its Spooler Controllers in the defined order, the first reachable taking the job; none reachable: through the public FlexiSpooler Server to the data center, else queued on the client, saying why, and tried again; then held until the user authenticates at a printer, in any office. An operator may redirect a waiting job to another location (operator.redirect {location}) or cancel it (operator.cancel).",
    inputSchema: jobDeliveryInputSchema,
    machine: jobDeliveryMachine,
    hostsOf: (input: JobDeliveryInput) => [input.client],
    // A delivery changes no host and no group: the servers dedupe on the job id, so it needs no
    // lease, and a client's jobs deliver side by side (a host lease would refuse its second job).
    changes: () => [],
    watchesOnly: true,
    summarize: (c: JobDeliveryContext) => summarizeJobDelivery(c),
  },
] as const satisfies readonly ProcedureDefinition[];

export type ProcedureId = (typeof PROCEDURES)[number]['id'];

/** The procedure with this id, or an error that lists the known ids. */
export function procedureById(id: string): ProcedureDefinition {
  const found = PROCEDURES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown procedure "${id}"; known: ${PROCEDURES.map((p) => p.id).join(', ')}`);
  return found;
}
