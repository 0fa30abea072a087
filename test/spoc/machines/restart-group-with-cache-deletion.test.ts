/**
 * The restart-with-cache-deletion machine, without Temporal: its plan follows the runbook's phases
 * and, on every path, no cache is deleted before every member is stopped.
 */
import { initialTransition, transition } from 'xstate';
import { planProcedure } from '../../../machines/core/plan';
import { PRINTED_JOBS_NOTE, restartGroupWithCacheDeletionMachine as machine } from '../../../machines/spoc/restart-group-with-cache-deletion';
import { groupRestartInputSchema } from '../../../machines/spoc/spoc-group-input';
import { GROUP_SERVICE, isProtectedService, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import { directivesOf } from '../../../machines/core/machine-directives';
import { nominalOutput, Effect } from '../../../machines/core/effects';
import { servicesOf, walkPaths } from '../../helpers/machine-paths';

const input = groupRestartInputSchema.parse({
  group: 'prague',
  members: [
    { host: 'spoc-1', installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] },
    { host: 'spoc-2', installDir: 'C:\\DP', otherServices: [] },
    { host: 'spoc-3', installDir: 'D:\\DP', otherServices: [] },
  ],
});
const hosts = input.members.map((m) => m.host);

describe('plan', () => {
  const plan = planProcedure(machine, input);
  const firstIndex = (action: string) => plan.findIndex((s) => s.action === action);
  const lastIndex = (action: string) => plan.map((s) => s.action).lastIndexOf(action as never);

  test('stops every member before deleting any cache, and deletes every cache before starting any member', () => {
    expect(lastIndex('stop-services')).toBeLessThan(firstIndex('delete-cache'));
    expect(lastIndex('delete-cache')).toBeLessThan(firstIndex('start-service'));
    expect(plan.filter((s) => s.action === 'delete-cache').map((s) => s.host)).toEqual(hosts);
  });

  test('starts members one at a time in runbook order, waiting 3 minutes between two members', () => {
    const starts = plan.slice(firstIndex('start-service'));
    expect(starts.map((s) => `${s.host ?? ''} ${s.action} ${s.action === 'wait' ? s.waitSeconds : s.target ?? ''}`)).toEqual([
      ...startBlock('spoc-1', 'Dispatcher Paragon FlexiSpooler'),
      ' wait 180',
      ...startBlock('spoc-2', ''),
      ' wait 180',
      ...startBlock('spoc-3', ''),
    ]);
  });

  function startBlock(host: string, others: string) {
    return [
      `${host} start-service ${SPOC_SERVICE}`,
      `${host} await-service-running ${GROUP_SERVICE}`,
      `${host} start-service ${TERMINAL_SERVER_SERVICE}`,
      `${host} await-lifecycle-online SPOC\\logs\\spoc_lifecycle.log`,
      `${host} start-services ${others}`,
    ];
  }

  test('ends by telling the operator that printed jobs may stay invisible for 15-30 minutes', () => {
    let [s, actions] = initialTransition(machine, input);
    // The preflight asks every host at once: answer each of its effects, from its host.
    const pending: ReturnType<typeof directivesOf>[number][] = [];
    for (let i = 0; i < 200 && s.status === 'active'; i += 1) {
      pending.push(...directivesOf(actions).filter((x) => x.kind !== 'cancel'));
      const d = pending.shift();
      if (!d) throw new Error(`stuck in ${JSON.stringify(s.value)}`);
      const event =
        d.kind === 'effect'
          ? { type: `effect.done.${d.effect.step}`, output: nominalOutput(d.effect, 'x'), ...('host' in d.effect ? { host: d.effect.host } : {}) }
          : d.kind === 'schedule'
            ? d.event
            : { type: 'x' };
      [s, actions] = transition(machine, s, event as never);
    }
    expect(s.output).toMatchObject({ outcome: 'completed', completedMembers: hosts, notes: [PRINTED_JOBS_NOTE] });
  });
});

describe('every path', () => {
  const small = groupRestartInputSchema.parse({ ...input, members: input.members.slice(0, 2) });
  const paths = walkPaths(machine, small);

  test('reaches completion and abort', () => {
    const outcomes = new Set(paths.filter((p) => p.end.status === 'done').map((p) => (p.end.output as { outcome: string }).outcome));
    expect(outcomes).toEqual(new Set(['completed', 'aborted']));
  });

  test('never deletes a cache before every member is stopped', () => {
    let deletions = 0;
    for (const path of paths) {
      let before = path.steps[0]?.state;
      for (const step of path.steps) {
        for (const effect of step.effects.filter((e) => e.action === 'delete-cache')) {
          deletions += 1;
          for (const host of small.members.map((m) => m.host)) {
            expect({ host, down: step.state.context.down[host] }).toEqual({ host, down: expect.arrayContaining([SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE]) });
          }
          expect(effect).toMatchObject({ installDir: 'C:\\DP' });
        }
        before = step.state;
      }
      expect(before).toBeDefined();
    }
    expect(deletions).toBeGreaterThan(0);
  });

  test('never stops a member again once it has been started, and never touches a protected service', () => {
    for (const path of paths) {
      const effects: Effect[] = path.steps.flatMap((s) => s.effects);
      const firstStart = effects.findIndex((e) => e.action.startsWith('start'));
      if (firstStart >= 0) expect(effects.slice(firstStart).filter((e) => e.action.startsWith('stop'))).toEqual([]);
      expect(effects.flatMap(servicesOf).filter(isProtectedService)).toEqual([]);
    }
  });

  test('every finished path left nothing stopped that it did not report', () => {
    for (const path of paths.filter((p) => p.end.status === 'done')) expect(path.end.context.down).toEqual({});
  });
});
