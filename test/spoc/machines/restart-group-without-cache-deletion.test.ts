/**
 * The restart-without-cache-deletion machine, without Temporal: its plan, its halts and operator
 * commands, and invariants on every path the graph utilities find.
 */
import { initialTransition, transition } from 'xstate';
import { planProcedure } from '../../../machines/core/plan';
import { restartGroupWithoutCacheDeletionMachine as machine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import { groupRestartInputSchema, GroupRestartInput } from '../../../machines/spoc/spoc-group-input';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE, isProtectedService } from '../../../machines/spoc/spoc-services';
import { directivesOf } from '../../../machines/core/machine-directives';
import { hostsDown } from '../../../machines/spoc/spoc-procedure-context';
import { Effect, nominalOutput } from '../../../machines/core/effects';
import { servicesOf, walkPaths } from '../../helpers/machine-paths';

const input: GroupRestartInput = groupRestartInputSchema.parse({
  group: 'prague',
  members: [
    { host: 'spoc-1', installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] },
    { host: 'spoc-2', installDir: 'C:\\DP', otherServices: [] },
  ],
  waits: { convergenceSeconds: 300 },
});

function effectOf(actions: readonly { type: string; params?: unknown }[]): Effect {
  const effect = directivesOf(actions).find((d) => d.kind === 'effect');
  if (!effect || effect.kind !== 'effect') throw new Error('no effect emitted');
  return effect.effect;
}

/** Runs nominally until the named step is running, returning the snapshot and its effect (the preflight runs on every host at once). */
function runUntil(step: string) {
  let [snapshot, actions] = initialTransition(machine, input);
  const pending: Effect[] = [];
  for (let i = 0; i < 100; i += 1) {
    pending.push(...directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : [])));
    const effect = pending.shift();
    if (!effect) throw new Error('no effect emitted');
    if (effect.step === step) return { snapshot, effect };
    const host = 'host' in effect ? { host: effect.host } : {};
    [snapshot, actions] = transition(machine, snapshot, { type: `effect.done.${effect.step}`, output: nominalOutput(effect, new Date(0).toISOString()), ...host });
  }
  throw new Error(`never reached ${step}`);
}

describe('plan', () => {
  const plan = planProcedure(machine, input);

  test('checks the Management Server, the load and then every host in a preflight before the first stop', () => {
    expect(plan.slice(0, 4).map((s) => `${s.action} ${s.host ?? ''}`.trim())).toEqual(['check-management-server', 'check-no-load', 'preflight spoc-1', 'preflight spoc-2']);
    expect(plan.findIndex((s) => s.action.startsWith('stop'))).toBe(4);
  });

  test('restarts one member completely, including the 5-minute convergence wait, before the next one starts', () => {
    const firstOfSecond = plan.findIndex((s) => s.host === 'spoc-2' && s.action !== 'preflight');
    const lastOfFirst = plan.map((s) => s.host).lastIndexOf('spoc-1');
    expect(lastOfFirst).toBeLessThan(firstOfSecond);
    expect(plan[firstOfSecond - 1]).toMatchObject({ action: 'wait', waitSeconds: 300 });
  });

  test('follows the runbook order on each member', () => {
    const steps = plan.filter((s) => s.host === 'spoc-1' && s.action !== 'preflight').map((s) => `${s.action} ${s.target}`);
    expect(steps).toEqual([
      `stop-service ${SPOC_SERVICE}`,
      `stop-service ${GROUP_SERVICE}`,
      `stop-service ${TERMINAL_SERVER_SERVICE}`,
      'survey-other-services Dispatcher Paragon FlexiSpooler',
      'stop-services Dispatcher Paragon FlexiSpooler',
      `start-service ${SPOC_SERVICE}`,
      `await-service-running ${GROUP_SERVICE}`,
      `start-service ${TERMINAL_SERVER_SERVICE}`,
      'await-lifecycle-online SPOC\\logs\\spoc_lifecycle.log',
      'start-services Dispatcher Paragon FlexiSpooler',
      'await-rescue-finished SPOC\\logs\\spoc.log',
    ]);
  });

  test('log checks only trust lines written after this procedure started the SPOC', () => {
    const { snapshot, effect } = runUntil('memberAwaitOnline');
    expect(effect).toMatchObject({ action: 'await-lifecycle-online', since: snapshot.context.spocStartedAt['spoc-1'] });
    expect(effect.action === 'await-lifecycle-online' && effect.since).toBeTruthy();
  });
});

describe('input', () => {
  test('refuses a one-member group, naming the field and the rule', () => {
    const result = groupRestartInputSchema.safeParse({ group: 'g', members: [{ host: 'a', installDir: 'C:\\DP' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['members'], message: expect.stringContaining('at least two SPOC servers') });
  });

  test('refuses a protected service among the other services', () => {
    const result = groupRestartInputSchema.safeParse({
      group: 'g',
      members: [
        { host: 'a', installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon Bundled PostgreSQL 9.4'] },
        { host: 'b', installDir: 'C:\\DP' },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['members', 0, 'otherServices', 0]);
    expect(result.error?.issues[0]?.message).toContain('protected');
  });

  test('refuses a wait outside its bounds', () => {
    const result = groupRestartInputSchema.safeParse({ ...input, waits: { convergenceSeconds: 999999 } });
    expect(result.error?.issues[0]?.path).toEqual(['waits', 'convergenceSeconds']);
  });
});

describe('halting', () => {
  test('a failed check halts at its step with the reason, and retry runs the same effect again', () => {
    const { snapshot, effect } = runUntil('memberAwaitOnline');
    const [halted, none] = transition(machine, snapshot, { type: 'effect.failed.memberAwaitOnline', reason: 'no ONLINE within 900 s' });
    expect(halted.value).toEqual({ procedure: { memberAwaitOnline: 'halted' } });
    expect(halted.context.halt).toMatchObject({ step: 'memberAwaitOnline', reason: 'no ONLINE within 900 s' });
    expect(directivesOf(none)).toEqual([]);
    expect(halted.can({ type: 'operator.skip' })).toBe(false);
    const [retried, actions] = transition(machine, halted, { type: 'operator.retry' });
    expect(effectOf(actions)).toEqual(effect);
    expect(retried.context.halt).toBeNull();
  });

  test('a group service that did not start by itself can be started by the operator and is verified again', () => {
    const { snapshot } = runUntil('memberVerifyGroupService');
    const [halted] = transition(machine, snapshot, { type: 'effect.failed.memberVerifyGroupService', reason: 'not running' });
    expect(halted.context.halt?.options).toEqual(['retry', 'startGroupService']);
    const [starting, startActions] = transition(machine, halted, { type: 'operator.startGroupService' });
    expect(effectOf(startActions)).toMatchObject({ action: 'start-service', service: GROUP_SERVICE, host: 'spoc-1' });
    const [, verifyActions] = transition(machine, starting, { type: 'effect.done.memberStartGroupService', output: { outcome: 'started', at: 'x' } });
    expect(effectOf(verifyActions)).toMatchObject({ action: 'await-service-running', service: GROUP_SERVICE });
  });

  test('a load check that fails can be overridden only explicitly, and the override is kept in the result', () => {
    const { snapshot } = runUntil('checkNoLoad');
    const [halted] = transition(machine, snapshot, { type: 'effect.failed.checkNoLoad', reason: 'spoc-1 has 3 active jobs' });
    expect(halted.can({ type: 'operator.skip' })).toBe(false);
    const [next, actions] = transition(machine, halted, { type: 'operator.overrideLoad', operator: 'jana', reason: 'night shift, queue drained' });
    expect(next.context.loadOverride).toEqual({ operator: 'jana', reason: 'night shift, queue drained' });
    expect(effectOf(actions)).toMatchObject({ action: 'preflight', host: 'spoc-1' });
  });

  test('an abort after the stops starts again exactly what was stopped, in runbook order, and says so', () => {
    const { snapshot } = runUntil('memberStartSpoc');
    const [aborting, actions] = transition(machine, snapshot, { type: 'operator.abort', reason: 'change window closed' });
    expect(effectOf(actions)).toMatchObject({
      action: 'start-services',
      host: 'spoc-1',
      services: [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, 'Dispatcher Paragon FlexiSpooler'],
    });
    const [aborted] = transition(machine, aborting, {
      type: 'effect.done.restoreStoppedServices',
      output: { started: [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE], failed: [{ service: 'Dispatcher Paragon FlexiSpooler', reason: 'disabled' }], at: 'x' },
    });
    expect(aborted.status).toBe('done');
    expect(aborted.output).toMatchObject({
      outcome: 'aborted',
      abortReason: 'change window closed',
      leftStopped: {},
      couldNotStart: { 'spoc-1': [{ service: 'Dispatcher Paragon FlexiSpooler', reason: 'disabled' }] },
    });
  });

  test('an abort while the SPOC is being stopped starts it again: its stop may have acted though it was never answered', () => {
    const { snapshot } = runUntil('memberStopSpoc');
    const [aborting, actions] = transition(machine, snapshot, { type: 'operator.abort', reason: 'wrong group' });
    expect(effectOf(actions)).toMatchObject({ action: 'start-services', host: 'spoc-1', services: [SPOC_SERVICE] });
    // The agent answers already-running when the stop never acted: starting it again is harmless.
    const [aborted] = transition(machine, aborting, { type: 'effect.done.restoreStoppedServices', output: { started: [SPOC_SERVICE], failed: [], at: 'x' } });
    expect(aborted.output).toMatchObject({ outcome: 'aborted', leftStopped: {}, couldNotStart: {} });
  });

  test('a stop of the other services that failed (it may have stopped some) is restored by an abort, or listed when the restore is skipped', () => {
    const { snapshot } = runUntil('memberStopOtherServices');
    const [halted] = transition(machine, snapshot, { type: 'effect.failed.memberStopOtherServices', reason: 'timed out while stopping', host: 'spoc-1' });
    const [aborting, actions] = transition(machine, halted, { type: 'operator.abort', reason: 'stop timed out' });
    expect(effectOf(actions)).toMatchObject({
      action: 'start-services',
      host: 'spoc-1',
      services: [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, 'Dispatcher Paragon FlexiSpooler'],
    });
    const [restoreHalted] = transition(machine, aborting, { type: 'effect.failed.restoreStoppedServices', reason: 'agent unreachable', host: 'spoc-1' });
    const [aborted] = transition(machine, restoreHalted, { type: 'operator.skip' });
    expect((aborted.output as { couldNotStart: Record<string, { service: string }[]> }).couldNotStart['spoc-1']?.map((f) => f.service)).toContain('Dispatcher Paragon FlexiSpooler');
  });

  test('an abort before anything was stopped ends at once with nothing to restore', () => {
    const { snapshot } = runUntil('checkNoLoad');
    const [aborted, actions] = transition(machine, snapshot, { type: 'operator.abort' });
    expect(directivesOf(actions).filter((d) => d.kind === 'effect')).toEqual([]);
    expect(aborted.output).toMatchObject({ outcome: 'aborted', completedMembers: [] });
  });
});

describe('every path', () => {
  const paths = walkPaths(machine, input);

  test('the graph has paths to both endings', () => {
    const outcomes = new Set(paths.map((p) => (p.end.status === 'done' ? (p.end.output as { outcome: string }).outcome : 'open')));
    expect(outcomes).toEqual(new Set(['completed', 'aborted', 'open']));
  });

  test('never has two members down at once, on any path', () => {
    for (const path of paths) {
      for (const step of path.steps) expect(hostsDown(step.state.context.down).length).toBeLessThanOrEqual(1);
    }
  });

  test('never asks to stop or start a protected service, on any path', () => {
    let serviceEffects = 0;
    for (const path of paths) {
      for (const touched of path.steps.flatMap((step) => step.effects).map(servicesOf)) {
        serviceEffects += touched.length;
        expect(touched.filter(isProtectedService)).toEqual([]);
      }
    }
    expect(serviceEffects).toBeGreaterThan(0);
  });

  test('every finished path left nothing stopped that it did not report', () => {
    for (const path of paths.filter((p) => p.end.status === 'done')) {
      expect(path.end.context.down).toEqual({});
    }
  });
});
