/**
 * One entry per action, and everything else follows from it: each action's activity is offered,
 * under its name, by the worker on the side where the action runs (checked here at run time on the
 * objects the workers are assembled from, and at compile time by `satisfies`, which the
 * `@ts-expect-error` lines below show rejecting a missing or misnamed activity), and an effect
 * as the machines and the runtime write it passes its action's schema. An answer is checked against
 * its action's before a machine reads it: the planned answers fit, one that does not is named.
 */
import { ACTION_REGISTRY, activityNameOf, answerMisfit, effectSchemaOf, nominalOutput, type ActionWord, type ActivitiesOf, type EffectOf, type SpocActionWord, type JobSchedulerActionWord } from '../../../machines/actions';
import { createHostAgentActivities } from '../../../activities/spoc/spoc-host-activities';
import { createSchedulerActivities } from '../../../activities/jobscheduler/scheduler-activities';
import { createSchedulerHostActivities } from '../../../activities/jobscheduler/scheduler-host-activities';
import { centralActivities } from '../../../worker/central-worker';
import { centralSchedulerActivities, schedulerHostAgentActivities } from '../../../simulator/jobscheduler/sim-scheduler-agents';
import { createFlexiSpoolerClientActivities, createJobReleaseActivities } from '../../../activities/flexispooler/flexispooler-activities';
import { pendingEffectSchema } from '../../../workflows/runtime/resume-state';
import { SAMPLE_EFFECTS } from './sample-effects';

const WORDS = Object.keys(ACTION_REGISTRY) as ActionWord[];

// The activity objects as the workers are given them; nothing runs, so the dependencies are stand-ins.
const cluster = createSchedulerActivities({ processes: {} as never, databases: {} as never });
const central = centralActivities({ managementServer: {} as never, extraActivities: centralSchedulerActivities(cluster), flexiSpoolerActivities: createJobReleaseActivities({} as never) });
const spocHost = createHostAgentActivities({ host: 'spoc-1' } as never);
const schedulerHost = schedulerHostAgentActivities(cluster, createSchedulerHostActivities({ host: 'js-1', run: (() => undefined) as never }));
const flexiClient = createFlexiSpoolerClientActivities('laptop-1', {} as never);
const hostAgents: Record<string, unknown> = { ...spocHost, ...schedulerHost, ...flexiClient };
const centralWorker: Record<string, unknown> = central;

describe('every action has its activity on the side where it runs', () => {
  test.each(WORDS)('%s', (action) => {
    const name = activityNameOf(action);
    const [runsOn, notOn] = ACTION_REGISTRY[action].place === 'host' ? [hostAgents, centralWorker] : [centralWorker, hostAgents];
    expect(typeof runsOn[name]).toBe('function');
    expect(runsOn).toHaveProperty(name);
    expect(notOn[name]).toBeUndefined();
  });

  test('the activity name is the action word in camelCase, the same at run time as in the types', () => {
    const name: 'awaitHostRestarted' = activityNameOf('await-host-restarted');
    expect(name).toBe('awaitHostRestarted');
    for (const word of WORDS) expect(activityNameOf(word)).toBe(word.split('-').map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1))).join(''));
    expect(new Set(WORDS.map(activityNameOf)).size).toBe(WORDS.length);
  });
});

describe('a worker that lacks an activity, or offers it under another name, does not compile', () => {
  test('a misnamed SPOC host activity', () => {
    const { stopService, ...others } = spocHost;
    const misnamed = { ...others, stopServce: stopService };
    // @ts-expect-error -- stopService is missing: the misspelt one does not stand in for it.
    expect(misnamed satisfies ActivitiesOf<'host', SpocActionWord>).toBeDefined();
  });

  test('a central worker without a cluster activity', () => {
    const { fenceMember: _fenceMember, ...others } = centralSchedulerActivities(cluster);
    // @ts-expect-error -- fenceMember is missing.
    expect(others satisfies ActivitiesOf<'central', JobSchedulerActionWord>).toBeDefined();
  });

  test('an activity that answers something else than its action', () => {
    const wrongAnswer = { ...schedulerHost, stopScheduler: async (_effect: EffectOf<'stop-scheduler'>) => ({ outcome: 'halted' as const }) };
    // @ts-expect-error -- 'halted' is no outcome of stop-scheduler.
    expect(wrongAnswer satisfies ActivitiesOf<'host', JobSchedulerActionWord>).toBeDefined();
  });
});

describe("an effect passes its action's schema", () => {
  test.each(WORDS)('%s, as a machine emits it and as the runtime sends it (with its request key)', (action) => {
    const effect = SAMPLE_EFFECTS[action];
    expect(effectSchemaOf(action).safeParse(effect).success).toBe(true);
    expect(pendingEffectSchema.safeParse(effect).success).toBe(true);
    if ('host' in effect) expect(pendingEffectSchema.parse({ ...effect, requestKey: 'wf/run/step@host' })).toEqual({ ...effect, requestKey: 'wf/run/step@host' });
  });

  test('a pending effect is refused when a field its action needs is missing or of the wrong kind', () => {
    const { host: _host, ...hostless } = SAMPLE_EFFECTS['delete-cache'];
    expect(pendingEffectSchema.safeParse(hostless).success).toBe(false);
    expect(pendingEffectSchema.safeParse({ ...SAMPLE_EFFECTS['stop-service'], timeoutSeconds: '300' }).success).toBe(false);
    expect(pendingEffectSchema.safeParse({ ...SAMPLE_EFFECTS['stop-service'], action: 'format-disk' }).success).toBe(false);
  });
});

describe("an answer is checked against its action's before a machine reads it", () => {
  test.each(WORDS)('%s: its planned answer fits, and so does one with fields of its own added', (action) => {
    const planned = nominalOutput(SAMPLE_EFFECTS[action], '2026-12-07T10:00:00.000Z');
    expect(answerMisfit(action, planned)).toBeUndefined();
    expect(answerMisfit(action, { ...planned, agentVersion: '0.2.0' })).toBeUndefined();
  });

  test('an outcome the action does not know is named with the outcomes it has', () => {
    expect(answerMisfit('stop-service', { outcome: 'stop-pending', at: '2026-12-07T10:00:00.000Z' })).toMatch(/^outcome: .*"stopped".*"already-stopped"/);
  });

  test('a missing field, a field of the wrong kind and no answer at all are each named', () => {
    expect(answerMisfit('await-spoc-online', {})).toMatch(/^onlineAt: .*string/);
    expect(answerMisfit('delete-cache', { deleted: 'yes', path: 'C:\\SPOC\\cache' })).toMatch(/^deleted: .*boolean/);
    expect(answerMisfit('fence-member', undefined)).toMatch(/^\(input\): /);
    expect(answerMisfit('query-services', { running: ['SPOC', 7] })).toMatch(/^running\.1: .*string/);
  });
});
