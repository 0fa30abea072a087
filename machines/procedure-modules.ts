/**
 * One procedure's input schema, machine and status summary, each loaded when first asked for, not
 * with the whole catalog (machines/catalog.ts: every system's machines and input schemas).
 *
 * The worker evaluates a workflow bundle's modules again for every workflow it creates, so a
 * procedure workflow that imported the catalog evaluated every machine of every system, and kept
 * them in memory as long as the run stayed cached; a group restart's own machine and schema are a
 * fraction of that (replaying a recorded group restart: 152 ms of CPU with the catalog, 116 ms
 * with its own modules). `spoolflow start`, `watch` and `chart` load one procedure the same way
 * (client/procedure-modules.ts). `require` is synchronous, so a workflow's commands and their
 * order are what they are with an import.
 *
 * test/client/procedure-modules.test.ts ties each loader to the catalog: the very schema, machine
 * and summary the catalog holds for that procedure; the types require a loader for every id.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { ProcedureDefinition, ProcedureId } from './catalog';
import { procedureStartById } from './procedure-starts';

interface ProcedureModules {
  inputSchema(): z.ZodType;
  machine(): AnyStateMachine;
  summarize(): (context: never) => Record<string, unknown>;
  /** The catalog's `refusalOf`, for a machine with a guard on an operator command's fields. */
  refusalOf?(): (context: never, command: { type: string }) => string | undefined;
}

type SpocGroupInput = typeof import('./spoc/spoc-group-input');
type SpocScenarioInputs = typeof import('./spoc/spoc-scenario-inputs');
type OsRestartInput = typeof import('./spoc/os-restart-input');
type SpocSummaries = typeof import('./spoc/spoc-summaries');
type SupervisorInput = typeof import('./jobscheduler/cluster-supervisor-input');
type PassiveSupervisor = typeof import('./jobscheduler/passive-cluster-supervisor');
type ActiveSupervisor = typeof import('./jobscheduler/active-cluster-supervisor');
type SetClusterOptionInput = typeof import('./jobscheduler/set-cluster-option-input');
type SetClusterOption = typeof import('./jobscheduler/set-cluster-option');
type JobDeliveryInput = typeof import('./flexispooler/job-delivery-input');
type JobDelivery = typeof import('./flexispooler/job-delivery');

const spocGroupInput = () => require('./spoc/spoc-group-input') as SpocGroupInput;
const spocScenarioInputs = () => require('./spoc/spoc-scenario-inputs') as SpocScenarioInputs;
const osRestartInput = () => require('./spoc/os-restart-input') as OsRestartInput;
const spocSummaries = () => require('./spoc/spoc-summaries') as SpocSummaries;
const supervisorInput = () => require('./jobscheduler/cluster-supervisor-input') as SupervisorInput;
const passiveSupervisor = () => require('./jobscheduler/passive-cluster-supervisor') as PassiveSupervisor;
const activeSupervisor = () => require('./jobscheduler/active-cluster-supervisor') as ActiveSupervisor;
const setClusterOption = () => require('./jobscheduler/set-cluster-option') as SetClusterOption;
const jobDelivery = () => require('./flexispooler/job-delivery') as JobDelivery;

export const PROCEDURE_MODULES = {
  'restart-group-without-cache-deletion': {
    inputSchema: () => spocGroupInput().groupRestartInputSchema,
    machine: () => (require('./spoc/restart-group-without-cache-deletion') as typeof import('./spoc/restart-group-without-cache-deletion')).restartGroupWithoutCacheDeletionMachine,
    summarize: () => spocSummaries().summarizeGroupRestart,
  },
  'restart-group-with-cache-deletion': {
    inputSchema: () => spocGroupInput().groupRestartInputSchema,
    machine: () => (require('./spoc/restart-group-with-cache-deletion') as typeof import('./spoc/restart-group-with-cache-deletion')).restartGroupWithCacheDeletionMachine,
    summarize: () => spocSummaries().summarizeGroupRestart,
  },
  'create-group-from-standalone-spocs': {
    inputSchema: () => spocScenarioInputs().createGroupInputSchema,
    machine: () => (require('./spoc/create-group-from-standalone-spocs') as typeof import('./spoc/create-group-from-standalone-spocs')).createGroupFromStandaloneSpocsMachine,
    summarize: () => spocSummaries().summarizeScenario,
  },
  'add-spoc-to-group': {
    inputSchema: () => spocScenarioInputs().addSpocInputSchema,
    machine: () => (require('./spoc/add-spoc-to-group') as typeof import('./spoc/add-spoc-to-group')).addSpocToGroupMachine,
    summarize: () => spocSummaries().summarizeScenario,
  },
  'remove-spoc-from-group': {
    inputSchema: () => spocScenarioInputs().removeSpocInputSchema,
    machine: () => (require('./spoc/remove-spoc-from-group') as typeof import('./spoc/remove-spoc-from-group')).removeSpocFromGroupMachine,
    summarize: () => spocSummaries().summarizeScenario,
  },
  'move-spoc-to-another-group': {
    inputSchema: () => spocScenarioInputs().moveSpocInputSchema,
    machine: () => (require('./spoc/move-spoc-to-another-group') as typeof import('./spoc/move-spoc-to-another-group')).moveSpocToAnotherGroupMachine,
    summarize: () => spocSummaries().summarizeScenario,
  },
  'ip-address-changed': {
    inputSchema: () => spocScenarioInputs().ipChangedInputSchema,
    machine: () => (require('./spoc/ip-address-changed') as typeof import('./spoc/ip-address-changed')).ipAddressChangedMachine,
    summarize: () => spocSummaries().summarizeScenario,
  },
  'restart-os-of-standalone-spocs': {
    inputSchema: () => osRestartInput().standaloneOsRestartInputSchema,
    machine: () => (require('./spoc/restart-os-of-standalone-spocs') as typeof import('./spoc/restart-os-of-standalone-spocs')).restartOsOfStandaloneSpocsMachine,
    summarize: () => spocSummaries().summarizeStandaloneOsRestart,
  },
  'restart-os-of-group-members': {
    inputSchema: () => osRestartInput().groupOsRestartInputSchema,
    machine: () => (require('./spoc/restart-os-of-group-members') as typeof import('./spoc/restart-os-of-group-members')).restartOsOfGroupMembersMachine,
    summarize: () => spocSummaries().summarizeGroupOsRestart,
  },
  'group-members-restarted-in-parallel': {
    inputSchema: () => spocGroupInput().groupRestartInputSchema,
    machine: () => (require('./spoc/restart-group-with-cache-deletion') as typeof import('./spoc/restart-group-with-cache-deletion')).groupMembersRestartedInParallelMachine,
    summarize: () => spocSummaries().summarizeGroupRestart,
  },
  'supervise-passive-cluster': {
    inputSchema: () => supervisorInput().passiveSupervisorInputSchema,
    machine: () => passiveSupervisor().passiveClusterSupervisorMachine,
    summarize: () => passiveSupervisor().summarizePassiveSupervisor,
  },
  'supervise-active-cluster': {
    inputSchema: () => supervisorInput().activeSupervisorInputSchema,
    machine: () => activeSupervisor().activeClusterSupervisorMachine,
    summarize: () => activeSupervisor().summarizeActiveSupervisor,
  },
  'set-cluster-option': {
    inputSchema: () => (require('./jobscheduler/set-cluster-option-input') as SetClusterOptionInput).setClusterOptionInputSchema,
    machine: () => setClusterOption().setClusterOptionMachine,
    summarize: () => setClusterOption().summarize,
  },
  'deliver-print-job': {
    inputSchema: () => (require('./flexispooler/job-delivery-input') as JobDeliveryInput).jobDeliveryInputSchema,
    machine: () => jobDelivery().jobDeliveryMachine,
    summarize: () => jobDelivery().summarizeJobDelivery,
    refusalOf: () => jobDelivery().jobDeliveryRefusal,
  },
} satisfies Record<ProcedureId, ProcedureModules>;
/* eslint-enable @typescript-eslint/no-require-imports */

const definitions = new Map<string, ProcedureDefinition>();

/**
 * The procedure with this id as the catalog defines it, its modules loaded on first use; the
 * catalog's error listing the known ids for an unknown one.
 */
export function procedureDefinition(id: string): ProcedureDefinition {
  const start = procedureStartById(id);
  let definition = definitions.get(start.id);
  if (!definition) {
    const modules: ProcedureModules = PROCEDURE_MODULES[start.id as ProcedureId];
    const refusalOf = modules.refusalOf?.();
    definition = { ...start, inputSchema: modules.inputSchema(), machine: modules.machine(), summarize: modules.summarize(), ...(refusalOf ? { refusalOf } : {}) };
    definitions.set(start.id, definition);
  }
  return definition;
}
