/**
 * The JobScheduler cluster start options (`SCHEDULER_CLUSTER_OPTIONS`) and the role each gives a
 * member. The supervisor reads roles from the cluster database to know which backup comes next,
 * and a member reads its own to know whether it waits to be activated (passive cluster) or runs
 * the order steps given to it (active cluster). Anything else is refused: a member started with
 * options the runbook does not describe must not join the cluster.
 */

/** Primary and backups form a passive cluster (one active member); distributed members an active one. */
export type SchedulerRole = 'primary' | 'backup' | 'distributed';

export interface SchedulerClusterOptions {
  role: SchedulerRole;
  /**
   * `-backup-precedence=n`: the order in which backups become active, lowest first. Absent on a
   * backup started without it (it comes after the numbered ones) and on every other role.
   */
  backupPrecedence?: number;
  /** The options as given, in the words of the runbook. */
  text: string;
}

export class InvalidClusterOptionsError extends Error {
  override readonly name = 'InvalidClusterOptionsError';
}

const KNOWN = /^-(exclusive|backup|distributed-orders|backup-precedence=(\d+))$/;

/**
 * Parses `-exclusive`, `-exclusive -backup [-backup-precedence=n]` or `-exclusive -distributed-orders`
 * (`-distributed-orders` alone is accepted too, as the seed's introduction lists it so).
 */
export function parseClusterOptions(text: string): SchedulerClusterOptions {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const seen = new Set<string>();
  let backupPrecedence: number | undefined;
  for (const word of words) {
    const match = KNOWN.exec(word);
    if (!match) {
      throw new InvalidClusterOptionsError(
        `unknown cluster option "${word}" in "${text}"; use -exclusive, -exclusive -backup [-backup-precedence=n] or -exclusive -distributed-orders`,
      );
    }
    if (match[2] !== undefined) {
      backupPrecedence = Number(match[2]);
      seen.add('backup-precedence');
    } else {
      seen.add(match[1] as string);
    }
  }
  const normalized = words.join(' ');
  if (seen.has('distributed-orders')) {
    if (seen.has('backup') || seen.has('backup-precedence')) {
      throw new InvalidClusterOptionsError(`"${text}" mixes -distributed-orders (active cluster) with -backup (passive cluster); choose one`);
    }
    return { role: 'distributed', text: normalized };
  }
  if (!seen.has('exclusive')) {
    throw new InvalidClusterOptionsError(`"${text}" lacks -exclusive; every member of a passive cluster is started with -exclusive`);
  }
  if (seen.has('backup-precedence') && !seen.has('backup')) {
    throw new InvalidClusterOptionsError(`"${text}" has -backup-precedence without -backup; only a backup has a precedence`);
  }
  if (seen.has('backup')) return { role: 'backup', text: normalized, ...(backupPrecedence !== undefined ? { backupPrecedence } : {}) };
  return { role: 'primary', text: normalized };
}
