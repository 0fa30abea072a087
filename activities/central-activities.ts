/**
 * Activities of the central worker: the preconditions checked before the first stop. They only
 * read, so running them twice does no harm.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EffectOf, EffectOutputs } from '../machines/effects';
import type { ManagementServerView } from './management-server';

export function createCentralActivities(managementServer: ManagementServerView) {
  return {
    async checkManagementServer(_effect: EffectOf<'check-management-server'>): Promise<EffectOutputs['check-management-server']> {
      try {
        await managementServer.ping();
      } catch (err) {
        throw ApplicationFailure.nonRetryable(
          `the Management Server (${managementServer.address}) is not reachable: ${err instanceof Error ? err.message : String(err)}. Start it before the procedure stops anything.`,
          'ManagementServerUnreachableError',
        );
      }
      return { reachable: true };
    },

    async checkNoLoad(effect: EffectOf<'check-no-load'>): Promise<EffectOutputs['check-no-load']> {
      const status = await managementServer.spocStatus(effect.hosts);
      const activeJobs = Object.fromEntries(effect.hosts.map((h) => [h, status[h]?.activeJobs ?? 0]));
      const loaded = Object.entries(activeJobs).filter(([, jobs]) => jobs > 0);
      if (loaded.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `members under load: ${loaded.map(([h, j]) => `${h} has ${j} active jobs`).join(', ')}. Wait until printing stops, or override the load check explicitly.`,
          'MembersUnderLoadError',
        );
      }
      return { activeJobs };
    },
  };
}

export type CentralActivities = ReturnType<typeof createCentralActivities>;
