/**
 * Who is who in a JobScheduler cluster definition: the primary, the backups in the order they take
 * over, the database every member shares, how long a member may miss its heart beat, and the member
 * a set-cluster-option run changes. Pure and free of zod (the definitions are validated before they
 * get here), so the supervisors' and the set-cluster-option machines can be shared by every workflow
 * of a worker (worker/shared-machines.ts).
 */
import type { BackupOptions } from './cluster-options';
import type { JobSchedulerCluster, JobSchedulerMember } from './jobscheduler-cluster-input';
import type { SetClusterOptionInput } from './set-cluster-option-input';
import { sameName } from '../core/names';

/** The primary of a passive cluster; undefined for an active cluster, which has none. */
export function primaryOf(cluster: JobSchedulerCluster): JobSchedulerMember | undefined {
  return cluster.members.find((member) => member.clusterOptions.role === 'primary');
}

/** A member known to be a backup. */
export type BackupMember = JobSchedulerMember & { clusterOptions: BackupOptions };

/**
 * The backups in the order they take over when the active JobScheduler is aborted or killed: lowest
 * precedence first (a backup without `-backup-precedence` counts as 1). Empty for an active cluster.
 */
export function backupsInFailoverOrder(cluster: JobSchedulerCluster): BackupMember[] {
  return cluster.members
    .filter((member): member is BackupMember => member.clusterOptions.role === 'backup')
    .sort((a, b) => a.clusterOptions.precedence - b.clusterOptions.precedence);
}

/** The database every member shares (validated to be one). */
export function clusterDatabase(cluster: JobSchedulerCluster): string {
  return cluster.members[0]?.database ?? '';
}

/** How long a member may go without a heart beat before its cluster counts it dead. */
export const heartbeatTimeoutMs = (cluster: JobSchedulerCluster): number => cluster.heartbeat.timeoutSeconds * 1000;

/** Position of the member on `host` (host names compare in their normal form), or -1. */
export function memberIndexOf(cluster: JobSchedulerCluster, host: string): number {
  return cluster.members.findIndex((m) => sameName(m.host, host));
}

/** The member whose options the procedure sets. */
export function targetMemberOf(input: SetClusterOptionInput): JobSchedulerMember {
  const member = input.cluster.members[memberIndexOf(input.cluster, input.host)];
  if (!member) throw new Error(`no member of cluster "${input.cluster.cluster}" runs on "${input.host}"`);
  return member;
}
