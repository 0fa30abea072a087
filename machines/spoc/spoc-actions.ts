/**
 * The SPOC procedures' actions: what the Management Server is asked centrally, and what a site
 * server's own agent does (service control, log checks, the spool cache, the OS restart). Each is
 * declared once here; machines/actions.ts adds them to the registry every layer reads.
 */
import { z } from 'zod';
import { actionsOf, defineAction, onHost, QUICK_STEP } from '../core/action-registry';

/** How long deleting one spool cache may take when the procedure's input does not say (the waits' default). */
export const DEFAULT_CACHE_DELETION_SECONDS = 1800;

/**
 * What one service costs a step beyond its own wait: the sc.exe calls around it (query, control,
 * a query after a refused control, the last query after the deadline), each of which the agent's
 * command runner stops after 60 s.
 */
export const SC_EXE_SECONDS_PER_SERVICE = 4 * 60;

/** Room for the rest of an attempt: accepting the step, answering, a slow disk. */
const MARGIN_SECONDS = 60;

/**
 * How long an attempt of a host step may go without a heartbeat before it is taken for dead. The
 * SPOC host activities heartbeat on a timer (activities/core/host-activity.ts), so a short one
 * notices a dead agent without cutting a long sc.exe call or deletion short.
 */
const HOST_HEARTBEAT = '10s';

/** A time on the host's clock long before any plan: the nominal answer of "since when" questions. */
const PLAN_LONG_AGO = '1999-12-01T00:00:00.000Z';

const names = z.array(z.string());

/** A wait that polls until an absolute deadline derived from its input, so a retry on a new agent keeps the deadline instead of starting over. */
const pollingWait = (effect: { timeoutSeconds: number }) => ({ attempt: `${effect.timeoutSeconds + 120}s`, heartbeat: '10s', retry: { maximumAttempts: 5 } }) as const;

/** A stop or start of one service: its own timeout plus the sc.exe calls around it. */
const oneService = (effect: { timeoutSeconds: number }) => ({ attempt: `${effect.timeoutSeconds + SC_EXE_SECONDS_PER_SERVICE + MARGIN_SECONDS}s`, heartbeat: HOST_HEARTBEAT }) as const;

/** Several services one after the other, each with its own timeout (the agent's deadlines say the same). */
const servicesInTurn = (effect: { services: string[]; timeoutSeconds: number }) =>
  ({ attempt: `${Math.max(1, effect.services.length) * (effect.timeoutSeconds + SC_EXE_SECONDS_PER_SERVICE) + MARGIN_SECONDS}s`, heartbeat: HOST_HEARTBEAT }) as const;

const stopped = z.object({ outcome: z.enum(['stopped', 'already-stopped']), at: z.string() });
const started = z.object({ outcome: z.enum(['started', 'already-running']), at: z.string() });

export const SPOC_ACTIONS = actionsOf(
  defineAction('check-management-server', {
    place: 'central',
    fields: {},
    answer: z.object({ reachable: z.literal(true) }),
  }).with({
    limits: () => QUICK_STEP,
    target: () => 'Management Server',
    nominal: () => ({ reachable: true }),
  }),
  defineAction('check-no-load', {
    place: 'central',
    fields: { hosts: names },
    answer: z.object({ activeJobs: z.record(z.string(), z.number()) }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => e.hosts.join(', '),
    nominal: (e) => ({ activeJobs: Object.fromEntries(e.hosts.map((h) => [h, 0])) }),
  }),
  /**
   * Read-only, before the first side effect: the agent answers, `services` exist on the host,
   * each of `otherServices` (when the input lists them) is a vendor service there, the install
   * folder passes the rule the cache deletion applies, and the SPOC's logs exist.
   */
  defineAction('preflight', {
    place: 'host',
    fields: { ...onHost, installDir: z.string(), services: names, otherServices: names.optional() },
    /** `checked`: what the agent found in order, in the operator's words. */
    answer: z.object({ checked: names }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => `agent, ${[...e.services, ...(e.otherServices ?? [])].join(', ')}, install folder, SPOC logs`,
    nominal: (e) => ({ checked: ['agent answers', ...e.services, ...(e.otherServices ?? []), e.installDir, 'SPOC\\logs\\spoc_lifecycle.log', 'SPOC\\logs\\spoc.log'] }),
  }),
  /** With `otherVendorServices`, every other vendor service running on the host is noted too. */
  defineAction('query-services', {
    place: 'host',
    fields: { ...onHost, services: names, otherVendorServices: z.boolean().optional() },
    answer: z.object({ running: names }),
  }).with({
    limits: (e) => ({ attempt: `${Math.max(1, e.services.length) * 60 + MARGIN_SECONDS}s`, heartbeat: HOST_HEARTBEAT }),
    target: (e) => (e.otherVendorServices ? [...e.services, 'the other vendor services'].join(', ') : e.services.join(', ')),
    nominal: (e) => ({ running: [...e.services] }),
  }),
  /**
   * Step 3's survey: the vendor's services running on the host, less the role and protected ones;
   * with `only`, narrowed to those (each must be a vendor service on the host).
   */
  defineAction('survey-other-services', {
    place: 'host',
    fields: { ...onHost, only: names.optional() },
    answer: z.object({ running: names }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => (e.only ? e.only.join(', ') : 'every vendor service running, less role and protected ones'),
    // A plan cannot know which vendor services a host has; without a list it stops none.
    nominal: (e) => ({ running: [...(e.only ?? [])] }),
  }),
  defineAction('stop-service', {
    place: 'host',
    fields: { ...onHost, service: z.string(), timeoutSeconds: z.number() },
    answer: stopped,
  }).with({
    limits: oneService,
    target: (e) => e.service,
    nominal: (_e, now) => ({ outcome: 'stopped', at: now }),
  }),
  defineAction('stop-services', {
    place: 'host',
    fields: { ...onHost, services: names, timeoutSeconds: z.number() },
    answer: z.object({ stopped: names, at: z.string() }),
  }).with({
    limits: servicesInTurn,
    target: (e) => e.services.join(', '),
    nominal: (e, now) => ({ stopped: [...e.services], at: now }),
  }),
  defineAction('start-service', {
    place: 'host',
    fields: { ...onHost, service: z.string(), timeoutSeconds: z.number() },
    answer: started,
  }).with({
    limits: oneService,
    target: (e) => e.service,
    nominal: (_e, now) => ({ outcome: 'started', at: now }),
  }),
  defineAction('start-services', {
    place: 'host',
    fields: { ...onHost, services: names, timeoutSeconds: z.number(), bestEffort: z.boolean().optional() },
    /** With `bestEffort`, services that would not start are listed instead of failing the step. */
    answer: z.object({ started: names, failed: z.array(z.object({ service: z.string(), reason: z.string() })), at: z.string() }),
  }).with({
    limits: servicesInTurn,
    target: (e) => e.services.join(', '),
    nominal: (e, now) => ({ started: [...e.services], failed: [], at: now }),
  }),
  defineAction('await-service-running', {
    place: 'host',
    fields: { ...onHost, service: z.string(), timeoutSeconds: z.number() },
    answer: z.object({ runningAt: z.string() }),
  }).with({
    limits: pollingWait,
    target: (e) => e.service,
    nominal: (_e, now) => ({ runningAt: now }),
  }),
  defineAction('await-lifecycle-online', {
    place: 'host',
    fields: { ...onHost, installDir: z.string(), since: z.string(), timeoutSeconds: z.number() },
    answer: z.object({ onlineAt: z.string() }),
  }).with({
    limits: pollingWait,
    target: () => 'SPOC\\logs\\spoc_lifecycle.log',
    nominal: (_e, now) => ({ onlineAt: now }),
  }),
  defineAction('await-rescue-finished', {
    place: 'host',
    fields: { ...onHost, installDir: z.string(), since: z.string(), timeoutSeconds: z.number() },
    answer: z.object({ finishedAt: z.string() }),
  }).with({
    limits: pollingWait,
    target: () => 'SPOC\\logs\\spoc.log',
    nominal: (_e, now) => ({ finishedAt: now }),
  }),
  /** `timeoutSeconds`: how long deleting the cache may take (a large cache takes long); {@link DEFAULT_CACHE_DELETION_SECONDS} when absent. */
  defineAction('delete-cache', {
    place: 'host',
    fields: { ...onHost, installDir: z.string(), timeoutSeconds: z.number().optional() },
    answer: z.object({ deleted: z.boolean(), path: z.string() }),
  }).with({
    // The agent stops deleting at the step's own deadline and says how far it got; the limit here
    // only catches an attempt that cannot report (a disk that no longer answers).
    limits: (e) => ({ attempt: `${(e.timeoutSeconds ?? DEFAULT_CACHE_DELETION_SECONDS) + 60 + MARGIN_SECONDS}s`, heartbeat: HOST_HEARTBEAT }),
    target: () => 'SPOC\\SpoolCache',
    nominal: (e) => ({ deleted: true, path: `${e.installDir}\\SPOC\\SpoolCache` }),
  }),
  /** With `standalone`, each SPOC must also be in no SPOC group. */
  defineAction('check-spocs-online', {
    place: 'central',
    fields: { hosts: names, standalone: z.boolean().optional() },
    answer: z.object({ online: names }),
  }).with({
    limits: () => QUICK_STEP,
    target: (e) => e.hosts.join(', '),
    nominal: (e) => ({ online: [...e.hosts] }),
  }),
  /** Asked of the Management Server about one host's SPOC, so it runs centrally. */
  defineAction('await-spoc-online', {
    place: 'central',
    fields: { ...onHost, since: z.string(), others: names, timeoutSeconds: z.number() },
    /** `others`: how the Management Server saw the other members at that moment. */
    answer: z.object({ onlineAt: z.string(), others: z.record(z.string(), z.object({ online: z.boolean(), onlineSince: z.string().nullable() })) }),
  }).with({
    limits: (e) => ({ attempt: `${e.timeoutSeconds + 120}s`, heartbeat: '30s', retry: { maximumAttempts: 5 } }),
    target: () => 'Management Server',
    // The other members have been online since before this member's restart: no parallel restart.
    nominal: (e, now) => ({ onlineAt: now, others: Object.fromEntries(e.others.map((h) => [h, { online: true, onlineSince: PLAN_LONG_AGO }])) }),
  }),
  defineAction('restart-os', {
    place: 'host',
    fields: { ...onHost, delaySeconds: z.number() },
    /** `requestedAt` and `bootBefore` are host clock times; a retried step reports the first request. */
    answer: z.object({ outcome: z.enum(['restart-requested', 'already-requested']), requestedAt: z.string(), bootBefore: z.string() }),
  }).with({
    // Two short programs (the boot time, shutdown.exe): the restart itself happens after the answer.
    limits: () => ({ attempt: `${2 * 60 + MARGIN_SECONDS}s`, heartbeat: HOST_HEARTBEAT }),
    target: () => 'Windows',
    nominal: (_e, now) => ({ outcome: 'restart-requested', requestedAt: now, bootBefore: PLAN_LONG_AGO }),
  }),
  defineAction('await-host-restarted', {
    place: 'host',
    fields: { ...onHost, since: z.string(), services: names, timeoutSeconds: z.number() },
    answer: z.object({ bootedAt: z.string(), running: names }),
  }).with({
    // While the host restarts nobody polls its queue: the wait for pickup is the boot timeout. An
    // attempt that began before the shutdown dies with the agent; its heartbeat stops and it is
    // retried once the agent is back.
    limits: (e) => ({ pickupAtLeastSeconds: e.timeoutSeconds, attempt: `${e.timeoutSeconds + 120}s`, heartbeat: '10s', retry: { maximumAttempts: 10 } }),
    target: (e) => e.services.join(', '),
    nominal: (e, now) => ({ bootedAt: now, running: [...e.services] }),
  }),
);

export type SpocActionWord = keyof typeof SPOC_ACTIONS;
