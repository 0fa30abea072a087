/**
 * The JobScheduler cluster start options (`SCHEDULER_CLUSTER_OPTIONS`) as the cluster database and
 * the simulated members read them: the role and the backup precedence. One reading only: this is
 * the cluster definition's parser (machines/jobscheduler/jobscheduler-cluster-input.ts), so a member cannot join
 * with options the definition would refuse, and a backup without `-backup-precedence` counts as 1
 * there and here.
 */
import { formatClusterOptions, parseClusterOptions as parseDefinitionOptions } from '../../machines/jobscheduler/cluster-options';

/** Primary and backups form a passive cluster (one active member); distributed members an active one. */
export type SchedulerRole = 'primary' | 'backup' | 'distributed';

export interface SchedulerClusterOptions {
  role: SchedulerRole;
  /** `-backup-precedence=n` of a backup (1 when not written): lowest becomes active first. */
  backupPrecedence?: number;
  /** The options in the words of the runbook. */
  text: string;
}

export class InvalidClusterOptionsError extends Error {
  override readonly name = 'InvalidClusterOptionsError';
}

export function parseClusterOptions(text: string): SchedulerClusterOptions {
  const parsed = parseDefinitionOptions(text);
  if (!parsed.ok) throw new InvalidClusterOptionsError(`cluster options "${text}": ${parsed.problem}`);
  const { options } = parsed;
  return {
    role: options.role,
    text: formatClusterOptions(options),
    ...(options.role === 'backup' ? { backupPrecedence: options.precedence } : {}),
  };
}
