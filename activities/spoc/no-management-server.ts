/**
 * The SPOC procedures' central checks on an estate without SPOCs: a central worker whose fleet
 * configuration has only a JobScheduler part still offers every central activity (the workflows
 * are one bundle, and a worker missing an activity would leave a SPOC procedure started by mistake
 * waiting on a task nobody runs), but each one refuses at once, for good, saying why. The procedure
 * then halts at its first check with that reason and touches nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivitiesOf, SpocActionWord } from '../../machines/actions';

/** The failure type of the refusal: a retry cannot give the worker a Management Server. */
export const NO_MANAGEMENT_SERVER = 'NoManagementServerError';

/** Stands for the Management Server where the fleet configuration has none: the central worker then registers the refusing activities. */
export class NoManagementServer {
  /** `fleetFile`: the configuration to name in the refusal, so the operator knows which file to complete. */
  constructor(readonly fleetFile: string) {}

  /** The refusal every SPOC check answers with, naming the file and how to fix it. */
  refusal(): ApplicationFailure {
    return ApplicationFailure.nonRetryable(
      `the fleet configuration ${this.fleetFile} has no Management Server (no managementServer and siteServers): this central worker serves JobScheduler procedures only, and a SPOC procedure cannot run here. Nothing was checked or changed. Add the SPOC part to the fleet configuration and restart the central worker before starting SPOC procedures.`,
      NO_MANAGEMENT_SERVER,
    );
  }
}

/** The SPOC procedures' central activities, each refusing: the registry's full set, so no task is left without a worker. */
export function noManagementServerActivities(absent: NoManagementServer) {
  const refuse = (): Promise<never> => Promise.reject(absent.refusal());
  return {
    checkManagementServer: refuse,
    checkNoLoad: refuse,
    checkSpocsOnline: refuse,
    awaitSpocOnline: refuse,
  } satisfies ActivitiesOf<'central', SpocActionWord>;
}
