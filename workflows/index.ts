/**
 * The workflows the central worker registers: one per catalog procedure, named by its workflow
 * type. Each takes the procedure's input (JSON from the Web UI or the client) and, only when it
 * continued as new, the state it resumes from (refused otherwise: workflows/runtime/resume-state.ts).
 * Besides them, the lease workflow every procedure holds its hosts and groups with, and the SAP
 * spool servers' dispatchers with their global management slot (workflows/sap/).
 */
export { spoolflowLease } from './leases';

/*
 * The procedures' code is loaded when a procedure first runs, not with the bundle. The worker
 * evaluates the bundle's modules again for every workflow it creates (each has its own module
 * state), and the catalog behind the procedures, every system's machines and input schemas, takes
 * some 60 ms of CPU to evaluate, which a lease, a dispatcher or a reporting loop never needs: a
 * group procedure holds five leases. `require` is synchronous, so a workflow's commands and their
 * order are the same as with the import.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
type Procedures = typeof import('./procedure-workflow');
type Rollouts = typeof import('./fleet/fleet-rollout-workflow');
type SpoolCleaning = typeof import('./spoolcleaning/spool-cleaning-run-workflow');
type SpoolReporting = typeof import('./spoolcleaning/spooler-reporting-workflow');
type SapDispatcher = typeof import('./sap/spool-server-dispatcher');
type SapSlot = typeof import('./sap/global-management-slot');
const procedures = () => require('./procedure-workflow') as Procedures;
const rollouts = () => require('./fleet/fleet-rollout-workflow') as Rollouts;
const spoolCleaning = () => require('./spoolcleaning/spool-cleaning-run-workflow') as SpoolCleaning;
const spoolReporting = () => require('./spoolcleaning/spooler-reporting-workflow') as SpoolReporting;
const sapDispatcher = () => require('./sap/spool-server-dispatcher') as SapDispatcher;
const sapSlot = () => require('./sap/global-management-slot') as SapSlot;
/* eslint-enable @typescript-eslint/no-require-imports */
// Not async: each returns its workflow's own promise, so the workflow ends in the same promise hop as before.
const runProcedure: Procedures['runProcedure'] = (...args) => procedures().runProcedure(...args);
const runFleetRollout: Rollouts['runFleetRollout'] = (...args) => rollouts().runFleetRollout(...args);

/** Restart a SPOC group without cache deletion (catalog id restart-group-without-cache-deletion). */
export async function restartGroupWithoutCacheDeletion(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('restart-group-without-cache-deletion', input, resume);
}

/** Restart a SPOC group with cache deletion (catalog id restart-group-with-cache-deletion). */
export async function restartGroupWithCacheDeletion(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('restart-group-with-cache-deletion', input, resume);
}

/** A SPOC group was created from standalone SPOCs (catalog id create-group-from-standalone-spocs). */
export async function createGroupFromStandaloneSpocs(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('create-group-from-standalone-spocs', input, resume);
}

/** A standalone SPOC was added to a SPOC group (catalog id add-spoc-to-group). */
export async function addSpocToGroup(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('add-spoc-to-group', input, resume);
}

/** A SPOC was removed from its SPOC group (catalog id remove-spoc-from-group). */
export async function removeSpocFromGroup(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('remove-spoc-from-group', input, resume);
}

/** Move a SPOC to another SPOC group (catalog id move-spoc-to-another-group). */
export async function moveSpocToAnotherGroup(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('move-spoc-to-another-group', input, resume);
}

/** The IP address of a site server changed (catalog id ip-address-changed). */
export async function ipAddressChanged(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('ip-address-changed', input, resume);
}

/** Restart the OS of standalone SPOC servers, in parallel (catalog id restart-os-of-standalone-spocs). */
export async function restartOsOfStandaloneSpocs(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('restart-os-of-standalone-spocs', input, resume);
}

/** Restart the OS of the members of a SPOC group, one at a time (catalog id restart-os-of-group-members). */
export async function restartOsOfGroupMembers(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('restart-os-of-group-members', input, resume);
}

/** Several members of a SPOC group were restarted in parallel (catalog id group-members-restarted-in-parallel). */
export async function groupMembersRestartedInParallel(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('group-members-restarted-in-parallel', input, resume);
}

/** Supervise a passive JobScheduler cluster (catalog id supervise-passive-cluster). */
export async function supervisePassiveCluster(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('supervise-passive-cluster', input, resume);
}

/** Supervise an active JobScheduler cluster (catalog id supervise-active-cluster). */
export async function superviseActiveCluster(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('supervise-active-cluster', input, resume);
}

/** Set a JobScheduler member's cluster option (catalog id set-cluster-option). */
export async function setClusterOption(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('set-cluster-option', input, resume);
}

/** Run one procedure across many groups within limits, a failure budget and a window (catalog id fleet-rollout). */
export async function fleetRollout(input: unknown, carried?: unknown): Promise<unknown> {
  return runFleetRollout(input, carried);
}

/** The spool cleaning: one scheduled run, and each spooler's reporting loop (docs/spool-cleaning.md). */
export const spoolCleaningRun: SpoolCleaning['spoolCleaningRun'] = (...args) => spoolCleaning().spoolCleaningRun(...args);
export const spoolerReporting: SpoolReporting['spoolerReporting'] = (...args) => spoolReporting().spoolerReporting(...args);

/** A SAP spool server's dispatcher, and the system's global management slot (docs/sap-spool-work-processes.md). */
export const sapSpoolDispatcher: SapDispatcher['sapSpoolDispatcher'] = (...args) => sapDispatcher().sapSpoolDispatcher(...args);
export const sapGlobalManagementSlot: SapSlot['sapGlobalManagementSlot'] = (...args) => sapSlot().sapGlobalManagementSlot(...args);
/** Deliver one FlexiSpooler print job, failing over between servers (catalog id deliver-print-job). */
export async function deliverPrintJob(input: unknown, resume?: unknown): Promise<unknown> {
  return runProcedure('deliver-print-job', input, resume);
}
