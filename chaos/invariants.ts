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
 *   `leftStopped` or `couldNotStart`), both in the record and in the hosts' state at the end, but
 *   one the runbook leaves stopped (a SPOC removed from its group: its group service);
 * - no completed host-changing step repeated: effective stops and starts of a service alternate,
 *   and an OS restart or a cache deletion is done at most as often per host as the run's
 *   procedures asked for it;
 * - leases released: no lease workflow still holding after the procedures ended.
 *
 * And over the JobScheduler clusters' record (`<data dir>/sim/scheduler-operations.jsonl`):
 * - at most one active member of a passive cluster at any time: each epoch is activated for, and
 *   acted in by, one member only (a fenced member's writes in an old epoch are refused, so no two
 *   members act in one epoch unless the fence failed);
 * - every order step counted once: a passive cluster's order node run once, an active cluster's
 *   step done once;
 * - no order lost: every order the run submitted (to berlin's database, to munich's supervisor)
 *   has each of its nodes run or passed by the end;
 * - a member stopped (normal termination, as the cluster option change does) is started again,
 *   unless the procedure that stopped it reports it left stopped, or it is the backup the passive
 *   supervisor terminated when the primary came back (the source's rule).
 *
 * The FlexiSpooler, spool cleaning and SAP spool invariants are in their own files
 * (chaos/flexispooler-invariants.ts, chaos/spool-cleaning-invariants.ts, chaos/sap-invariants.ts).
 */
import type { OperationRecordEntry } from '../simulator/core/operation-record';
import type { SchedulerOperationEntry } from '../simulator/jobscheduler/scheduler-operation-record';
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
  /** The JobScheduler member it stops and starts again (the cluster option change); absent for the SPOC procedures. */
  member?: string;
  /** Services the runbook leaves stopped, per host (a SPOC removed from its group: its group service); not reported in the result, and no break. */
  intentionallyStopped?: Record<string, string[]>;
  /** The same, only when the procedure did not complete (a SPOC moved in two steps is standalone between them). */
  stoppedUnlessCompleted?: Record<string, string[]>;
  /** What it returned (a SPOC procedure's services left stopped per host; the option change's member left stopped or not); undefined when it failed or did not end. */
  output?: { leftStopped?: Record<string, string[]> | boolean; couldNotStart?: Record<string, { service: string }[]> };
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
  /** The JobScheduler clusters' operation record of the run (empty for a run without them). */
  schedulerRecord: SchedulerOperationEntry[];
  /** The members of the passive clusters, which must have at most one active member at a time. */
  passiveMembers: string[];
  /** The orders the run submitted to the clusters, with the nodes each must pass (absent: none judged). */
  submittedOrders?: { order: string; steps: number }[];
}

export interface InvariantBreak {
  invariant:
    | 'two-members-down'
    | 'protected-touched'
    | 'left-stopped'
    | 'step-repeated'
    | 'lease-held'
    | 'procedure-not-ended'
    | 'two-members-active'
    | 'order-step-counted-twice'
    | 'order-lost'
    | 'member-not-started-again'
    | 'print-job-held-twice'
    | 'print-job-printed-twice'
    | 'print-job-lost'
    | 'spool-job-deleted-twice'
    | 'spool-kept-job-deleted'
    | 'spool-job-lost'
    | 'sap-output-twice'
    | 'sap-work-process-busy-twice'
    | 'sap-management-twice'
    | 'sap-sequence-broken'
    | 'sap-request-lost'
    | 'sap-dispatcher-stuck'
    | 'sap-shutdown-unfinished'
    | 'sap-request-not-reassigned'
    | 'rollout-over-limit'
    | 'rollout-started-twice'
    | 'rollout-not-ended'
    | 'rollout-result-wrong'
    | 'system-not-judged';
  detail: string;
  /** The system it belongs to, where the invariant's name does not say (a system that could not be judged). */
  system?: 'spoc' | 'jobscheduler' | 'flexispooler' | 'spoolcleaning' | 'sap';
}

/** The system an invariant belongs to, for the summary's breaks per system. */
export function systemOf(invariant: InvariantBreak['invariant']): 'spoc' | 'jobscheduler' | 'flexispooler' | 'spoolcleaning' | 'sap' {
  if (invariant.startsWith('print-job-')) return 'flexispooler';
  if (invariant.startsWith('spool-')) return 'spoolcleaning';
  if (invariant.startsWith('sap-')) return 'sap';
  if (['two-members-active', 'order-step-counted-twice', 'order-lost', 'member-not-started-again'].includes(invariant)) return 'jobscheduler';
  return 'spoc';
}

/** Windows stopping and starting services around a restart: not a procedure's doing. */
const BY_WINDOWS = new Set(['stopped-by-os', 'started-by-os']);
/** Outcomes of a request the host carried out. */
const CARRIED_OUT = new Set(['accepted', 'deleted']);

export function invariantBreaks(run: RunObservation): InvariantBreak[] {
  return [
    ...procedureEndings(run),
    ...membersDown(run),
    ...protectedTouched(run),
    ...stoppedNotStarted(run),
    ...repeatedSteps(run),
    ...leases(run),
    ...schedulerBreaks(run),
  ];
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
    const expected = { ...(p.intentionallyStopped ?? {}), ...(p.ending === 'completed' ? {} : (p.stoppedUnlessCompleted ?? {})) };
    for (const [host, services] of Object.entries(expected)) for (const s of services) add(host, s);
    const stopped = p.output?.leftStopped;
    if (typeof stopped === 'object') for (const [host, services] of Object.entries(stopped)) for (const s of services) add(host, s);
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

/** The scheduler record's invariants (see the top of this file). */
export function schedulerBreaks(run: Pick<RunObservation, 'schedulerRecord' | 'passiveMembers' | 'procedures' | 'submittedOrders'>): InvariantBreak[] {
  return [...activeMembers(run), ...stepsCounted(run.schedulerRecord), ...ordersLost(run), ...membersNotStartedAgain(run)];
}

/** Steps counted, as {@link stepsCounted} counts them: a passive cluster's node run or passed, an active cluster's step done. */
function countsAsStep(e: SchedulerOperationEntry): boolean {
  return (e.operation === 'run-job' && e.order !== undefined && (e.outcome === 'ran' || e.outcome === 'skipped')) || (e.operation === 'run-step' && e.outcome === 'done');
}

/** A submitted order with a node never run or passed by the end: lost (across a failover, a kill, a fence). */
function ordersLost(run: Pick<RunObservation, 'schedulerRecord' | 'submittedOrders'>): InvariantBreak[] {
  return (run.submittedOrders ?? []).flatMap(({ order, steps }) => {
    const done = new Set(run.schedulerRecord.filter((e) => e.order === order && e.step !== undefined && countsAsStep(e)).map((e) => e.step));
    const missing = Array.from({ length: steps }, (_, step) => step).filter((step) => !done.has(step));
    return missing.length === 0 ? [] : [{ invariant: 'order-lost' as const, detail: `order ${order}: step ${missing.join(', ')} never run` }];
  });
}

/** Per epoch of a passive cluster, the members activated for it or acting in it. */
function activeMembers(run: Pick<RunObservation, 'schedulerRecord' | 'passiveMembers'>): InvariantBreak[] {
  const passive = new Set(run.passiveMembers);
  const byEpoch = new Map<number, Set<string>>();
  for (const e of run.schedulerRecord) {
    if (!passive.has(e.member) || e.epoch === undefined) continue;
    const acted = e.operation === 'run-job' && (e.outcome === 'ran' || e.outcome === 'skipped');
    if (acted || (e.operation === 'activate-member' && e.outcome === 'activated')) byEpoch.set(e.epoch, (byEpoch.get(e.epoch) ?? new Set()).add(e.member));
  }
  return [...byEpoch.entries()]
    .filter(([, members]) => members.size > 1)
    .map(([epoch, members]) => ({ invariant: 'two-members-active' as const, detail: `${[...members].join(' and ')} active in epoch ${epoch}` }));
}

/** A passive cluster's order node run, or an active cluster's step done, more than once. */
function stepsCounted(record: SchedulerOperationEntry[]): InvariantBreak[] {
  const counts = new Map<string, number>();
  for (const e of record) {
    if (countsAsStep(e) && e.step !== undefined) {
      const key = `order ${e.order ?? ''} step ${e.step}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()].filter(([, n]) => n > 1).map(([key, n]) => ({ invariant: 'order-step-counted-twice' as const, detail: `${key} counted ${n} times` }));
}

/** The passive supervisor's reason when it fences the active backup because the primary is up again (its return to the primary). */
const HAND_BACK_REASON = 'the primary is back';

/** A member's normal termination with no start of it after, that no procedure reports, and not the backup's end in a return to the primary. */
function membersNotStartedAgain(run: Pick<RunObservation, 'schedulerRecord' | 'procedures'>): InvariantBreak[] {
  const reportedStopped = new Set(run.procedures.filter((p) => p.member !== undefined && p.output?.leftStopped === true).map((p) => p.member));
  const lastStop = new Map<string, SchedulerOperationEntry>();
  // A backup the supervisor fenced because the primary is back is terminated by the source's rule ("the backup must be terminated so the primary becomes active again"): nobody owes it a start.
  const handedBack = new Set<string>();
  for (const e of run.schedulerRecord) {
    if (e.operation === 'fence-member' && e.reason === HAND_BACK_REASON) handedBack.add(e.member);
    if (e.operation === 'stop-member') {
      if (handedBack.has(e.member)) lastStop.delete(e.member);
      else lastStop.set(e.member, e);
      handedBack.delete(e.member);
    }
    if (e.operation === 'start-member' && e.outcome === 'started') {
      lastStop.delete(e.member);
      handedBack.delete(e.member);
    }
  }
  return [...lastStop.values()]
    .filter((e) => !reportedStopped.has(e.member))
    .map((e) => ({ invariant: 'member-not-started-again' as const, detail: `${e.member} stopped at ${e.time} (${e.outcome}) and not started again, not reported` }));
}
