/**
 * One procedure's input schema or machine, loaded alone: `spoolflow start` checks an input with its
 * procedure's schema and `watch` plans the steps to come with its machine, without loading the whole
 * catalog (every machine and schema: ~100 ms more per command). Keyed by the catalog's ids (the
 * types require one loader per procedure) and tied to it by test/client/procedure-modules.test.ts:
 * each loader gives the very schema or machine the catalog holds.
 */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { ProcedureId } from '../machines/catalog';
import { parseInput } from '../machines/core/input-errors';
import { procedureStartById, type ProcedureStart } from '../machines/procedure-starts';

type Loaders<T> = Record<ProcedureId, () => Promise<T>>;

export const INPUT_SCHEMA_LOADERS = {
  'restart-group-without-cache-deletion': async () => (await import('../machines/spoc/spoc-group-input')).groupRestartInputSchema,
  'restart-group-with-cache-deletion': async () => (await import('../machines/spoc/spoc-group-input')).groupRestartInputSchema,
  'create-group-from-standalone-spocs': async () => (await import('../machines/spoc/spoc-scenario-inputs')).createGroupInputSchema,
  'add-spoc-to-group': async () => (await import('../machines/spoc/spoc-scenario-inputs')).addSpocInputSchema,
  'remove-spoc-from-group': async () => (await import('../machines/spoc/spoc-scenario-inputs')).removeSpocInputSchema,
  'move-spoc-to-another-group': async () => (await import('../machines/spoc/spoc-scenario-inputs')).moveSpocInputSchema,
  'ip-address-changed': async () => (await import('../machines/spoc/spoc-scenario-inputs')).ipChangedInputSchema,
  'restart-os-of-standalone-spocs': async () => (await import('../machines/spoc/os-restart-input')).standaloneOsRestartInputSchema,
  'restart-os-of-group-members': async () => (await import('../machines/spoc/os-restart-input')).groupOsRestartInputSchema,
  'group-members-restarted-in-parallel': async () => (await import('../machines/spoc/spoc-group-input')).groupRestartInputSchema,
  'supervise-passive-cluster': async () => (await import('../machines/jobscheduler/cluster-supervisor-input')).passiveSupervisorInputSchema,
  'supervise-active-cluster': async () => (await import('../machines/jobscheduler/cluster-supervisor-input')).activeSupervisorInputSchema,
  'set-cluster-option': async () => (await import('../machines/jobscheduler/set-cluster-option-input')).setClusterOptionInputSchema,
  'deliver-print-job': async () => (await import('../machines/flexispooler/job-delivery-input')).jobDeliveryInputSchema,
} satisfies Loaders<z.ZodType>;

export const MACHINE_LOADERS = {
  'restart-group-without-cache-deletion': async () => (await import('../machines/spoc/restart-group-without-cache-deletion')).restartGroupWithoutCacheDeletionMachine,
  'restart-group-with-cache-deletion': async () => (await import('../machines/spoc/restart-group-with-cache-deletion')).restartGroupWithCacheDeletionMachine,
  'create-group-from-standalone-spocs': async () => (await import('../machines/spoc/create-group-from-standalone-spocs')).createGroupFromStandaloneSpocsMachine,
  'add-spoc-to-group': async () => (await import('../machines/spoc/add-spoc-to-group')).addSpocToGroupMachine,
  'remove-spoc-from-group': async () => (await import('../machines/spoc/remove-spoc-from-group')).removeSpocFromGroupMachine,
  'move-spoc-to-another-group': async () => (await import('../machines/spoc/move-spoc-to-another-group')).moveSpocToAnotherGroupMachine,
  'ip-address-changed': async () => (await import('../machines/spoc/ip-address-changed')).ipAddressChangedMachine,
  'restart-os-of-standalone-spocs': async () => (await import('../machines/spoc/restart-os-of-standalone-spocs')).restartOsOfStandaloneSpocsMachine,
  'restart-os-of-group-members': async () => (await import('../machines/spoc/restart-os-of-group-members')).restartOsOfGroupMembersMachine,
  'group-members-restarted-in-parallel': async () => (await import('../machines/spoc/restart-group-with-cache-deletion')).groupMembersRestartedInParallelMachine,
  'supervise-passive-cluster': async () => (await import('../machines/jobscheduler/passive-cluster-supervisor')).passiveClusterSupervisorMachine,
  'supervise-active-cluster': async () => (await import('../machines/jobscheduler/active-cluster-supervisor')).activeClusterSupervisorMachine,
  'set-cluster-option': async () => (await import('../machines/jobscheduler/set-cluster-option')).setClusterOptionMachine,
  'deliver-print-job': async () => (await import('../machines/flexispooler/job-delivery')).jobDeliveryMachine,
} satisfies Loaders<AnyStateMachine>;

/** The loader for this procedure; the catalog's error listing the known ids when there is none. */
function loaderOf<T>(loaders: Loaders<T>, procedureId: string): () => Promise<T> {
  const id = procedureStartById(procedureId).id as ProcedureId;
  return loaders[id];
}

/**
 * Validates input for a procedure with its own schema alone; throws InvalidInputError naming the
 * fields (as client/procedure-input.ts validateInput, which loads the catalog).
 */
export async function validateStartInput(procedureId: string, input: unknown): Promise<{ procedure: ProcedureStart; input: unknown }> {
  const procedure = procedureStartById(procedureId);
  const schema = await loaderOf<z.ZodType>(INPUT_SCHEMA_LOADERS, procedureId)();
  return { procedure, input: parseInput(schema, procedureId, input) };
}

/** The procedure's machine and input schema, loaded alone. */
export async function procedureMachine(procedureId: string): Promise<{ machine: AnyStateMachine; inputSchema: z.ZodType }> {
  const [machine, inputSchema] = await Promise.all([loaderOf<AnyStateMachine>(MACHINE_LOADERS, procedureId)(), loaderOf<z.ZodType>(INPUT_SCHEMA_LOADERS, procedureId)()]);
  return { machine, inputSchema };
}
