/**
 * What a passive cluster's supervisor does about what it sees (docs/jobscheduler-cluster.md#passive-cluster). Pure: one
 * observation of the cluster database in, one decision out.
 *
 * - Only the primary is active in normal operation.
 * - The active member stopped heartbeating while still active (aborted, killed, hung): fence it
 *   (a new epoch: it can no longer write), then activate the primary if it is up, else the backup
 *   next in precedence that is up. Nobody up: fence it anyway and wait.
 * - The active member ended normally (terminated): no backup takes over; the primary is activated
 *   once it is started again.
 * - The primary is up again while a backup is active: fence and terminate the backup, then
 *   activate the primary.
 * - Only a member that is alive and on standby (started and registered, not fenced) is ever
 *   activated: a fenced member must be started again before it can act.
 */
import type { MemberView } from '../core/effects';
import { backupsInFailoverOrder, primaryOf } from './cluster-members';
import type { JobSchedulerCluster } from './jobscheduler-cluster-input';

export type PassiveDecision =
  | { kind: 'steady'; why: string }
  | { kind: 'wait'; why: string }
  | { kind: 'failover'; dead: string; next: string; why: string }
  | { kind: 'fence-dead'; dead: string; why: string }
  | { kind: 'activate'; member: string; why: string }
  | { kind: 'return-to-primary'; backup: string; primary: string; why: string };

export interface PassiveObservation {
  activeMember: string | null;
  members: MemberView[];
}

const eligible = (m: MemberView | undefined): m is MemberView => m !== undefined && m.alive && m.status === 'standby';

export function decidePassive(cluster: JobSchedulerCluster, observation: PassiveObservation): PassiveDecision {
  const view = (host: string | undefined) => observation.members.find((m) => m.member === host);
  const primary = primaryOf(cluster)?.host;
  const primaryView = view(primary);
  const backups = backupsInFailoverOrder(cluster).map((b) => b.host);
  const active = observation.activeMember;
  const activeView = view(active ?? undefined);
  const nextUp = (except: string) => [primary, ...backups].find((h) => h !== except && eligible(view(h)));

  if (activeView && activeView.status === 'active' && activeView.alive) {
    if (active !== primary && primary && eligible(primaryView)) {
      return { kind: 'return-to-primary', backup: activeView.member, primary, why: `the primary ${primary} is up again while the backup ${activeView.member} is active` };
    }
    return { kind: 'steady', why: `${activeView.member} is active and heartbeating` };
  }
  if (activeView && activeView.status === 'active') {
    const next = nextUp(activeView.member);
    const why = `the active member ${activeView.member} stopped heartbeating (last ${activeView.lastHeartbeatAt ?? 'never'})`;
    return next ? { kind: 'failover', dead: activeView.member, next, why } : { kind: 'fence-dead', dead: activeView.member, why: `${why}; no other member is up to take over` };
  }
  // Nobody is acting now.
  if (primary && eligible(primaryView)) {
    return { kind: 'activate', member: primary, why: active ? `${active} is not active (${activeView?.status ?? 'unknown'}); the primary ${primary} is up` : `the primary ${primary} is up and nobody is active` };
  }
  if (activeView?.status === 'terminated') {
    return { kind: 'wait', why: `the active member ${activeView.member} ended normally: no backup takes over; waiting for the primary to be started` };
  }
  // A member was fenced (a failover that found nobody up, or whose activation failed), or the
  // active member came back on standby: the first member up in failover order takes over, the
  // one named active included.
  const tookOver = observation.members.some((m) => m.status === 'fenced') || activeView !== undefined;
  if (!tookOver) return { kind: 'wait', why: 'nobody has been active yet: waiting for the primary to start' };
  const next = [primary, ...backups].find((h) => eligible(view(h)));
  if (next) return { kind: 'activate', member: next, why: `nobody is active${active ? ` (${active} is ${activeView?.status ?? 'gone'})` : ' after a fence'}; ${next} is the first member up in failover order` };
  return { kind: 'wait', why: 'nobody is active and no member is up to take over' };
}
