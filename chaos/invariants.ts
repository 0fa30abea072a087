/**
 * The invariants a chaos run is judged by, checked over what the simulated estate recorded (the
 * SPOC hosts' operation record and their state at the end) and what the procedures returned. Pure:
 * the chaos script feeds it the files of a run, test/chaos/invariants.test.ts hand-made records
 * that break each rule.
 *
 * - no two members of a group down at once, in the one-at-a-time procedures;
 * - nothing protected touched (the protected services, nor any service that is not the vendor's),
 *   but by Windows itself around an OS restart;
 * - every service stopped is started again, or reported in the procedure's result (its
 *   `leftStopped` or `couldNotStart`), both in the record and in the hosts' state at the end;
 * - no completed host-changing step repeated: effective stops and starts of a service alternate,
 *   and an OS restart or a cache deletion is done at most as often per host as the run's
 *   procedures asked for it;
 * - leases released: no lease workflow still holding after the procedures ended.
 */
import type { OperationRecordEntry } from '../simulator/core/operation-record';
import { isProtectedService, isVendorService } from '../machines/spoc/spoc-services';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../test/helpers/record-invariants';

/** One procedure of a run, as the invariants need it. */
export interface ProcedureOfRun {
  workflowId: string;
  procedureId: string;
  /** The hosts it changes. */
  hosts: string[];
  /** Members of the group it must keep at most one of down (one-at-a-time procedures); absent otherwise. */
  oneAtATime?: string[];
  /** How many times it may restart each of its hosts' OS, and delete each cache (once, or zero). */
  restartsOs: boolean;
  deletesCache: boolean;
  /** What it returned; undefined when it failed or did not end. */
  output?: { leftStopped?: Record<string, string[]>; couldNotStart?: Record<string, { service: string }[]> };
  /** How it ended: completed, aborted, failed (with the message), or still running. */
  ending: string;
}

export interface RunObservation {
  /** The SPOC hosts' operation record of the run. */
  record: OperationRecordEntry[];
  procedures: ProcedureOfRun[];
  /** Per host, the display names of the services that ran before the run. */
  runningBefore: Record<string, string[]>;
  /** Per host, display name to service state at the end of the run. */
  servicesAfter: Record<string, Record<string, string>>;
  /** Lease workflows still running after the procedures ended (id and holder). */
  leasesHeld: string[];
}

export interface InvariantBreak {
  invariant: 'two-members-down' | 'protected-touched' | 'left-stopped' | 'step-repeated' | 'lease-held' | 'procedure-not-ended';
  detail: string;
}

/** Windows stopping and starting services around a restart: not a procedure's doing. */
const BY_WINDOWS = new Set(['stopped-by-os', 'started-by-os']);
/** Outcomes of a request the host carried out. */
const CARRIED_OUT = new Set(['accepted', 'deleted']);

export function invariantBreaks(run: RunObservation): InvariantBreak[] {
  return [...procedureEndings(run), ...membersDown(run), ...protectedTouched(run), ...stoppedNotStarted(run), ...repeatedSteps(run), ...leases(run)];
}

function procedureEndings(run: RunObservation): InvariantBreak[] {
  return run.procedures
    .filter((p) => p.ending !== 'completed' && p.ending !== 'aborted')
    .map((p) => ({ invariant: 'procedure-not-ended', detail: `${p.workflowId} (${p.procedureId}) ended ${p.ending}` }));
}

function membersDown(run: RunObservation): InvariantBreak[] {
  return run.procedures.flatMap((p) => {
    if (!p.oneAtATime) return [];
    const worst = maxMembersDownAtOnce(run.record, p.oneAtATime);
    return worst > 1 ? [{ invariant: 'two-members-down' as const, detail: `${p.workflowId}: ${worst} members of ${p.oneAtATime.join(', ')} down at once` }] : [];
  });
}

function protectedTouched(run: RunObservation): InvariantBreak[] {
  return run.record
    .filter((e) => (e.operation === 'stop-service' || e.operation === 'start-service') && !BY_WINDOWS.has(e.outcome))
    .filter((e) => isProtectedService(e.target) || !isVendorService({ key: '', display: e.target }))
    .map((e) => ({ invariant: 'protected-touched', detail: `${e.operation} ${e.host}/${e.target} (${e.outcome}) at ${e.time}` }));
}

/** The services a run's procedures reported left stopped or not started again, per host. */
function reported(run: RunObservation): Map<string, Set<string>> {
  const byHost = new Map<string, Set<string>>();
  const add = (host: string, service: string) => byHost.set(host, (byHost.get(host) ?? new Set()).add(service));
  for (const p of run.procedures) {
    for (const [host, services] of Object.entries(p.output?.leftStopped ?? {})) for (const s of services) add(host, s);
    for (const [host, failures] of Object.entries(p.output?.couldNotStart ?? {})) for (const f of failures) add(host, f.service);
  }
  return byHost;
}

function stoppedNotStarted(run: RunObservation): InvariantBreak[] {
  const known = reported(run);
  const unreported = (host: string, service: string) => !known.get(host)?.has(service);
  const inRecord = Object.entries(leftStopped(run.record)).flatMap(([host, services]) =>
    services.filter((s) => unreported(host, s)).map((s) => ({ invariant: 'left-stopped' as const, detail: `${host}/${s} stopped and not started again (record), not reported` })),
  );
  const inState = Object.entries(run.runningBefore).flatMap(([host, services]) =>
    services
      .filter((s) => (run.servicesAfter[host]?.[s] ?? 'MISSING') !== 'RUNNING' && unreported(host, s))
      .map((s) => ({ invariant: 'left-stopped' as const, detail: `${host}/${s} ran before the run, is ${run.servicesAfter[host]?.[s] ?? 'missing'} after it, not reported` })),
  );
  return [...inRecord, ...inState];
}

function repeatedSteps(run: RunObservation): InvariantBreak[] {
  const services = repeatedOperations(run.record).map((detail) => ({ invariant: 'step-repeated' as const, detail }));
  const allowed = (host: string, asks: (p: ProcedureOfRun) => boolean) => run.procedures.filter((p) => asks(p) && p.hosts.includes(host)).length;
  const counts = new Map<string, number>();
  for (const e of run.record) {
    if ((e.operation === 'restart-os' || e.operation === 'delete-cache') && CARRIED_OUT.has(e.outcome)) {
      const key = `${e.operation} ${e.host}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const hostSteps = [...counts.entries()].flatMap(([key, n]) => {
    const [operation = '', host = ''] = key.split(' ');
    const limit = allowed(host, (p) => (operation === 'restart-os' ? p.restartsOs : p.deletesCache));
    return n > limit ? [{ invariant: 'step-repeated' as const, detail: `${operation} on ${host} done ${n} times, asked for ${limit}` }] : [];
  });
  return [...services, ...hostSteps];
}

function leases(run: RunObservation): InvariantBreak[] {
  return run.leasesHeld.map((lease) => ({ invariant: 'lease-held' as const, detail: `${lease} still held after the procedures ended` }));
}
