/**
 * Every procedure spoolflow runs: its id (used by the CLI and the client), its workflow type, its
 * input schema and its machine (what starting it needs besides: machines/procedure-starts.ts). Pure, so workflows, the client and the CLI share it.
 */
import type { AnyStateMachine } from 'xstate';
import { leasesOf, PROCEDURE_STARTS, type ProcedureStart } from './procedure-starts';
import type { z } from 'zod';
import { groupRestartInputSchema } from './spoc/spoc-group-input';
import { summarizeGroupOsRestart, summarizeGroupRestart, summarizeScenario, summarizeStandaloneOsRestart } from './spoc/spoc-summaries';
import { restartGroupWithoutCacheDeletionMachine } from './spoc/restart-group-without-cache-deletion';
import { restartGroupWithCacheDeletionMachine, groupMembersRestartedInParallelMachine } from './spoc/restart-group-with-cache-deletion';
import { createGroupFromStandaloneSpocsMachine } from './spoc/create-group-from-standalone-spocs';
import { addSpocToGroupMachine } from './spoc/add-spoc-to-group';
import { removeSpocFromGroupMachine } from './spoc/remove-spoc-from-group';
import { ipAddressChangedMachine } from './spoc/ip-address-changed';
import { moveSpocToAnotherGroupMachine } from './spoc/move-spoc-to-another-group';
import {
  addSpocInputSchema,
  createGroupInputSchema,
  ipChangedInputSchema,
  moveSpocInputSchema,
  removeSpocInputSchema,
} from './spoc/spoc-scenario-inputs';
import { groupOsRestartInputSchema, standaloneOsRestartInputSchema } from './spoc/os-restart-input';
import { restartOsOfGroupMembersMachine } from './spoc/restart-os-of-group-members';
import { restartOsOfStandaloneSpocsMachine } from './spoc/restart-os-of-standalone-spocs';
import { activeSupervisorInputSchema, passiveSupervisorInputSchema } from './jobscheduler/cluster-supervisor-input';
import { passiveClusterSupervisorMachine, summarizePassiveSupervisor } from './jobscheduler/passive-cluster-supervisor';
import { activeClusterSupervisorMachine, summarizeActiveSupervisor } from './jobscheduler/active-cluster-supervisor';
import { setClusterOptionInputSchema } from './jobscheduler/set-cluster-option-input';
import { setClusterOptionMachine, summarize as summarizeSetClusterOption } from './jobscheduler/set-cluster-option';
import { jobDeliveryInputSchema } from './flexispooler/job-delivery-input';
import { jobDeliveryMachine, jobDeliveryRefusal, summarizeJobDelivery } from './flexispooler/job-delivery';

/** A procedure: what starting it needs (machines/procedure-starts.ts), its input schema and its machine. */
export interface ProcedureDefinition extends ProcedureStart {
  inputSchema: z.ZodType;
  machine: AnyStateMachine;
  /** A small summary of the context for `status`. */
  summarize: (context: never) => Record<string, unknown>;
  /**
   * Why the machine refuses an operator command of a kind it takes now (a guard on its fields),
   * in the operator's words naming the field and the rule; without it the refusal is generic.
   */
  refusalOf?: (context: never, command: { type: string }) => string | undefined;
}

export { leasesOf };

export const PROCEDURES = [
  {
    ...PROCEDURE_STARTS['restart-group-without-cache-deletion'],
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithoutCacheDeletionMachine,
    summarize: summarizeGroupRestart,
  },
  {
    ...PROCEDURE_STARTS['restart-group-with-cache-deletion'],
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithCacheDeletionMachine,
    summarize: summarizeGroupRestart,
  },
  {
    ...PROCEDURE_STARTS['create-group-from-standalone-spocs'],
    inputSchema: createGroupInputSchema,
    machine: createGroupFromStandaloneSpocsMachine,
    summarize: summarizeScenario,
  },
  {
    ...PROCEDURE_STARTS['add-spoc-to-group'],
    inputSchema: addSpocInputSchema,
    machine: addSpocToGroupMachine,
    summarize: summarizeScenario,
  },
  {
    ...PROCEDURE_STARTS['remove-spoc-from-group'],
    inputSchema: removeSpocInputSchema,
    machine: removeSpocFromGroupMachine,
    summarize: summarizeScenario,
  },
  {
    ...PROCEDURE_STARTS['move-spoc-to-another-group'],
    inputSchema: moveSpocInputSchema,
    machine: moveSpocToAnotherGroupMachine,
    summarize: summarizeScenario,
  },
  {
    ...PROCEDURE_STARTS['ip-address-changed'],
    inputSchema: ipChangedInputSchema,
    machine: ipAddressChangedMachine,
    summarize: summarizeScenario,
  },
  {
    ...PROCEDURE_STARTS['restart-os-of-standalone-spocs'],
    inputSchema: standaloneOsRestartInputSchema,
    machine: restartOsOfStandaloneSpocsMachine,
    summarize: summarizeStandaloneOsRestart,
  },
  {
    ...PROCEDURE_STARTS['restart-os-of-group-members'],
    inputSchema: groupOsRestartInputSchema,
    machine: restartOsOfGroupMembersMachine,
    summarize: summarizeGroupOsRestart,
  },
  {
    ...PROCEDURE_STARTS['group-members-restarted-in-parallel'],
    inputSchema: groupRestartInputSchema,
    machine: groupMembersRestartedInParallelMachine,
    summarize: summarizeGroupRestart,
  },
  {
    ...PROCEDURE_STARTS['supervise-passive-cluster'],
    inputSchema: passiveSupervisorInputSchema,
    machine: passiveClusterSupervisorMachine,
    summarize: summarizePassiveSupervisor,
  },
  {
    ...PROCEDURE_STARTS['supervise-active-cluster'],
    inputSchema: activeSupervisorInputSchema,
    machine: activeClusterSupervisorMachine,
    summarize: summarizeActiveSupervisor,
  },
  {
    ...PROCEDURE_STARTS['set-cluster-option'],
    inputSchema: setClusterOptionInputSchema,
    machine: setClusterOptionMachine,
    summarize: summarizeSetClusterOption,
  },
  {
    ...PROCEDURE_STARTS['deliver-print-job'],
    inputSchema: jobDeliveryInputSchema,
    machine: jobDeliveryMachine,
    summarize: summarizeJobDelivery,
    refusalOf: jobDeliveryRefusal,
  },
] as const satisfies readonly ProcedureDefinition[];

export type ProcedureId = (typeof PROCEDURES)[number]['id'];

// A procedure of machines/procedure-starts.ts missing above fails the type check here, naming it
// (the entries above take their start from there, and the loaders of client/procedure-modules.ts
// are keyed by ProcedureId: each place names what it lacks).
type NotInCatalog = Exclude<keyof typeof PROCEDURE_STARTS, ProcedureId>;
const everyStartIsInTheCatalog: [NotInCatalog] extends [never] ? true : `not in PROCEDURES: ${NotInCatalog}` = true;
void everyStartIsInTheCatalog;

/** The procedure with this id, or an error that lists the known ids. */
export function procedureById(id: string): ProcedureDefinition {
  const found = PROCEDURES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown procedure "${id}"; known: ${PROCEDURES.map((p) => p.id).join(', ')}`);
  return found;
}
