/**
 * A JobScheduler member's cluster start options as the runbook writes them (one of three forms,
 * see jobscheduler-cluster-input.ts for the forms and the readings behind them), read from their
 * text and written back. Pure and free of zod, so the set-cluster-option machine, which writes a
 * member's options, can be shared by every workflow of a worker (worker/shared-machines.ts); the
 * schema that validates them is in jobscheduler-cluster-input.ts.
 */

/** The start options of the primary of a passive cluster: `-exclusive`. */
export interface PrimaryOptions {
  role: 'primary';
}

/** The start options of a backup of a passive cluster: `-exclusive -backup [-backup-precedence=n]`. */
export interface BackupOptions {
  role: 'backup';
  /** The precedence that decides the failover order, lowest first; 1 when none was written. */
  precedence: number;
  /** Whether `-backup-precedence=n` was written; only then is it written back into the start script. */
  precedenceGiven: boolean;
}

/** The start options of a member of an active cluster: `-exclusive -distributed-orders`. */
export interface DistributedOptions {
  role: 'distributed';
}

/** One member's cluster start options, parsed. */
export type ClusterStartOptions = PrimaryOptions | BackupOptions | DistributedOptions;

/** What a member is in its cluster, as its options make it. */
export type ClusterRole = ClusterStartOptions['role'];

/** The precedence JobScheduler gives a backup started without `-backup-precedence=n`. */
export const DEFAULT_BACKUP_PRECEDENCE = 1;

/** Largest precedence accepted: JobScheduler reads n into a 32-bit int. */
export const MAX_BACKUP_PRECEDENCE = 2_147_483_647;

const FORMS =
  'the forms are "-exclusive" (primary of a passive cluster), "-exclusive -backup [-backup-precedence=n]" ' +
  '(backup) and "-exclusive -distributed-orders" (member of an active cluster)';

/** The options as they are written on the command line and in the start script. */
export function formatClusterOptions(options: ClusterStartOptions): string {
  switch (options.role) {
    case 'primary':
      return '-exclusive';
    case 'distributed':
      return '-exclusive -distributed-orders';
    case 'backup':
      return options.precedenceGiven ? `-exclusive -backup -backup-precedence=${options.precedence}` : '-exclusive -backup';
  }
}

/**
 * Reads one member's cluster options. Never throws: a refusal comes back as `problem`, a sentence
 * that says what is wrong and what to write instead.
 */
export function parseClusterOptions(text: string): { ok: true; options: ClusterStartOptions } | { ok: false; problem: string } {
  const refuse = (problem: string) => ({ ok: false as const, problem });
  const tokens = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (tokens.length === 0) return refuse(`no cluster options given; ${FORMS}`);

  const known = /^(?:-exclusive|-backup|-distributed-orders|-backup-precedence=.*)$/;
  const unknown = tokens.find((token) => !known.test(token));
  if (unknown === '-backup-precedence') return refuse('"-backup-precedence" needs its number attached, e.g. -backup-precedence=2');
  if (unknown !== undefined) return refuse(`"${unknown}" is not a cluster option; ${FORMS}`);
  const repeated = tokens.find((token, i) => tokens.findIndex((t) => t.split('=')[0] === token.split('=')[0]) !== i);
  if (repeated !== undefined) return refuse(`"${repeated.split('=')[0]}" is given twice; ${FORMS}`);

  const has = (flag: string) => tokens.some((t) => t.split('=')[0] === flag);
  if (has('-backup') && has('-distributed-orders')) {
    return refuse('-backup and -distributed-orders do not go together: a backup belongs to a passive cluster, -distributed-orders to an active one');
  }
  if (has('-backup-precedence') && !has('-backup')) {
    return refuse('-backup-precedence is only for a backup: write -exclusive -backup -backup-precedence=n');
  }
  if (!has('-exclusive')) {
    return tokens[0] === '-distributed-orders' && tokens.length === 1
      ? refuse('a member of an active cluster starts with "-exclusive -distributed-orders", not "-distributed-orders" alone')
      : refuse(`every cluster member starts with -exclusive; ${FORMS}`);
  }

  const [first, second, third] = tokens;
  if (first !== '-exclusive') return refuse(`write the options in the documented order, starting with -exclusive; ${FORMS}`);
  if (second === undefined) return { ok: true, options: { role: 'primary' } };
  if (second === '-distributed-orders') return { ok: true, options: { role: 'distributed' } };
  if (second !== '-backup') return refuse('write the options in the documented order: -exclusive -backup -backup-precedence=n');
  if (third === undefined) return { ok: true, options: { role: 'backup', precedence: DEFAULT_BACKUP_PRECEDENCE, precedenceGiven: false } };

  const n = third.slice('-backup-precedence='.length);
  if (!/^(?:0|[1-9]\d*)$/.test(n) || Number(n) > MAX_BACKUP_PRECEDENCE) {
    return refuse(`"${third}": n must be a non-negative integer (no sign, no leading zeros, at most ${MAX_BACKUP_PRECEDENCE}), e.g. -backup-precedence=2`);
  }
  return { ok: true, options: { role: 'backup', precedence: Number(n), precedenceGiven: true } };
}
