/**
 * The OS restart machines, without Temporal: what the plan says for a group and for standalone
 * servers, how parallel lanes halt and retry, and what a member found down meanwhile leads to.
 */
import { AnyStateMachine, initialTransition, transition } from 'xstate';
import { Effect, hostOf, nominalOutput } from '../../../machines/core/effects';
import { directivesOf, MachineEvent } from '../../../machines/core/machine-directives';
import { groupOsRestartInputSchema, standaloneOsRestartInputSchema } from '../../../machines/spoc/os-restart-input';
import { planProcedure } from '../../../machines/core/plan';
import { restartOsOfGroupMembersMachine as groupMachine } from '../../../machines/spoc/restart-os-of-group-members';
import { restartOsOfStandaloneSpocsMachine as standaloneMachine } from '../../../machines/spoc/restart-os-of-standalone-spocs';
import { walkPaths, walkTransitions } from '../../helpers/machine-paths';

const member = (host: string) => ({ host, installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] });
const groupInput = groupOsRestartInputSchema.parse({ group: 'prague', members: ['spoc-1', 'spoc-2', 'spoc-3'].map(member) });
const standaloneInput = standaloneOsRestartInputSchema.parse({ spocs: ['bts-1', 'bts-2', 'bts-3'].map(member) });

const row = (s: { host?: string; action: string; waitSeconds?: number }) => `${s.host ?? '-'} ${s.action}${s.waitSeconds !== undefined ? ` ${s.waitSeconds}` : ''}`;

describe('plan', () => {
  test('group: one member at a time, each checked against the others, restarted, back, online, then 10 minutes of settling', () => {
    const plan = planProcedure(groupMachine, groupInput).map(row);
    const perMember = (host: string) => ['- check-spocs-online', `${host} query-services`, `${host} restart-os`, `${host} await-host-restarted`, `${host} await-spoc-online`, '- wait 600'];
    const preflight = ['spoc-1 preflight', 'spoc-2 preflight', 'spoc-3 preflight'];
    expect(plan).toEqual(['- check-management-server', '- check-no-load', ...preflight, ...perMember('spoc-1'), ...perMember('spoc-2'), ...perMember('spoc-3')]);
  });

  test('group: before each restart the other members must be online', () => {
    const checks = planProcedure(groupMachine, groupInput).filter((s) => s.action === 'check-spocs-online');
    expect(checks.map((s) => s.target)).toEqual(['spoc-2, spoc-3', 'spoc-1, spoc-3', 'spoc-1, spoc-2']);
  });

  test('standalone: every server goes through its steps at the same time as the others', () => {
    const plan = planProcedure(standaloneMachine, standaloneInput).map(row);
    const hosts = ['bts-1', 'bts-2', 'bts-3'];
    expect(plan).toEqual([
      '- check-management-server',
      '- check-no-load',
      ...hosts.map((h) => `${h} preflight`),
      '- check-spocs-online',
      ...['query-services', 'restart-os', 'await-host-restarted', 'await-spoc-online'].flatMap((action) => hosts.map((h) => `${h} ${action}`)),
    ]);
  });
});

/** Drives a machine: answers effects with `answer` (default nominal) until `stop` holds or nothing is left. */
function drive(machine: AnyStateMachine, input: unknown, answer: (e: Effect) => MachineEvent | 'hold' | undefined, stop: (s: ReturnType<typeof initialTransition>[0]) => boolean = () => false) {
  let [snapshot, actions] = initialTransition(machine, input);
  const pending: Effect[] = [];
  const held: Effect[] = [];
  const timers: MachineEvent[] = [];
  const emitted: Effect[] = [];
  const absorb = (acts: typeof actions) => {
    for (const d of directivesOf(acts)) {
      if (d.kind === 'effect') {
        pending.push(d.effect);
        emitted.push(d.effect);
      } else if (d.kind === 'schedule') timers.push(d.event);
    }
  };
  absorb(actions);
  for (let i = 0; i < 1000 && snapshot.status === 'active' && !stop(snapshot); i += 1) {
    const effect = pending.shift();
    let event: MachineEvent | undefined;
    if (effect) {
      const custom = answer(effect);
      if (custom === 'hold') {
        held.push(effect);
        continue;
      }
      const host = 'host' in effect ? effect.host : undefined;
      event = custom ?? { type: `effect.done.${effect.step}`, output: nominalOutput(effect, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()), ...(host ? { host } : {}) };
    } else event = timers.shift();
    if (!event) break;
    [snapshot, actions] = transition(machine, snapshot, event as never);
    absorb(actions);
  }
  return { snapshot, emitted, held, send: (event: MachineEvent) => transition(machine, snapshot, event as never) };
}

describe('standalone servers in parallel', () => {
  test('one server failing halts only when the others are done, and retry runs only its step again', () => {
    const run = drive(standaloneMachine, standaloneInput, (e) =>
      e.action === 'await-host-restarted' && e.host === 'bts-2' ? { type: 'effect.failed.awaitHostRestarted', reason: 'bts-2 has not restarted within 1800 s', host: 'bts-2' } : undefined,
    );
    expect(run.snapshot.hasTag('halted')).toBe(true);
    const context = run.snapshot.context as { halt: { reason: string }; lanes: Record<string, Record<string, { at: number }>> };
    expect(context.halt.reason).toBe('bts-2: bts-2 has not restarted within 1800 s');
    // The others went on to the end: restarted, back and online.
    expect(Object.fromEntries(Object.entries(context.lanes.restartAllInParallel ?? {}).map(([h, l]) => [h, l.at]))).toEqual({ 'bts-1': 4, 'bts-2': 2, 'bts-3': 4 });

    const [afterRetry, actions] = run.send({ type: 'operator.retry' });
    const again = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [`${hostOf(d.effect)} ${d.effect.action}`] : []));
    expect(again).toEqual(['bts-2 await-host-restarted']);
    expect(afterRetry.hasTag('halted')).toBe(false);
  });

  test('every server is restarted exactly once on the nominal path', () => {
    const run = drive(standaloneMachine, standaloneInput, () => undefined);
    expect(run.snapshot.status).toBe('done');
    expect(run.emitted.filter((e) => e.action === 'restart-os').map((e) => e.host)).toEqual(['bts-1', 'bts-2', 'bts-3']);
    expect(run.snapshot.output).toMatchObject({ outcome: 'completed', completedMembers: ['bts-1', 'bts-2', 'bts-3'] });
  });
});

describe('group', () => {
  test('another member down when a member is back means a parallel restart: every member is restarted with cache deletion', () => {
    const run = drive(groupMachine, groupInput, (e) =>
      e.action === 'await-spoc-online' && e.host === 'spoc-1'
        ? {
            type: 'effect.done.awaitSpocOnline',
            host: 'spoc-1',
            output: { onlineAt: '2026-01-01T01:00:00.000Z', others: { 'spoc-2': { online: false, onlineSince: null }, 'spoc-3': { online: true, onlineSince: '2025-12-01T00:00:00.000Z' } } },
          }
        : undefined,
    );
    expect(run.snapshot.status).toBe('done');
    const after = run.emitted.slice(run.emitted.findIndex((e) => e.action === 'await-spoc-online') + 1);
    expect(after.filter((e) => e.action === 'restart-os')).toEqual([]);
    expect(after.filter((e) => e.action === 'delete-cache').map((e) => e.host)).toEqual(['spoc-1', 'spoc-2', 'spoc-3']);
    const lastStop = after.map((e) => e.action).lastIndexOf('stop-services');
    expect(lastStop).toBeLessThan(after.findIndex((e) => e.action === 'delete-cache'));
    expect(run.snapshot.output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-1', 'spoc-2', 'spoc-3'] });
    expect((run.snapshot.output as { notes: string[] }).notes[0]).toMatch(/^spoc-2 went down while another member restarted/);
  });

  test('a member still online since before the restart is not a parallel restart', () => {
    const run = drive(groupMachine, groupInput, () => undefined);
    expect(run.emitted.some((e) => e.action === 'delete-cache')).toBe(false);
    expect(run.emitted.filter((e) => e.action === 'restart-os').map((e) => e.host)).toEqual(['spoc-1', 'spoc-2', 'spoc-3']);
  });

  test('an abort while a member boots starts again what Windows has not, on that member only', () => {
    const run = drive(groupMachine, groupInput, (e) => (e.action === 'await-host-restarted' ? 'hold' : undefined), (s) => s.matches({ procedure: { awaitHostRestarted: 'running' } }));
    const [aborting, actions] = run.send({ type: 'operator.abort', reason: 'maintenance window closed' });
    const restore = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
    expect(restore).toEqual([expect.objectContaining({ action: 'start-services', host: 'spoc-1', bestEffort: true })]);
    expect(aborting.hasTag('effect:awaitHostRestarted')).toBe(false);
  });
});

describe('every path of the group OS restart', () => {
  const twoMembers = groupOsRestartInputSchema.parse({ group: 'london', members: ['spoc-1', 'spoc-2'].map(member) });
  const paths = walkPaths(groupMachine, twoMembers);
  type Ctx = { down: Record<string, string[]> };

  test('reaches completion and abort', () => {
    expect(paths.length).toBeGreaterThan(20);
    const ends = new Set(paths.map((p) => JSON.stringify(p.end.value)));
    expect(ends).toContain('"completed"');
    expect(ends).toContain('"aborted"');
  });

  const inRecovery = (s: { value: unknown }) => JSON.stringify(s.value).includes('"recover');

  test('reaches the restart with cache deletion after a parallel restart', () => {
    expect(paths.some((p) => p.steps.some((s) => inRecovery(s.state)))).toBe(true);
  });

  test('outside the restart with cache deletion, never has two members down at once, and never restarts a member before the other is checked online', () => {
    for (const path of paths) {
      let checkedFor: string | undefined;
      // From the restart with cache deletion on (its abort included), all members may be down by design.
      let recovering = false;
      for (const step of path.steps) {
        recovering ||= inRecovery(step.state);
        const down = Object.keys((step.state.context as Ctx).down).filter((h) => ((step.state.context as Ctx).down[h] ?? []).length > 0);
        if (!recovering) expect(down.length).toBeLessThanOrEqual(1);
        for (const effect of step.effects) {
          if (effect.action === 'check-spocs-online') checkedFor = effect.hosts.join(',');
          if (effect.action === 'restart-os') {
            expect(checkedFor).toBe(twoMembers.members.map((m) => m.host).filter((h) => h !== effect.host).join(','));
          }
        }
      }
    }
  });

  test('after a parallel restart, deletes no cache before every member is stopped', () => {
    let deletions = 0;
    for (const path of paths) {
      for (const step of path.steps) {
        for (const effect of step.effects.filter((e) => e.action === 'delete-cache')) {
          deletions += 1;
          const down = (step.state.context as Ctx).down;
          expect(twoMembers.members.map((m) => m.host).filter((h) => (down[h] ?? []).length === 0)).toEqual([]);
          expect(effect).toBeDefined();
        }
      }
    }
    expect(deletions).toBeGreaterThan(0);
  });

  test('every finished path left nothing stopped that it did not report', () => {
    for (const path of paths.filter((p) => p.end.status === 'done')) {
      const out = path.end.output as { leftStopped: Record<string, string[]>; couldNotStart: Record<string, unknown[]> };
      for (const host of Object.keys(out.leftStopped)) expect(out.couldNotStart[host]).toBeDefined();
    }
  });
});

describe('every transition of the standalone OS restart', () => {
  const two = standaloneOsRestartInputSchema.parse({ spocs: ['bts-1', 'bts-2'].map(member) });
  const { transitions, finals } = walkTransitions(standaloneMachine, two);

  test('restarts only the servers named, each through its own lane, and completes with both', () => {
    const restarted = new Set(transitions.flatMap((t) => t.effects.filter((e) => e.action === 'restart-os').map((e) => hostOf(e))));
    expect([...restarted].sort()).toEqual(['bts-1', 'bts-2']);
    // Both servers can be down at once: the runbook allows standalone SPOCs in parallel.
    expect(transitions.some((t) => Object.keys((t.to.context as { down: object }).down).length === 2)).toBe(true);
    const completed = finals.filter((f) => JSON.stringify(f.value) === '"completed"');
    expect(completed.length).toBeGreaterThan(0);
    for (const f of completed) expect(f.output).toMatchObject({ completedMembers: ['bts-1', 'bts-2'], leftStopped: {} });
  });

  test('an abort starts again what the restarts have not, on every server', () => {
    const aborted = finals.filter((f) => JSON.stringify(f.value) === '"aborted"');
    expect(aborted.length).toBeGreaterThan(0);
    for (const f of aborted) {
      const out = f.output as { leftStopped: Record<string, string[]>; couldNotStart: Record<string, unknown[]> };
      for (const host of Object.keys(out.leftStopped)) expect(out.couldNotStart[host]).toBeDefined();
    }
  });
});
