/**
 * The preflight every SPOC procedure runs before its first side effect, step 3's survey of the
 * host's vendor services, and the input rules on protected services and install folders, all
 * without Temporal.
 */
import { initialTransition, transition } from 'xstate';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { PROCEDURES } from '../../../machines/catalog';
import { Effect, nominalOutput } from '../../../machines/core/effects';
import { directivesOf } from '../../../machines/core/machine-directives';
import { planProcedure } from '../../../machines/core/plan';
import { PREFLIGHT_STEP } from '../../../machines/spoc/precondition-steps';
import { restartGroupWithoutCacheDeletionMachine as machine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import { groupRestartInputSchema } from '../../../machines/spoc/spoc-group-input';
import { restartOsOfStandaloneSpocsMachine } from '../../../machines/spoc/restart-os-of-standalone-spocs';
import { standaloneOsRestartInputSchema } from '../../../machines/spoc/os-restart-input';
import { ROLE_SERVICES, SPOC_SERVICE } from '../../../machines/spoc/spoc-services';

const SIDE_EFFECTS = new Set(['stop-service', 'stop-services', 'start-service', 'start-services', 'delete-cache', 'restart-os']);

const input = groupRestartInputSchema.parse({
  group: 'london',
  members: [
    { host: 'spoc-1', installDir: 'C:\\DP' },
    { host: 'spoc-2', installDir: 'D:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] },
  ],
});

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
}

/** Answers every effect nominally, from its host, until `until` is among the effects emitted. */
function runUntil(step: string, answer: (e: Effect) => unknown = (e) => nominalOutput(e, '2000-01-01T00:00:00.000Z')) {
  let [snapshot, actions] = initialTransition(machine, input);
  const pending: Effect[] = [];
  for (let i = 0; i < 200; i += 1) {
    pending.push(...effectsOf(actions));
    const effect = pending.shift();
    if (!effect) throw new Error(`stuck before ${step}`);
    if (effect.step === step) return { snapshot, effect, pending };
    const host = 'host' in effect ? { host: effect.host } : {};
    [snapshot, actions] = transition(machine, snapshot, { type: `effect.done.${effect.step}`, output: answer(effect), ...host });
  }
  throw new Error(`never reached ${step}`);
}

describe('preflight', () => {
  const spocProcedures = catalogEntries().filter((entry) => !entry.id.startsWith('supervise-') && entry.id !== 'set-cluster-option' && entry.id !== 'deliver-print-job' && entry.id !== 'fleet-rollout');

  test.each(spocProcedures.map((entry) => [entry.id, entry] as const))('%s: the plan checks every host in a preflight before its first side effect', (_id, entry) => {
    const procedure = PROCEDURES.find((p) => p.id === entry.id);
    if (!procedure) throw new Error(`no procedure ${entry.id}`);
    const plan = planProcedure(procedure.machine, procedure.inputSchema.parse(entry.exampleInput));
    const firstSideEffect = plan.findIndex((s) => SIDE_EFFECTS.has(s.action));
    const preflights = plan.filter((s) => s.action === 'preflight');
    const hosts = (procedure.hostsOf as (i: unknown) => string[])(procedure.inputSchema.parse(entry.exampleInput));
    expect(preflights.map((s) => s.host).sort()).toEqual([...new Set(hosts)].sort());
    expect(plan.map((s) => s.action).lastIndexOf('preflight')).toBeLessThan(firstSideEffect);
    expect(firstSideEffect).toBeGreaterThan(0);
  });

  test('asks each host for its role services, its listed other services, its install folder and logs', () => {
    const [, actions] = transition(machine, runUntil('checkNoLoad').snapshot, { type: 'effect.done.checkNoLoad', output: { activeJobs: {} } });
    expect(effectsOf(actions)).toEqual([
      expect.objectContaining({ step: PREFLIGHT_STEP, action: 'preflight', host: 'spoc-1', installDir: 'C:\\DP', services: [...ROLE_SERVICES] }),
      expect.objectContaining({ step: PREFLIGHT_STEP, action: 'preflight', host: 'spoc-2', installDir: 'D:\\DP', services: [...ROLE_SERVICES], otherServices: ['Dispatcher Paragon FlexiSpooler'] }),
    ]);
    expect(effectsOf(actions)[0]).not.toHaveProperty('otherServices');
  });

  test('a standalone SPOC needs only its SPOC service', () => {
    const plan = planProcedure(restartOsOfStandaloneSpocsMachine, standaloneOsRestartInputSchema.parse({ spocs: [{ host: 'bts-1', installDir: 'C:\\DP' }] }));
    expect(plan.find((s) => s.action === 'preflight')?.target).toBe(`agent, ${SPOC_SERVICE}, install folder, SPOC logs`);
  });

  test('a host that fails its preflight halts the procedure there, naming the host, with nothing stopped; retry checks every host again and goes on', () => {
    const { snapshot } = runUntil(PREFLIGHT_STEP);
    const [oneDone, afterDone] = transition(machine, snapshot, { type: `effect.done.${PREFLIGHT_STEP}`, host: 'spoc-1', output: { checked: [] } });
    expect(effectsOf(afterDone)).toEqual([]);
    const [halted, afterFail] = transition(machine, oneDone, {
      type: `effect.failed.${PREFLIGHT_STEP}`,
      host: 'spoc-2',
      reason: 'preflight on spoc-2 failed, nothing was changed: the SPOC main log D:\\DP\\SPOC\\logs\\spoc.log does not exist',
    });
    expect(effectsOf(afterFail)).toEqual([]);
    expect(halted.hasTag('halted')).toBe(true);
    expect(halted.context.halt?.reason).toContain('spoc-2: preflight on spoc-2 failed');
    expect(halted.context.halt?.reason).toContain('spoc.log does not exist');
    expect(halted.context.down).toEqual({});

    // A retry checks every host again: what passed before must still hold right before the first stop.
    const [retried, retryActions] = transition(machine, halted, { type: 'operator.retry' });
    expect(effectsOf(retryActions)).toEqual([expect.objectContaining({ action: 'preflight', host: 'spoc-1' }), expect.objectContaining({ action: 'preflight', host: 'spoc-2' })]);
    const [oneAgain] = transition(machine, retried, { type: `effect.done.${PREFLIGHT_STEP}`, host: 'spoc-2', output: { checked: [] } });
    const [, goOn] = transition(machine, oneAgain, { type: `effect.done.${PREFLIGHT_STEP}`, host: 'spoc-1', output: { checked: [] } });
    expect(effectsOf(goOn)).toEqual([expect.objectContaining({ action: 'stop-service', host: 'spoc-1', service: SPOC_SERVICE })]);
  });

  test('an abort at a failed preflight ends with nothing to restore', () => {
    const { snapshot } = runUntil(PREFLIGHT_STEP);
    const [halted] = transition(machine, snapshot, { type: `effect.failed.${PREFLIGHT_STEP}`, host: 'spoc-1', reason: 'no agent' });
    const [aborted, actions] = transition(machine, halted, { type: 'operator.abort' });
    expect(effectsOf(actions)).toEqual([]);
    expect(aborted.output).toMatchObject({ outcome: 'aborted', completedMembers: [], leftStopped: {} });
  });
});

describe('step 3: the other services', () => {
  test('without a list, the survey asks the host for every vendor service; exactly what it found is stopped and started again', () => {
    const found = ['Dispatcher Paragon FlexiSpooler', 'Dispatcher Paragon Mobile Print Server'];
    const answer = (e: Effect) => (e.action === 'survey-other-services' ? { running: found } : nominalOutput(e, '2000-01-01T00:00:00.000Z'));
    const survey = runUntil('memberSurveyOtherServices', answer).effect;
    expect(survey).toEqual(expect.objectContaining({ action: 'survey-other-services', host: 'spoc-1' }));
    expect(survey).not.toHaveProperty('only');
    expect(runUntil('memberStopOtherServices', answer).effect).toMatchObject({ action: 'stop-services', host: 'spoc-1', services: found });
    expect(runUntil('memberStartOtherServices', answer).effect).toMatchObject({ action: 'start-services', host: 'spoc-1', services: found });
  });

  test('a list narrows the survey to the services it names', () => {
    const surveys = planProcedure(machine, input).filter((s) => s.action === 'survey-other-services');
    expect(surveys.map((s) => [s.host, s.target])).toEqual([
      ['spoc-1', 'every vendor service running, less role and protected ones'],
      ['spoc-2', 'Dispatcher Paragon FlexiSpooler'],
    ]);
  });
});

describe('input', () => {
  const member = (otherServices: unknown, installDir = 'C:\\DP') => ({
    group: 'g',
    members: [
      { host: 'a', installDir, ...(otherServices === undefined ? {} : { otherServices }) },
      { host: 'b', installDir: 'C:\\DP' },
    ],
  });

  test('otherServices may be left out: then step 3 means every vendor service of the host', () => {
    const parsed = groupRestartInputSchema.parse(member(undefined));
    expect(parsed.members[0]?.otherServices).toBeUndefined();
  });

  test.each([
    'YSoftSQ-Management',
    'YSoftSQ-PGSQL',
    'YSoftPGSQL',
    'YSoftEtcd',
    'ysoftsq-management',
    'Dispatcher Paragon Bundled PostgreSQL 12',
    'Dispatcher Paragon Bundled PostgreSQL 9.6.24',
    'YSoft SafeQ Management Service',
    'YSoft SafeQ Bundled PostgreSQL 9.4',
    'YSoft SafeQ Bundled Etcd',
    'Dispatcher Paragon  Management Service',
    'Dispatcher\u00a0Paragon Bundled Etcd',
    ' dispatcher paragon management SERVICE ',
    'Ｄｉｓｐａｔｃｈｅｒ Paragon Bundled Etcd',
    'YSoftSQ-PGSQL-9.4',
    'YSoftSQ-PostgreSQL-12',
    'YSoftSQ-Etcd-3.4',
    'Dispatcher Paragon Bundled PostgreSQL 9.4 (x64)',
    'Dispatcher Paragon Bundled etcd-3.4',
    'postgresql-x64-12',
  ])('refuses the protected service %j among the other services, naming the field', (name) => {
    const result = groupRestartInputSchema.safeParse(member([name]));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['members', 0, 'otherServices', 0], message: expect.stringContaining('protected') });
  });

  test.each(['YSoftSQ-SPOC', 'Dispatcher  Paragon Terminal Server', 'YSoft SafeQ Spooler Controller Group Service'])('refuses the role service %j among the other services', (name) => {
    const result = groupRestartInputSchema.safeParse(member([name]));
    expect(result.error?.issues[0]).toMatchObject({ path: ['members', 0, 'otherServices', 0], message: expect.stringContaining('its own step') });
  });

  test('refuses a service listed twice in another spelling', () => {
    const result = groupRestartInputSchema.safeParse(member(['Dispatcher Paragon FlexiSpooler', 'dispatcher  paragon flexispooler']));
    expect(result.error?.issues[0]).toMatchObject({ path: ['members', 0, 'otherServices', 1], message: expect.stringContaining('listed twice') });
  });

  test.each([
    ['C:\\.', /contains "\."/],
    ['C:\\DP\\.. ', /starts or ends with a space/],
    ['C:\\DP\\..', /contains "\.\."/],
    ['C:\\DP\\.. \\x', /contains "\.\."/],
    ['C:\\DP\\.\\x', /contains "\."/],
    ['C:\\DP. ', /space/],
    ['C:\\DP.', /ending in a dot/],
    ['C:\\', /drive root/],
    ['\\\\server\\share', /network path/],
    ['C:\\D|P', /character Windows does not allow/],
  ])('refuses the install folder %j at the input, naming the field, as the cache deletion would', (installDir, message) => {
    const result = groupRestartInputSchema.safeParse(member(undefined, installDir));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['members', 0, 'installDir'], message: expect.stringMatching(message) });
  });

  test('accepts an install folder with forward slashes and a trailing separator', () => {
    expect(groupRestartInputSchema.safeParse(member(undefined, 'C:/Program Files/Dispatcher Paragon/')).success).toBe(true);
  });
});
