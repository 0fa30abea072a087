/**
 * The procedures a chaos run starts on the default inventory: on each SPOC group one of the group
 * procedures (the restart without or with cache deletion, the OS restart of its members), on the
 * standalone SPOCs their OS restart; in some runs one of the membership scenarios in their place
 * (a SPOC added, removed, moved, ...); inputs from the catalog's examples, with waits short enough
 * for a run to take a minute or two and timeouts short enough that a fault halts a step in seconds.
 * In some runs also the JobScheduler cluster option change on berlin.
 */
import { groupRestartExample, osRestartExamples, scenarioExamples } from '../simulator/example-inputs';
import { clusterExample } from '../simulator/catalog-entries';
import type { Inventory } from '../simulator/spoc/inventory';
import { GROUP_SERVICE } from '../machines/spoc/spoc-services';

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
  /** Services the runbook leaves stopped, per host: a SPOC removed from its group is standalone, its group service not started again. */
  intentionallyStopped?: Record<string, string[]>;
  /** Services left stopped only by a procedure that did not complete: a SPOC moved in two steps, standalone between them. */
  stoppedUnlessCompleted?: Record<string, string[]>;
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
 * The SPOC scenarios beyond the plain restarts (docs/spoc-group-maintenance.md): a group made from
 * standalone SPOCs, a SPOC added, removed or moved, an IP address changed, members restarted in
 * parallel by hand. Each is the catalog's example on the default inventory (prague: 3 members,
 * london: 2, spoc-bts-1 and -2 standalone).
 */
export const MEMBERSHIP_SCENARIOS = ['create-group-from-standalone-spocs', 'add-spoc-to-group', 'remove-spoc-from-group', 'move-spoc-to-another-group', 'ip-address-changed', 'group-members-restarted-in-parallel'] as const;
export type MembershipScenario = (typeof MEMBERSHIP_SCENARIOS)[number];

/** A scenario planned for a run, with the groups and standalone SPOCs it takes (no other procedure of the run is planned on them). */
export interface PlannedScenario {
  procedure: PlannedProcedure;
  groups: string[];
  standalone: string[];
}

/**
 * The scenario's procedure with the run's short waits, and what the invariants expect of it: which
 * hosts it changes, whether one member at a time (a restart without cache deletion: the newly
 * installed SPOCs made a group) or all at once with their caches deleted (every other one here:
 * london has two members, so a SPOC added to it restarts all three with cache deletion).
 */
export function membershipScenario(inventory: Inventory, scenario: MembershipScenario, runTag: string): PlannedScenario {
  const examples = scenarioExamples(inventory);
  const members = (group: string) => inventory.groups.find((g) => g.name === group)?.members ?? [];
  const plan = (groups: string[], input: object, hosts: string[], oneAtATime: boolean, more: Pick<PlannedProcedure, 'intentionallyStopped' | 'stoppedUnlessCompleted'> & { standalone?: string[] } = {}): PlannedScenario => ({
    procedure: { procedureId: scenario, workflowId: `chaos-${runTag}-${groups.join('+')}`, input: { ...input, waits: CHAOS_WAITS }, hosts, ...(oneAtATime ? { oneAtATime: hosts } : {}), restartsOs: false, deletesCache: !oneAtATime, ...(more.intentionallyStopped ? { intentionallyStopped: more.intentionallyStopped } : {}), ...(more.stoppedUnlessCompleted ? { stoppedUnlessCompleted: more.stoppedUnlessCompleted } : {}) },
    groups,
    standalone: more.standalone ?? [],
  });
  switch (scenario) {
    case 'create-group-from-standalone-spocs':
      return plan(['london'], examples[scenario], members('london'), true);
    case 'add-spoc-to-group': {
      const added = examples[scenario].newMember.host;
      return plan(['london'], examples[scenario], [...members('london'), added], false, { standalone: [added] });
    }
    // The removed SPOC is standalone: its group service is not started again (nor, moved in two steps, until it joins the other group: a move that did not complete may leave it so).
    case 'remove-spoc-from-group':
      return plan(['prague'], examples[scenario], members('prague'), false, { intentionallyStopped: { [examples[scenario].removedMember?.host ?? '']: [GROUP_SERVICE] } });
    case 'move-spoc-to-another-group':
      return plan(['prague', 'london'], examples[scenario], [...members('prague'), ...members('london')], false, { stoppedUnlessCompleted: { [examples[scenario].spoc?.host ?? '']: [GROUP_SERVICE] } });
    case 'ip-address-changed':
      return plan(['prague'], examples[scenario], examples[scenario].members.map((m) => m.host), false);
    case 'group-members-restarted-in-parallel':
      return plan(['london'], groupRestartExample(inventory, 'london'), members('london'), false);
  }
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
