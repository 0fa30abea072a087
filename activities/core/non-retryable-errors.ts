/**
 * The one list of failure types a retry cannot fix. Workflows put it in every activity's retry
 * policy (`nonRetryableErrorTypes`, workflows/runtime/activity-options.ts) and the host agents turn an error
 * of one of these types into a non-retryable `ApplicationFailure` themselves, so the step halts at
 * once for the operator whichever side looks.
 *
 * A type is the `name` an error carries across the wire (a class's `name`, or the type of an
 * `ApplicationFailure` thrown directly). An error class whose TSDoc says "Not retryable" must be
 * listed here; test/core/activities/non-retryable-errors.test.ts checks every exported class of
 * activities/ against this list.
 *
 * Imports nothing, so that workflow code may import it.
 */
export const NON_RETRYABLE_ERRORS = [
  // Refusals of the host agents before anything is touched (host-agent-activities.ts).
  'ProtectedServiceError',
  'InvalidEffectError',
  'UnsafeCachePathError',
  'SpocNotStoppedError',
  'StepTimedOutError',
  'OsRestartRefusedError',
  'PreflightFailedError',
  'NotVendorServiceError',
  // A real host's agent: the step names a folder or a role its configuration does not give it (agent/).
  'OutsideAgentConfigError',
  // A real host's agent: a JobScheduler member's normal termination that its platform can only do as an abort (local-member-processes.ts).
  'NormalTerminationImpossibleError',
  // sc.exe (service-control/service-control-errors.ts, sc-exe-service-config.ts).
  'ServiceNotInstalledError',
  'ServiceAccessDeniedError',
  'ServiceDisabledError',
  'ServiceHasDependentsError',
  'ServiceLogonFailedError',
  'ServicePausedError',
  'ServiceControlOutputError',
  'ServiceConfigUnreadableError',
  // The central checks (central-activities.ts).
  'ManagementServerUnreachableError',
  'MembersUnderLoadError',
  'SpocsNotOnlineError',
  'SpocInGroupError',
  'NoLoadSourceError',
  'SpocNotInFleetError',
  // The cluster database's refusals (scheduler-activities.ts).
  'InvalidInputError',
  'UnknownEntityError',
  'MemberNotAliveError',
  'WrongRoleError',
  'StepNotCurrentError',
  'InvalidClusterOptionsError',
  'ClusterDatabaseNotFoundError',
  'MemberWontStopError',
  'MemberFencedError',
  'NotAClusterDatabaseError',
  'InvalidClusterDatabaseNameError',
  // A JobScheduler member's host (scheduler-host-activities.ts and the files it uses).
  'SchedulerMemberPreflightError',
  'OptionsNotAppliedError',
  'SchedulerServiceOutdatedError',
  'SchedulerServiceNotFoundError',
  'SchedulerServiceOfAnotherInstallError',
  'SchedulerStartFailedError',
  'UnsafeUnixInstallFolderError',
  'JobSchedulerStatusUnknownError',
  'DuplicateClusterOptionsError',
  'UnreadableClusterOptionsError',
  'UnsafeScriptPathError',
  'JobSchedulerServiceNotStoppedError',
  'UnsafeInstallFolderError',
] as const;

export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERRORS)[number];

const NON_RETRYABLE = new Set<string>(NON_RETRYABLE_ERRORS);

/** True when a failure of this type (an error's `name`) is one a retry cannot fix. */
export function isNonRetryableErrorType(type: string | undefined): boolean {
  return type !== undefined && NON_RETRYABLE.has(type);
}
