/**
 * The context every SPOC procedure machine keeps, and the bookkeeping of which services this
 * procedure stopped. `down` is the single truth for "start all the other services stopped in
 * step 3": a service enters it when this procedure asks for its stop (the stop may act and never
 * be answered) and leaves it when this procedure started it again, so an abort knows what to
 * restore (starting a service that never stopped is harmless: the agent answers already-running).
 */
import type { Halt, HaltableContext } from '../core/haltable-step';
import type { Lane } from '../core/parallel-host-steps';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from './spoc-services';

export interface SpocProcedureContext extends HaltableContext {
  halt: Halt | null;
  /** Services this procedure stopped, or asked to stop, and has not started again, per host. */
  down: Record<string, string[]>;
  /** Other services that were running before step 3, per host: the ones step 3 stops. */
  othersRunning: Record<string, string[]>;
  /** When this procedure stopped the SPOC on each host (host clock, ISO). */
  spocStoppedAt: Record<string, string>;
  /** When the SPOC was last started on each host (host clock, ISO); log checks only trust later lines. */
  spocStartedAt: Record<string, string>;
  /** Hosts whose part of the procedure is complete, in order. */
  completedMembers: string[];
  /** Set when the operator overrode the load check; kept in the result. */
  loadOverride: { operator: string; reason: string } | null;
  /** Why the procedure is being aborted, when it is. */
  abortReason: string | null;
  /** Services an abort could not start again, per host. */
  couldNotStart: Record<string, { service: string; reason: string }[]>;
  /** Steps that run on several hosts at once (the preflight, parallel OS restarts): each host's lane. */
  lanes: Record<string, Record<string, Lane>>;
}

export function initialSpocContext(loadOverride: SpocProcedureContext['loadOverride']): SpocProcedureContext {
  return {
    halt: null,
    down: {},
    othersRunning: {},
    spocStoppedAt: {},
    spocStartedAt: {},
    completedMembers: [],
    loadOverride,
    abortReason: null,
    couldNotStart: {},
    lanes: {},
  };
}

/** `down` after services were stopped on a host. */
export function markStopped(down: Record<string, string[]>, host: string, services: string[]): Record<string, string[]> {
  // Nothing stopped: the host stays out of `down` (an empty entry would read as "left stopped").
  if (services.length === 0) return down;
  const current = down[host] ?? [];
  const added = services.filter((s) => !current.includes(s));
  return { ...down, [host]: [...current, ...added] };
}

/** `down` after services were started on a host; hosts with nothing down disappear. */
export function markStarted(down: Record<string, string[]>, host: string, services: string[]): Record<string, string[]> {
  const remaining = (down[host] ?? []).filter((s) => !services.includes(s));
  const next = { ...down };
  if (remaining.length === 0) delete next[host];
  else next[host] = remaining;
  return next;
}

/** Hosts that have at least one service this procedure stopped. */
export function hostsDown(down: Record<string, string[]>): string[] {
  return Object.keys(down).filter((host) => (down[host] ?? []).length > 0);
}

const ROLE_START_ORDER = [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE];

/** The runbook's start order: SPOC, group service, terminal server, then the other services. */
export function inStartOrder(services: string[]): string[] {
  const roles = ROLE_START_ORDER.filter((s) => services.includes(s));
  return [...roles, ...services.filter((s) => !ROLE_START_ORDER.includes(s))];
}
