/**
 * Compares a plan with the simulator's operation record: the stops, starts and cache deletions the
 * hosts received must be exactly those the plan lists, in the same order.
 */
import type { PlannedStep } from '../../machines/core/plan';
import type { OperationRecordEntry } from '../../simulator/core/operation-record';

const CHANGES = new Set(['stop-service', 'stop-services', 'start-service', 'start-services', 'delete-cache']);

/** The host changes a plan announces, one line per service or cache: `host operation target`. */
export function plannedChanges(plan: PlannedStep[], installDirOf: (host: string) => string): string[] {
  return plan
    .filter((s) => CHANGES.has(s.action))
    .flatMap((s) => {
      if (s.action === 'delete-cache') return [`${s.host} delete-cache ${installDirOf(s.host ?? '')}\\SPOC\\SpoolCache`];
      const operation = s.action.replace(/s$/, '');
      return (s.target ?? '').split(', ').filter(Boolean).map((t) => `${s.host} ${operation} ${t}`);
    });
}

/** The changes the hosts made because spoolflow asked (not the group service starting by itself). */
export function recordedChanges(record: OperationRecordEntry[]): string[] {
  return record.filter((e) => e.outcome === 'accepted' || e.outcome === 'deleted').map((e) => `${e.host} ${e.operation} ${e.target}`);
}
