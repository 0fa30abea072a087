/**
 * Invariants an operator cares about, checked on the simulator's operation record.
 */
import type { OperationRecordEntry } from '../../simulator/core/operation-record';

/** Record lines that changed a service: spoolflow's requests, the group service starting itself, and Windows stopping and starting services around an OS restart. */
const EFFECTIVE = new Set(['accepted', 'started-by-itself', 'stopped-by-os', 'started-by-os']);
const effective = (e: OperationRecordEntry) => EFFECTIVE.has(e.outcome) && (e.operation === 'stop-service' || e.operation === 'start-service');

/** Members of the group that had at least one service down after each record line: never more than `max`. */
export function maxMembersDownAtOnce(record: OperationRecordEntry[], members: string[]): number {
  const down = new Map<string, Set<string>>();
  let worst = 0;
  for (const entry of record.filter(effective)) {
    if (!members.includes(entry.host)) continue;
    const services = down.get(entry.host) ?? new Set<string>();
    if (entry.operation === 'stop-service') services.add(entry.target);
    if (entry.operation === 'start-service') services.delete(entry.target);
    down.set(entry.host, services);
    worst = Math.max(worst, [...down.values()].filter((s) => s.size > 0).length);
  }
  return worst;
}

/** Per host and service, effective operations alternate stop, start: nothing completed was done twice. */
export function repeatedOperations(record: OperationRecordEntry[]): string[] {
  const last = new Map<string, string>();
  const repeats: string[] = [];
  for (const entry of record.filter(effective)) {
    const key = `${entry.host}/${entry.target}`;
    if (last.get(key) === entry.operation) repeats.push(`${entry.operation} ${key} at ${entry.time}`);
    last.set(key, entry.operation);
  }
  return repeats;
}

/** Services stopped and not started again, per host. */
export function leftStopped(record: OperationRecordEntry[]): Record<string, string[]> {
  const state = new Map<string, Set<string>>();
  for (const entry of record.filter(effective)) {
    const set = state.get(entry.host) ?? new Set<string>();
    if (entry.operation === 'stop-service') set.add(entry.target);
    if (entry.operation === 'start-service') set.delete(entry.target);
    state.set(entry.host, set);
  }
  return Object.fromEntries([...state.entries()].filter(([, s]) => s.size > 0).map(([h, s]) => [h, [...s]]));
}
