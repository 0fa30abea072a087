/**
 * The effect vocabulary: every side effect a procedure machine can ask for, in the words that
 * appear in plans, in the operation record and in the README. A machine never performs an effect;
 * it emits an `effect` action whose params are one of these objects, the workflow runtime runs the
 * matching activity and answers with `effect.done.<step>` or `effect.failed.<step>`.
 */

/** Where an effect runs: on a site server's own agent, or on the central orchestrator. */
export type EffectPlace = 'host' | 'central';

/** Every action word, with where it runs. Plans and records use exactly these words. */
export const ACTIONS = {
  'check-management-server': 'central',
  'check-no-load': 'central',
  'check-spocs-online': 'central',
  'await-spoc-online': 'central',
  'preflight': 'host',
  'query-services': 'host',
  'survey-other-services': 'host',
  'stop-service': 'host',
  'stop-services': 'host',
  'start-service': 'host',
  'start-services': 'host',
  'await-service-running': 'host',
  'await-lifecycle-online': 'host',
  'await-rescue-finished': 'host',
  'delete-cache': 'host',
  'restart-os': 'host',
  'await-host-restarted': 'host',
  // JobScheduler clusters: the cluster database is read and written centrally; a member's process
  // and files are handled by the agent of its host.
  'watch-cluster': 'central',
  'fence-member': 'central',
  'activate-member': 'central',
  'assign-pending-steps': 'central',
  'reassign-steps-of': 'central',
  'submit-order': 'central',
  'terminate-member': 'host',
  'check-scheduler-member': 'host',
  'stop-scheduler': 'host',
  'start-scheduler': 'host',
  'remove-scheduler-service': 'host',
  'install-scheduler-service': 'host',
  'set-cluster-options': 'host',
} as const satisfies Record<string, EffectPlace>;

export type ActionWord = keyof typeof ACTIONS;

/** How long deleting one spool cache may take when the procedure's input does not say (the waits' default). */
export const DEFAULT_CACHE_DELETION_SECONDS = 1800;

interface EffectBase {
  /** The machine state that asked for the effect; its answer event names it. */
  step: string;
  /** The operator's words for this step, shown in the Web UI and in plans. */
  title: string;
}

export interface HostEffectBase extends EffectBase {
  host: string;
  /**
   * Set by the workflow runtime, never by a machine: the same for every attempt of this step on
   * this host in this procedure (Temporal's retries, the operator's retries, across continue-as-
   * new), so an activity that must act once per step (an OS restart) can tell a repeat.
   */
  requestKey?: string;
}

export type Effect =
  | (EffectBase & { action: 'check-management-server' })
  | (EffectBase & { action: 'check-no-load'; hosts: string[] })
  /**
   * Read-only, before the first side effect: the agent answers, `services` exist on the host,
   * each of `otherServices` (when the input lists them) is a vendor service there, the install
   * folder passes the rule the cache deletion applies, and the SPOC's logs exist.
   */
  | (HostEffectBase & { action: 'preflight'; installDir: string; services: string[]; otherServices?: string[] })
  /** With `otherVendorServices`, every other vendor service running on the host is noted too. */
  | (HostEffectBase & { action: 'query-services'; services: string[]; otherVendorServices?: boolean })
  /**
   * Step 3's survey: the vendor's services running on the host, less the role and protected ones;
   * with `only`, narrowed to those (each must be a vendor service on the host).
   */
  | (HostEffectBase & { action: 'survey-other-services'; only?: string[] })
  | (HostEffectBase & { action: 'stop-service'; service: string; timeoutSeconds: number })
  | (HostEffectBase & { action: 'stop-services'; services: string[]; timeoutSeconds: number })
  | (HostEffectBase & { action: 'start-service'; service: string; timeoutSeconds: number })
  | (HostEffectBase & { action: 'start-services'; services: string[]; timeoutSeconds: number; bestEffort?: boolean })
  | (HostEffectBase & { action: 'await-service-running'; service: string; timeoutSeconds: number })
  | (HostEffectBase & { action: 'await-lifecycle-online'; installDir: string; since: string; timeoutSeconds: number })
  | (HostEffectBase & { action: 'await-rescue-finished'; installDir: string; since: string; timeoutSeconds: number })
  /** `timeoutSeconds`: how long deleting the cache may take (a large cache takes long); {@link DEFAULT_CACHE_DELETION_SECONDS} when absent. */
  | (HostEffectBase & { action: 'delete-cache'; installDir: string; timeoutSeconds?: number })
  /** With `standalone`, each SPOC must also be in no SPOC group. */
  | (EffectBase & { action: 'check-spocs-online'; hosts: string[]; standalone?: boolean })
  | (HostEffectBase & { action: 'await-spoc-online'; since: string; others: string[]; timeoutSeconds: number })
  | (HostEffectBase & { action: 'restart-os'; delaySeconds: number })
  | (HostEffectBase & { action: 'await-host-restarted'; since: string; services: string[]; timeoutSeconds: number })
  | ClusterEffect;

/** What the supervisor last saw of a cluster: who is active, who is alive. */
export interface ExpectedClusterView {
  activeMember: string | null;
  aliveMembers: string[];
  /** Each member's status as last seen, so a member restarted within the timeout counts as a change. */
  statuses?: Record<string, string>;
}

/** A JobScheduler member as its host's agent handles it (process, install folder, start script). */
export interface SchedulerMemberRef {
  member: string;
  os: 'unix' | 'windows';
  installDir: string;
  database: string;
  jobSchedulerId: string;
}

export type ClusterEffect =
  | (EffectBase & { action: 'watch-cluster'; database: string; heartbeatTimeoutMs: number; expected: ExpectedClusterView; maxWatchMs: number; pollMs: number; returnWhenStepsPending?: boolean })
  | (EffectBase & { action: 'fence-member'; database: string; member: string; reason: string })
  | (EffectBase & { action: 'activate-member'; database: string; member: string; heartbeatTimeoutMs: number })
  | (EffectBase & { action: 'assign-pending-steps'; database: string; heartbeatTimeoutMs: number })
  | (EffectBase & { action: 'reassign-steps-of'; database: string; member: string; heartbeatTimeoutMs: number })
  | (EffectBase & { action: 'submit-order'; database: string; chain: string; order: string })
  | (HostEffectBase & { action: 'terminate-member'; database: string; member: string; timeoutMs: number })
  | (HostEffectBase & SchedulerMemberRef & { action: 'check-scheduler-member' })
  | (HostEffectBase & SchedulerMemberRef & { action: 'stop-scheduler'; timeoutSeconds: number })
  | (HostEffectBase & SchedulerMemberRef & { action: 'start-scheduler'; timeoutSeconds: number })
  | (HostEffectBase & SchedulerMemberRef & { action: 'remove-scheduler-service' })
  | (HostEffectBase & SchedulerMemberRef & { action: 'install-scheduler-service' })
  | (HostEffectBase & SchedulerMemberRef & { action: 'set-cluster-options'; options: string });

export type EffectOf<A extends ActionWord> = Extract<Effect, { action: A }>;

/** What each effect answers when it succeeds. */
export interface EffectOutputs {
  'check-management-server': { reachable: true };
  'check-no-load': { activeJobs: Record<string, number> };
  /** `checked`: what the agent found in order, in the operator's words. */
  'preflight': { checked: string[] };
  'query-services': { running: string[] };
  'survey-other-services': { running: string[] };
  'stop-service': { outcome: 'stopped' | 'already-stopped'; at: string };
  'stop-services': { stopped: string[]; at: string };
  'start-service': { outcome: 'started' | 'already-running'; at: string };
  /** With `bestEffort`, services that would not start are listed instead of failing the step. */
  'start-services': { started: string[]; failed: { service: string; reason: string }[]; at: string };
  'await-service-running': { runningAt: string };
  'await-lifecycle-online': { onlineAt: string };
  'await-rescue-finished': { finishedAt: string };
  'delete-cache': { deleted: boolean; path: string };
  'check-spocs-online': { online: string[] };
  /** `others`: how the Management Server saw the other members at that moment. */
  'await-spoc-online': { onlineAt: string; others: Record<string, { online: boolean; onlineSince: string | null }> };
  /** `requestedAt` and `bootBefore` are host clock times; a retried step reports the first request. */
  'restart-os': { outcome: 'restart-requested' | 'already-requested'; requestedAt: string; bootBefore: string };
  'await-host-restarted': { bootedAt: string; running: string[] };
  'watch-cluster': ClusterWatchOutput;
  'fence-member': { epoch: number; changed: boolean };
  'activate-member': { epoch: number; changed: boolean; previous: string | null };
  'assign-pending-steps': { assignments: StepAssignmentView[] };
  'reassign-steps-of': { assignments: StepAssignmentView[] };
  'submit-order': { order: string; created: boolean };
  'terminate-member': { outcome: 'terminated' | 'already-gone' };
  /** Paths on the host, as found: the install folder, `bin/jobscheduler.(sh|cmd)` and the start script the option is set in. */
  'check-scheduler-member': { installDir: string; controlScript: string; startScript: string };
  'stop-scheduler': { outcome: 'stopped' | 'already-stopped' };
  'start-scheduler': { outcome: 'started' | 'already-running'; options: string };
  'remove-scheduler-service': { outcome: 'removed' | 'not-installed' };
  'install-scheduler-service': { outcome: 'installed' | 'already-installed' };
  'set-cluster-options': { changed: boolean; file: string; line: string };
}

/** One member as the cluster database shows it. */
export interface MemberView {
  member: string;
  host: string;
  role: 'primary' | 'backup' | 'distributed';
  backupPrecedence: number | null;
  status: 'standby' | 'active' | 'terminated' | 'fenced';
  alive: boolean;
  lastHeartbeatAt: string | null;
}

export interface ClusterWatchOutput {
  changed: boolean;
  changes: string[];
  observation: { observedAt: string; activeMember: string | null; epoch: number; members: MemberView[] };
  now: ExpectedClusterView;
}

export interface StepAssignmentView {
  order: string;
  step: number;
  attempt: number;
  member: string;
}

/** The event the runtime sends when an effect failed for good; the machine halts on it. */
export interface EffectFailedEvent {
  type: `effect.failed.${string}`;
  reason: string;
  errorType?: string;
}

export function doneEventType(step: string): `effect.done.${string}` {
  return `effect.done.${step}`;
}

export function failedEventType(step: string): `effect.failed.${string}` {
  return `effect.failed.${step}`;
}

/** The tag a state carries while its effect is in flight; the runtime cancels effects whose tag is gone. */
export function effectTag(step: string): string {
  return `effect:${step}`;
}

/** What an effect is in flight as: its step, on its host (one step may run on several hosts at once). */
export function flightKey(effect: Effect): string {
  const host = hostOf(effect);
  return host ? `${effect.step}@${host}` : effect.step;
}

/** Where the effect runs: a host's agent, or the central worker. */
export function placeOf(effect: Effect): EffectPlace {
  return ACTIONS[effect.action];
}

/** The host an effect touches, when it touches one. */
export function hostOf(effect: Effect): string | undefined {
  return 'host' in effect ? effect.host : undefined;
}

/** What the effect acts on, in the words of the plan's `target` column. */
export function targetOf(effect: Effect): string | undefined {
  switch (effect.action) {
    case 'stop-service':
    case 'start-service':
    case 'await-service-running':
      return effect.service;
    case 'query-services':
      return effect.otherVendorServices ? [...effect.services, 'the other vendor services'].join(', ') : effect.services.join(', ');
    case 'stop-services':
    case 'start-services':
      return effect.services.join(', ');
    case 'survey-other-services':
      return effect.only ? effect.only.join(', ') : 'every vendor service running, less role and protected ones';
    case 'preflight':
      return `agent, ${[...effect.services, ...(effect.otherServices ?? [])].join(', ')}, install folder, SPOC logs`;
    case 'await-lifecycle-online':
      return 'SPOC\\logs\\spoc_lifecycle.log';
    case 'await-rescue-finished':
      return 'SPOC\\logs\\spoc.log';
    case 'delete-cache':
      return 'SPOC\\SpoolCache';
    case 'check-no-load':
      return effect.hosts.join(', ');
    case 'check-management-server':
      return 'Management Server';
    case 'check-spocs-online':
      return effect.hosts.join(', ');
    case 'await-spoc-online':
      return 'Management Server';
    case 'restart-os':
      return 'Windows';
    case 'await-host-restarted':
      return effect.services.join(', ');
    case 'watch-cluster':
    case 'assign-pending-steps':
      return 'cluster database';
    case 'submit-order':
      return `${effect.chain}/${effect.order}`;
    case 'fence-member':
    case 'activate-member':
    case 'reassign-steps-of':
    case 'terminate-member':
    case 'check-scheduler-member':
    case 'stop-scheduler':
    case 'start-scheduler':
    case 'remove-scheduler-service':
    case 'install-scheduler-service':
      return effect.member;
    case 'set-cluster-options':
      return `${effect.member}: SCHEDULER_CLUSTER_OPTIONS=${effect.options}`;
  }
}

/**
 * The answer an effect gives when everything goes as the runbook expects. Plans are computed by
 * running the real machine on these answers, so a plan and a run cannot disagree on the nominal path.
 */
export function nominalOutput(effect: Effect, now: string): EffectOutputs[ActionWord] {
  switch (effect.action) {
    case 'check-management-server':
      return { reachable: true };
    case 'check-no-load':
      return { activeJobs: Object.fromEntries(effect.hosts.map((h) => [h, 0])) };
    case 'preflight':
      return { checked: ['agent answers', ...effect.services, ...(effect.otherServices ?? []), effect.installDir, 'SPOC\\logs\\spoc_lifecycle.log', 'SPOC\\logs\\spoc.log'] };
    case 'query-services':
      return { running: [...effect.services] };
    case 'survey-other-services':
      // A plan cannot know which vendor services a host has; without a list it stops none.
      return { running: [...(effect.only ?? [])] };
    case 'stop-service':
      return { outcome: 'stopped', at: now };
    case 'stop-services':
      return { stopped: [...effect.services], at: now };
    case 'start-service':
      return { outcome: 'started', at: now };
    case 'start-services':
      return { started: [...effect.services], failed: [], at: now };
    case 'await-service-running':
      return { runningAt: now };
    case 'await-lifecycle-online':
      return { onlineAt: now };
    case 'await-rescue-finished':
      return { finishedAt: now };
    case 'delete-cache':
      return { deleted: true, path: `${effect.installDir}\\SPOC\\SpoolCache` };
    case 'check-spocs-online':
      return { online: [...effect.hosts] };
    case 'await-spoc-online':
      // The other members have been online since before this member's restart: no parallel restart.
      return { onlineAt: now, others: Object.fromEntries(effect.others.map((h) => [h, { online: true, onlineSince: PLAN_LONG_AGO }])) };
    case 'restart-os':
      return { outcome: 'restart-requested', requestedAt: now, bootBefore: PLAN_LONG_AGO };
    case 'await-host-restarted':
      return { bootedAt: now, running: [...effect.services] };
    case 'watch-cluster':
      // Nothing changed: a supervisor's nominal path watches on; plans do not run supervisors.
      return { changed: false, changes: [], observation: { observedAt: now, activeMember: effect.expected.activeMember, epoch: 1, members: [] }, now: effect.expected };
    case 'fence-member':
      return { epoch: 2, changed: true };
    case 'activate-member':
      return { epoch: 2, changed: true, previous: null };
    case 'assign-pending-steps':
    case 'reassign-steps-of':
      return { assignments: [] };
    case 'submit-order':
      return { order: effect.order, created: true };
    case 'terminate-member':
      return { outcome: 'terminated' };
    case 'check-scheduler-member': {
      const [sep, control, ext] = effect.os === 'windows' ? ['\\', 'jobscheduler.cmd', 'cmd'] : ['/', 'jobscheduler.sh', 'sh'];
      return { installDir: effect.installDir, controlScript: `${effect.installDir}${sep}bin${sep}${control}`, startScript: `${effect.installDir}${sep}bin${sep}jobscheduler_environment_variables.${ext}` };
    }
    case 'stop-scheduler':
      return { outcome: 'stopped' };
    case 'start-scheduler':
      return { outcome: 'started', options: '' };
    case 'remove-scheduler-service':
      return { outcome: 'removed' };
    case 'install-scheduler-service':
      return { outcome: 'installed' };
    case 'set-cluster-options':
      return { changed: true, file: `${effect.installDir}/bin/jobscheduler_environment_variables.${effect.os === 'windows' ? 'cmd' : 'sh'}`, line: `SCHEDULER_CLUSTER_OPTIONS=${effect.options}` };
  }
}

const PLAN_LONG_AGO = '1999-12-01T00:00:00.000Z';

/** The activity that performs an action: its words in camelCase (`stop-service` → `stopService`). */
export function activityNameOf(action: ActionWord): string {
  return action.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
