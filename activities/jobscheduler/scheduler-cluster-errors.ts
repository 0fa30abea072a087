/**
 * The cluster database's refusals. Each carries its class name across the wire (the failure type
 * Temporal matches retry policies on); the ones a retry cannot fix are listed in
 * activities/core/non-retryable-errors.ts.
 */

/** A name the database does not know: a typo in a member, job, chain, node or order. */
export class UnknownEntityError extends Error {
  override readonly name = 'UnknownEntityError';
  constructor(
    readonly kind: 'member' | 'job' | 'job chain' | 'node' | 'order',
    readonly entity: string,
  ) {
    super(`no ${kind} "${entity}" in the cluster database`);
  }
}

/** Activation of a member whose heartbeat is stale or that terminated: it could not act. */
export class MemberNotAliveError extends Error {
  override readonly name = 'MemberNotAliveError';
}

/**
 * Activation of (or a step for) a member that was fenced and has not registered since: the process
 * that was fenced may still be hung or cut off, and only a new process, which registers anew,
 * starts clean. Not retryable: the member must be started again.
 */
export class MemberFencedError extends Error {
  override readonly name = 'MemberFencedError';
}

/** A passive-cluster operation on an active-cluster member, or the other way round. */
export class WrongRoleError extends Error {
  override readonly name = 'WrongRoleError';
}

/** A step that is not the order's current one, or an order that is not active: steps run in chain order. */
export class StepNotCurrentError extends Error {
  override readonly name = 'StepNotCurrentError';
}

/**
 * The file is not a cluster database (missing, not SQLite, or without spoolflow's tables): it was
 * not changed. The message names the file by its name only, never its folder: it may become a
 * halt reason, kept in workflow history.
 */
export class NotAClusterDatabaseError extends Error {
  override readonly name = 'NotAClusterDatabaseError';
}
