/**
 * The JobScheduler cluster actions: the cluster database is read and written centrally; a
 * member's process, service and files are handled by the agent of its host. Each is declared once
 * here, with the views of the cluster its answers carry; machines/actions.ts adds them to the
 * registry every layer reads.
 */
import { z } from 'zod';
import { actionsOf, defineAction, onHost, QUICK_STEP, type ActionLimits } from '../core/action-registry';

const names = z.array(z.string());

/** One member as the cluster database shows it. */
export const memberViewSchema = z.object({
  member: z.string(),
  host: z.string(),
  role: z.enum(['primary', 'backup', 'distributed']),
  backupPrecedence: z.number().nullable(),
  status: z.enum(['standby', 'active', 'terminated', 'fenced']),
  alive: z.boolean(),
  lastHeartbeatAt: z.string().nullable(),
});
export type MemberView = z.infer<typeof memberViewSchema>;

/** What the supervisor last saw of a cluster: who is active, who is alive. */
export const expectedClusterViewSchema = z.object({
  activeMember: z.string().nullable(),
  aliveMembers: names,
  /** Each member's status as last seen, so a member restarted within the timeout counts as a change. */
  statuses: z.record(z.string(), z.string()).optional(),
});
export type ExpectedClusterView = z.infer<typeof expectedClusterViewSchema>;

export const clusterWatchOutputSchema = z.object({
  changed: z.boolean(),
  changes: names,
  observation: z.object({ observedAt: z.string(), activeMember: z.string().nullable(), epoch: z.number(), members: z.array(memberViewSchema) }),
  now: expectedClusterViewSchema,
});
export type ClusterWatchOutput = z.infer<typeof clusterWatchOutputSchema>;

export const stepAssignmentViewSchema = z.object({
  order: z.string(),
  step: z.number(),
  attempt: z.number(),
  /** Null: released, no alive member could take it. */
  member: z.string().nullable(),
});
export type StepAssignmentView = z.infer<typeof stepAssignmentViewSchema>;

/** A JobScheduler member as its host's agent handles it (process, install folder, start script). */
export const schedulerMemberRefFields = {
  member: z.string(),
  os: z.enum(['unix', 'windows']),
  installDir: z.string(),
  database: z.string(),
  jobSchedulerId: z.string(),
};
export type SchedulerMemberRef = z.infer<z.ZodObject<typeof schedulerMemberRefFields>>;

/** A quick read or write of the cluster database, retried fast: a lock or a busy file clears within moments. */
const CLUSTER_DATABASE_STEP: ActionLimits = { attempt: '30s', retry: { initialInterval: '200ms', maximumAttempts: 5 } };

/** They poll the member (status, ps / the service) and heartbeat while they wait. */
const memberWait = (e: { timeoutSeconds: number }) => ({ attempt: `${e.timeoutSeconds + 120}s`, heartbeat: '10s' }) as const;

const assignments = z.object({ assignments: z.array(stepAssignmentViewSchema) });

export const JOBSCHEDULER_ACTIONS = actionsOf(
  defineAction('watch-cluster', {
    place: 'central',
    fields: {
      database: z.string(),
      heartbeatTimeoutMs: z.number(),
      expected: expectedClusterViewSchema,
      maxWatchMs: z.number(),
      pollMs: z.number(),
      returnWhenStepsPending: z.boolean().optional(),
    },
    answer: clusterWatchOutputSchema,
  }).with({
    // A supervisor must not stop at a database hiccup: the watch retries until the operator looks.
    limits: (e) => ({ attempt: `${Math.ceil(e.maxWatchMs / 1000) + 60}s`, heartbeat: '10s', retry: { maximumInterval: '5s', maximumAttempts: 20 } }),
    target: () => 'cluster database',
    // Nothing changed: a supervisor's nominal path watches on; plans do not run supervisors.
    nominal: (e, now) => ({ changed: false, changes: [], observation: { observedAt: now, activeMember: e.expected.activeMember, epoch: 1, members: [] }, now: e.expected }),
  }),
  defineAction('fence-member', {
    place: 'central',
    fields: { database: z.string(), member: z.string(), reason: z.string() },
    answer: z.object({ epoch: z.number(), changed: z.boolean() }),
  }).with({
    limits: () => CLUSTER_DATABASE_STEP,
    target: (e) => e.member,
    nominal: () => ({ epoch: 2, changed: true }),
  }),
  defineAction('activate-member', {
    place: 'central',
    fields: { database: z.string(), member: z.string(), heartbeatTimeoutMs: z.number() },
    answer: z.object({ epoch: z.number(), changed: z.boolean(), previous: z.string().nullable() }),
  }).with({
    limits: () => CLUSTER_DATABASE_STEP,
    target: (e) => e.member,
    nominal: () => ({ epoch: 2, changed: true, previous: null }),
  }),
  defineAction('assign-pending-steps', {
    place: 'central',
    fields: { database: z.string(), heartbeatTimeoutMs: z.number() },
    answer: assignments,
  }).with({
    limits: () => CLUSTER_DATABASE_STEP,
    target: () => 'cluster database',
    nominal: () => ({ assignments: [] }),
  }),
  defineAction('reassign-steps-of', {
    place: 'central',
    fields: { database: z.string(), member: z.string(), heartbeatTimeoutMs: z.number() },
    /** `memberAlive`: the member was alive again when the database looked, and kept its steps (none moved). */
    answer: assignments.extend({ memberAlive: z.literal(true).optional() }),
  }).with({
    limits: () => CLUSTER_DATABASE_STEP,
    target: (e) => e.member,
    nominal: () => ({ assignments: [] }),
  }),
  defineAction('submit-order', {
    place: 'central',
    fields: { database: z.string(), chain: z.string(), order: z.string() },
    answer: z.object({ order: z.string(), created: z.boolean() }),
  }).with({
    limits: () => CLUSTER_DATABASE_STEP,
    target: (e) => `${e.chain}/${e.order}`,
    nominal: (e) => ({ order: e.order, created: true }),
  }),
  defineAction('terminate-member', {
    place: 'host',
    fields: { ...onHost, database: z.string(), member: z.string(), timeoutMs: z.number() },
    answer: z.object({ outcome: z.enum(['terminated', 'already-gone']) }),
  }).with({
    limits: (e) => ({ attempt: `${Math.ceil(e.timeoutMs / 1000) + 30}s`, heartbeat: '10s' }),
    target: (e) => e.member,
    nominal: () => ({ outcome: 'terminated' }),
  }),
  defineAction('check-scheduler-member', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields },
    /**
     * Paths on the host, as found: the install folder, `bin/jobscheduler.(sh|cmd)` and the start
     * script the option is set in; the options that script gives, and those the member runs with
     * (null: not running, or not readable). Agents of earlier releases send only the paths.
     */
    answer: z.object({ installDir: z.string(), controlScript: z.string(), startScript: z.string(), startScriptOptions: z.string().optional(), runningWith: z.string().nullable().optional() }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => e.member,
    nominal: (e) => {
      const [sep, control, ext] = e.os === 'windows' ? ['\\', 'jobscheduler.cmd', 'cmd'] : ['/', 'jobscheduler.sh', 'sh'];
      return { installDir: e.installDir, controlScript: `${e.installDir}${sep}bin${sep}${control}`, startScript: `${e.installDir}${sep}bin${sep}jobscheduler_environment_variables.${ext}` };
    },
  }),
  defineAction('stop-scheduler', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields, timeoutSeconds: z.number() },
    answer: z.object({ outcome: z.enum(['stopped', 'already-stopped']) }),
  }).with({
    limits: memberWait,
    target: (e) => e.member,
    nominal: () => ({ outcome: 'stopped' }),
  }),
  defineAction('start-scheduler', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields, timeoutSeconds: z.number() },
    answer: z.object({ outcome: z.enum(['started', 'already-running']), options: z.string() }),
  }).with({
    limits: memberWait,
    target: (e) => e.member,
    nominal: () => ({ outcome: 'started', options: '' }),
  }),
  defineAction('remove-scheduler-service', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields },
    answer: z.object({ outcome: z.enum(['removed', 'not-installed']) }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => e.member,
    nominal: () => ({ outcome: 'removed' }),
  }),
  defineAction('install-scheduler-service', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields },
    answer: z.object({ outcome: z.enum(['installed', 'already-installed']) }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => e.member,
    nominal: () => ({ outcome: 'installed' }),
  }),
  defineAction('set-cluster-options', {
    place: 'host',
    fields: { ...onHost, ...schedulerMemberRefFields, options: z.string() },
    answer: z.object({ changed: z.boolean(), file: z.string(), line: z.string() }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => `${e.member}: SCHEDULER_CLUSTER_OPTIONS=${e.options}`,
    nominal: (e) => ({
      changed: true,
      file: `${e.installDir}/bin/jobscheduler_environment_variables.${e.os === 'windows' ? 'cmd' : 'sh'}`,
      line: `SCHEDULER_CLUSTER_OPTIONS=${e.options}`,
    }),
  }),
);

export type JobSchedulerActionWord = keyof typeof JOBSCHEDULER_ACTIONS;
