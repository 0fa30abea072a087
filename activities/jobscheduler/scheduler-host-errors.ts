/**
 * The refusals of a JobScheduler member's host agent (scheduler-host-activities.ts). Each carries
 * its class name across the wire; all are listed in activities/core/non-retryable-errors.ts.
 */

/** The member runs with other options than its start script gives. Not retryable: the operator must act. */
export class OptionsNotAppliedError extends Error {
  override readonly name = 'OptionsNotAppliedError';
}

/** The Windows service of the member is installed with other options than its start script gives. Not retryable. */
export class SchedulerServiceOutdatedError extends Error {
  override readonly name = 'SchedulerServiceOutdatedError';
}

/** No JobScheduler service, or more than one, for the JobScheduler ID. Not retryable. */
export class SchedulerServiceNotFoundError extends Error {
  override readonly name = 'SchedulerServiceNotFoundError';
}

/**
 * The service of the step's JobScheduler ID runs a program outside the step's install folder: it
 * belongs to another JobScheduler of the host. Not retryable: nothing was touched.
 */
export class SchedulerServiceOfAnotherInstallError extends Error {
  override readonly name = 'SchedulerServiceOfAnotherInstallError';
}

/** The JobScheduler did not start, and said why. Not retryable: the same start fails the same way. */
export class SchedulerStartFailedError extends Error {
  override readonly name = 'SchedulerStartFailedError';
}

/** The member's files are not where the cluster definition says: nothing was touched. Not retryable. */
export class SchedulerMemberPreflightError extends Error {
  override readonly name = 'SchedulerMemberPreflightError';
}

