/**
 * The cluster-option procedure without running anything: its plans are the runbook's steps for a
 * Unix and a Windows member, its input is refused naming the field and the rule, and an abort
 * starts again a member the procedure stopped (on every path, not one).
 */
import { AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import type { Effect } from '../../../machines/core/effects';
import { parseInput } from '../../../machines/core/input-errors';
import { directivesOf, type MachineEvent } from '../../../machines/core/machine-directives';
import { planProcedure } from '../../../machines/core/plan';
import { behaviourSince } from '../../../machines/core/behaviour-changes';
import { LEAVES_A_MEMBER_THAT_HAS_THE_OPTIONS, setClusterOptionMachine, SET_CLUSTER_OPTION_STEPS as S, summarize, type SetClusterOptionContext, type SetClusterOptionOutput } from '../../../machines/jobscheduler/set-cluster-option';
import { setClusterOptionInputSchema, type SetClusterOptionInput } from '../../../machines/jobscheduler/set-cluster-option-input';

const machine = setClusterOptionMachine;

const DB = 'production.sqlite';
const unixMember = (host: string, clusterOptions: string) => ({ host, os: 'unix' as const, jobSchedulerId: 'production', database: DB, installDir: '/opt/sos-berlin.com/jobscheduler/production', clusterOptions });
const windowsMember = (host: string, clusterOptions: string) => ({ ...unixMember(host, clusterOptions), os: 'windows' as const, installDir: 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\production' });

const passive = (members: unknown[]) => ({ cluster: 'prod', mode: 'passive', members });
const unixCluster = passive([unixMember('js-1', '-exclusive'), unixMember('js-2', '-exclusive -backup -backup-precedence=1')]);
const windowsCluster = passive([windowsMember('win-1', '-exclusive'), windowsMember('win-2', '-exclusive -backup -backup-precedence=1')]);

const parse = (input: unknown): SetClusterOptionInput => parseInput(setClusterOptionInputSchema, 'setClusterOption', input);
const unixInput = parse({ cluster: unixCluster, host: 'js-2', options: '-exclusive  -backup -backup-precedence=2' });
const windowsInput = parse({ cluster: windowsCluster, host: 'win-2', options: '-exclusive -backup -backup-precedence=2' });

function refusal(input: unknown): string {
  try {
    parse(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the input was accepted');
}

describe('plan', () => {
  const rows = (input: SetClusterOptionInput) => planProcedure(machine, input).map((s) => `${s.host ?? '-'} ${s.action} ${s.target ?? ''}`.trim());

  test('a Unix member: preflight, stop, set SCHEDULER_CLUSTER_OPTIONS in the .sh file, start, all on its host', () => {
    expect(rows(unixInput)).toEqual([
      'js-2 check-scheduler-member js-2',
      'js-2 stop-scheduler js-2',
      'js-2 set-cluster-options js-2: SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup -backup-precedence=2',
      'js-2 start-scheduler js-2',
    ]);
  });

  test('a Windows member: preflight, stop the service, remove it, set the option in the .cmd file, install it, start it', () => {
    expect(rows(windowsInput)).toEqual([
      'win-2 check-scheduler-member win-2',
      'win-2 stop-scheduler win-2',
      'win-2 remove-scheduler-service win-2',
      'win-2 set-cluster-options win-2: SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup -backup-precedence=2',
      'win-2 install-scheduler-service win-2',
      'win-2 start-scheduler win-2',
    ]);
  });

  test("titles carry the runbook's step numbers and words for the member's operating system", () => {
    expect(planProcedure(machine, unixInput).map((s) => s.title)).toEqual([
      'Preflight on js-2: agent, install folder, control and start scripts',
      'Unix 1: stop the JobScheduler (./bin/jobscheduler.sh stop) on js-2',
      'Unix 2: set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup -backup-precedence=2 in ./bin/jobscheduler_environment_variables.sh on js-2',
      'Unix 3: start the JobScheduler (./bin/jobscheduler.sh start) on js-2',
    ]);
    expect(planProcedure(machine, windowsInput).map((s) => s.title)).toEqual([
      'Preflight on win-2: agent, install folder, control and start scripts',
      'Windows 1: stop the JobScheduler service on win-2',
      'Windows 2: remove the JobScheduler service (.\\bin\\jobscheduler.cmd remove) on win-2',
      'Windows 3: SET SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup -backup-precedence=2 in .\\bin\\jobscheduler_environment_variables.cmd on win-2',
      'Windows 4: install the JobScheduler service (.\\bin\\jobscheduler.cmd install) on win-2',
      'Windows 5: start the JobScheduler service on win-2',
    ]);
  });

  test('stop and start wait as long as the input says', () => {
    const input = parse({ cluster: unixCluster, host: 'js-2', options: '-exclusive -backup', waits: { stopTimeoutSeconds: 900, startTimeoutSeconds: 120 } });
    expect(planProcedure(machine, input).map((s) => s.timeoutSeconds)).toEqual([undefined, 900, undefined, 120]);
  });
});

describe('input', () => {
  test('defaults the waits and keeps the options in the runbook spelling', () => {
    expect(unixInput.options).toBe('-exclusive -backup -backup-precedence=2');
    expect(unixInput.waits).toEqual({ stopTimeoutSeconds: 300, startTimeoutSeconds: 300, hostPickupSeconds: 60 });
  });

  test('finds the member by its host whatever the case, and keeps the host in its normal form', () => {
    expect(parse({ cluster: unixCluster, host: 'JS-2.', options: '-exclusive -backup' }).host).toBe('js-2');
    expect(planProcedure(machine, parse({ cluster: unixCluster, host: 'JS-2', options: '-exclusive -backup' }))[0]?.host).toBe('js-2');
  });

  test.each([
    ['a host that is not a member', { host: 'js-9', options: '-exclusive -backup' }, 'host: no member of cluster "prod" runs on "js-9"; its members are js-1, js-2'],
    ['options that are not one of the three forms', { host: 'js-2', options: '-exclusive -active' }, 'options: "-active" is not a cluster option'],
    ['no options', { host: 'js-2', options: ' ' }, 'options: no cluster options given'],
    [
      'turning the only primary into a backup',
      { host: 'js-1', options: '-exclusive -backup -backup-precedence=3' },
      'options: with "-exclusive -backup -backup-precedence=3" on js-1, the cluster would be invalid: members: a passive cluster needs exactly one primary (a member started with -exclusive alone, without -backup); none is',
    ],
    ['a second primary', { host: 'js-2', options: '-exclusive' }, 'options: with "-exclusive" on js-2, the cluster would be invalid: members.1.clusterOptions: a passive cluster has exactly one primary'],
    ['an active-cluster option in a passive cluster', { host: 'js-2', options: '-exclusive -distributed-orders' }, '-exclusive -distributed-orders belongs to an active cluster'],
  ])('refuses %s, naming the field and the rule', (_what, change, message) => {
    expect(refusal({ cluster: unixCluster, ...change })).toContain(message);
  });

  test('refuses a backup precedence another backup has', () => {
    const cluster = passive([unixMember('js-1', '-exclusive'), unixMember('js-2', '-exclusive -backup -backup-precedence=1'), unixMember('js-3', '-exclusive -backup -backup-precedence=2')]);
    expect(refusal({ cluster, host: 'js-3', options: '-exclusive -backup -backup-precedence=1' })).toContain(
      'options: with "-exclusive -backup -backup-precedence=1" on js-3, the cluster would be invalid: members.2.clusterOptions: backup precedence 1 is also that of members.1 (host "js-2")',
    );
  });

  test('refuses a primary in an active cluster', () => {
    const cluster = { cluster: 'grid', mode: 'active', members: [unixMember('js-1', '-exclusive -distributed-orders'), unixMember('js-2', '-exclusive -distributed-orders')] };
    expect(refusal({ cluster, host: 'js-1', options: '-exclusive' })).toContain('every member of an active cluster starts with -exclusive -distributed-orders, not -exclusive');
  });

  test.each([
    [{ stopTimeoutSeconds: 5 }, 'waits.stopTimeoutSeconds'],
    [{ startTimeoutSeconds: 100_000 }, 'waits.startTimeoutSeconds'],
    [{ stopTimeoutSeconds: 30.5 }, 'waits.stopTimeoutSeconds'],
  ])('refuses waits %j outside their bounds', (waits, field) => {
    expect(refusal({ cluster: unixCluster, host: 'js-2', options: '-exclusive -backup', waits })).toContain(`${field}: `);
  });

  test('refuses an invalid cluster definition as such, before looking at the member', () => {
    expect(refusal({ cluster: passive([unixMember('js-1', '-exclusive')]), host: 'js-1', options: '-exclusive' })).toContain('cluster.members: a JobScheduler cluster has at least two members');
  });
});

/** Drives the machine by hand: answers the effect it asks for now. */
class Driver {
  snapshot: AnyMachineSnapshot;
  readonly effects: Effect[] = [];

  /** `preflight`: answer the preflight as passed (default), so a test starts at step 1. */
  constructor(
    input: SetClusterOptionInput,
    opts: { preflight?: 'passed' | 'pending' } = {},
    private readonly m = setClusterOptionMachine,
  ) {
    const [snapshot, actions] = initialTransition(m, input);
    this.snapshot = snapshot;
    this.absorb(actions);
    if (opts.preflight !== 'pending') this.done(S.preflight, { installDir: '/opt', controlScript: '/opt/bin/jobscheduler.sh', startScript: '/opt/bin/jobscheduler_environment_variables.sh' });
  }

  send(event: MachineEvent): this {
    const [snapshot, actions] = transition(this.m, this.snapshot, event as never);
    this.snapshot = snapshot;
    this.absorb(actions);
    return this;
  }

  /** Answers the last effect asked for; `step` guards against answering the wrong one. */
  done(step: string, output: unknown): this {
    expect(this.last().step).toBe(step);
    return this.send({ type: `effect.done.${step}`, output });
  }

  failed(step: string, reason = 'injected'): this {
    expect(this.last().step).toBe(step);
    return this.send({ type: `effect.failed.${step}`, reason });
  }

  abort(reason = 'operator changed their mind'): this {
    return this.send({ type: 'operator.abort', reason });
  }

  last(): Effect {
    const effect = this.effects.at(-1);
    if (!effect) throw new Error('no effect was asked for');
    return effect;
  }

  output(): SetClusterOptionOutput {
    expect(this.snapshot.status).toBe('done');
    return this.snapshot.output as SetClusterOptionOutput;
  }

  private absorb(actions: readonly { type: string; params?: unknown }[]): void {
    for (const d of directivesOf(actions)) if (d.kind === 'effect') this.effects.push(d.effect);
  }
}

const FILE_ANSWER = { changed: true, file: '/opt/sos-berlin.com/jobscheduler/production/bin/jobscheduler_environment_variables.sh', line: 'SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup -backup-precedence=2"', before: 'SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup -backup-precedence=1"' };

describe('result', () => {
  test('says what changed: the line before and after, and the options the member runs with after the start', () => {
    const d = new Driver(unixInput)
      .done(S.stop, { outcome: 'stopped' })
      .done(S.set, FILE_ANSWER)
      .done(S.start, { outcome: 'started', options: '-exclusive -backup -backup-precedence=2' });
    expect(d.output()).toMatchObject({
      outcome: 'completed',
      host: 'js-2',
      optionsBefore: '-exclusive -backup -backup-precedence=1',
      optionsRequested: '-exclusive -backup -backup-precedence=2',
      file: { path: FILE_ANSWER.file, changed: true, lineBefore: FILE_ANSWER.before, lineAfter: FILE_ANSWER.line },
      runningWith: '-exclusive -backup -backup-precedence=2',
      applied: true,
      stoppedByProcedure: true,
      leftStopped: false,
    });
  });

  test('a member that runs with other options than asked for is not reported as changed', () => {
    const d = new Driver(unixInput).done(S.stop, { outcome: 'stopped' }).done(S.set, FILE_ANSWER).done(S.start, { outcome: 'started', options: '-exclusive -backup' });
    expect(d.output()).toMatchObject({ outcome: 'completed', applied: false });
    expect(d.output().notes[0]).toContain('js-2 runs with -exclusive -backup, not the requested -exclusive -backup -backup-precedence=2');
  });

  test('stopping the primary of a passive cluster is called out: no backup takes over on a normal termination', () => {
    const input = parse({ cluster: passive([unixMember('js-1', '-exclusive'), unixMember('js-2', '-exclusive -backup')]), host: 'js-1', options: '-exclusive' });
    const d = new Driver(input).done(S.stop, { outcome: 'stopped' }).done(S.set, { ...FILE_ANSWER, changed: false }).done(S.start, { outcome: 'started', options: '-exclusive' });
    expect(d.output().notes.join(' ')).toContain('js-1 is the primary and was stopped normally, so no backup took over meanwhile');
  });

  test('summarize tells where the procedure is', () => {
    const d = new Driver(windowsInput).done(S.stop, { outcome: 'stopped' }).done(S.remove, { outcome: 'removed' });
    expect(summarize(d.snapshot.context as SetClusterOptionContext)).toMatchObject({ host: 'win-2', os: 'windows', stopOutcome: 'stopped', removeOutcome: 'removed', fileChanged: null, runningWith: null });
  });
});

describe('a member that has the requested options already', () => {
  const PATHS = { installDir: '/opt', controlScript: '/opt/bin/jobscheduler.sh', startScript: '/opt/bin/jobscheduler_environment_variables.sh' };
  const WANTED = '-exclusive -backup -backup-precedence=2';

  test('running with them, its start script giving them: left running, nothing stopped or changed, and the result says so', () => {
    const d = new Driver(unixInput, { preflight: 'pending' }).done(S.preflight, { ...PATHS, startScriptOptions: WANTED, runningWith: WANTED });
    expect(d.effects.map((e) => e.action)).toEqual(['check-scheduler-member']);
    expect(d.output()).toMatchObject({ outcome: 'completed', alreadySet: true, applied: true, runningWith: WANTED, stoppedByProcedure: false, file: null });
    expect(d.output().notes).toEqual([`js-2 runs with ${WANTED} already and its start script gives them: it was left running, nothing was stopped or changed. Update the cluster definition to match (it gave -exclusive -backup -backup-precedence=1).`]);
  });

  test.each([
    ['its start script gives others (it would start with them next time)', { startScriptOptions: '-exclusive -backup', runningWith: WANTED }],
    ['it runs with others (on Windows: its service was installed with them)', { startScriptOptions: WANTED, runningWith: '-exclusive -backup' }],
    ['it does not run, or its options cannot be read', { startScriptOptions: WANTED, runningWith: null }],
    ['an agent of an earlier release does not say', {}],
  ])('%s: the runbook runs, starting with the stop', (_title, found) => {
    const d = new Driver(unixInput, { preflight: 'pending' }).done(S.preflight, { ...PATHS, ...found });
    expect(d.last()).toMatchObject({ action: 'stop-scheduler' });
  });

  test('a run recorded before members were left so stops it all the same', () => {
    const before = setClusterOptionMachine.provide({ guards: { [behaviourSince(LEAVES_A_MEMBER_THAT_HAS_THE_OPTIONS)]: () => false } });
    const d = new Driver(unixInput, { preflight: 'pending' }, before).done(S.preflight, { ...PATHS, startScriptOptions: WANTED, runningWith: WANTED });
    expect(d.last()).toMatchObject({ action: 'stop-scheduler' });
  });
});

describe('abort', () => {
  test('a Unix member the procedure stopped is started again, and the result says so', () => {
    const d = new Driver(unixInput).done(S.stop, { outcome: 'stopped' }).done(S.set, FILE_ANSWER).failed(S.start).abort();
    expect(d.last()).toMatchObject({ step: S.abortStart, action: 'start-scheduler', host: 'js-2', member: 'js-2' });
    d.done(S.abortStart, { outcome: 'started', options: '-exclusive -backup -backup-precedence=2' });
    expect(d.output()).toMatchObject({ outcome: 'aborted', abortRestart: 'started', stoppedByProcedure: true, leftStopped: false, runningWith: '-exclusive -backup -backup-precedence=2' });
    expect(d.output().notes[0]).toBe('js-2 was stopped by this procedure; the abort started it again (started) and it runs with -exclusive -backup -backup-precedence=2.');
    expect(d.output().notes[1]).toContain('The start script keeps the new line');
  });

  test('a Windows member whose service was removed gets it installed again before the start', () => {
    const d = new Driver(windowsInput).done(S.stop, { outcome: 'stopped' }).done(S.remove, { outcome: 'removed' }).abort();
    expect(d.effects.slice(-1).map((e) => [e.step, e.action])).toEqual([[S.abortInstall, 'install-scheduler-service']]);
    d.done(S.abortInstall, { outcome: 'installed' });
    expect(d.last()).toMatchObject({ step: S.abortStart, action: 'start-scheduler', host: 'win-2' });
    d.done(S.abortStart, { outcome: 'started', options: '-exclusive -backup -backup-precedence=1' });
    expect(d.output()).toMatchObject({ outcome: 'aborted', abortRestart: 'started', runningWith: '-exclusive -backup -backup-precedence=1', applied: false });
  });

  test('a stop that timed out and, retried, found the member stopped counts as stopped by the procedure: an abort starts it again', () => {
    const d = new Driver(unixInput).failed(S.stop, 'did not reach stopped within 300 s').send({ type: 'operator.retry' }).done(S.stop, { outcome: 'already-stopped' }).abort();
    expect(d.last()).toMatchObject({ step: S.abortStart, action: 'start-scheduler', member: 'js-2' });
    d.done(S.abortStart, { outcome: 'started', options: '-exclusive -backup -backup-precedence=1' });
    expect(d.output()).toMatchObject({ outcome: 'aborted', stoppedByProcedure: true, abortRestart: 'started', leftStopped: false });
  });

  test('a member found stopped at step 1 is left stopped', () => {
    const d = new Driver(unixInput).done(S.stop, { outcome: 'already-stopped' }).abort();
    expect(d.effects.map((e) => e.action)).toEqual(['check-scheduler-member', 'stop-scheduler', 'set-cluster-options']);
    expect(d.output()).toMatchObject({ outcome: 'aborted', stoppedByProcedure: false, abortRestart: null, leftStopped: false });
    expect(d.output().notes).toEqual(['js-2 was already stopped when the procedure began; the abort left it stopped.']);
  });

  test('an abort while the start is in flight asks for the start again (it finds the member running or starts it)', () => {
    const d = new Driver(unixInput).done(S.stop, { outcome: 'stopped' }).done(S.set, FILE_ANSWER).abort();
    expect(d.effects.map((e) => e.step)).toEqual([S.preflight, S.stop, S.set, S.start, S.abortStart]);
    d.done(S.abortStart, { outcome: 'already-running', options: '-exclusive -backup -backup-precedence=2' });
    expect(d.output()).toMatchObject({ outcome: 'aborted', abortRestart: 'already-running', leftStopped: false });
  });

  test('a restart that fails halts; skipping it leaves the member stopped and says so', () => {
    const d = new Driver(unixInput).done(S.stop, { outcome: 'stopped' }).abort().failed(S.abortStart, 'jobscheduler.sh start exited with 1');
    expect(d.snapshot.hasTag('halted')).toBe(true);
    expect((d.snapshot.context as SetClusterOptionContext).halt).toMatchObject({ step: S.abortStart, options: ['retry', 'skip'] });
    d.send({ type: 'operator.skip' });
    expect(d.output()).toMatchObject({ outcome: 'aborted', abortRestart: 'skipped', leftStopped: true });
    expect(d.output().notes[0]).toContain('js-2 was stopped by this procedure and is still stopped: the operator skipped its restart');
  });

  test('a failed preflight halts before anything is stopped; retry runs it again, and an abort from there touches nothing', () => {
    const d = new Driver(unixInput, { preflight: 'pending' });
    expect(d.effects.map((e) => e.action)).toEqual(['check-scheduler-member']);
    d.failed(S.preflight, 'js-2: the start script /opt/sos-berlin.com/jobscheduler/production/bin/jobscheduler_environment_variables.sh does not exist');
    expect(d.snapshot.hasTag('halted')).toBe(true);
    expect((d.snapshot.context as SetClusterOptionContext).halt).toMatchObject({ step: S.preflight, options: ['retry'] });
    d.send({ type: 'operator.retry' });
    expect(d.effects.map((e) => e.action)).toEqual(['check-scheduler-member', 'check-scheduler-member']);
    d.failed(S.preflight).abort();
    expect(d.effects.map((e) => e.action)).toEqual(['check-scheduler-member', 'check-scheduler-member']);
    expect(d.output()).toMatchObject({ outcome: 'aborted', stoppedByProcedure: false, abortRestart: null, leftStopped: false });
    expect(d.output().notes).toEqual(['Aborted before js-2 was stopped: nothing was changed.']);
  });

  test('the procedure steps cannot be skipped: a halted step offers retry only (and abort)', () => {
    const d = new Driver(windowsInput).failed(S.stop);
    expect((d.snapshot.context as SetClusterOptionContext).halt?.options).toEqual(['retry']);
    expect(d.snapshot.can({ type: 'operator.skip' })).toBe(false);
    expect(d.snapshot.can({ type: 'operator.abort', reason: 'x' })).toBe(true);
  });
});

describe('every path', () => {
  /** The world's answers in each state: each step done (stop both ways) or failed, and every operator command. */
  function eventsFor(snapshot: AnyMachineSnapshot): MachineEvent[] {
    const events: MachineEvent[] = [];
    for (const tag of snapshot.tags) {
      if (!tag.startsWith('effect:')) continue;
      const step = tag.slice('effect:'.length);
      if (step === S.stop) events.push({ type: `effect.done.${step}`, output: { outcome: 'stopped' } }, { type: `effect.done.${step}`, output: { outcome: 'already-stopped' } });
      else events.push({ type: `effect.done.${step}`, output: { outcome: step === S.remove ? 'removed' : step === S.start || step === S.abortStart ? 'started' : 'installed', options: '-exclusive -backup -backup-precedence=2', ...FILE_ANSWER } });
      events.push({ type: `effect.failed.${step}`, reason: 'injected' });
    }
    events.push({ type: 'operator.retry' }, { type: 'operator.skip' }, { type: 'operator.abort', reason: 'abort' });
    return events;
  }

  const walk = (input: SetClusterOptionInput) => {
    const paths = getSimplePaths(machine, { input, events: eventsFor, limit: 200_000 });
    return paths.map((p) => {
      let [previous, actions] = initialTransition(machine, input);
      const effects = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
      for (const step of p.steps.slice(1)) {
        [previous, actions] = transition(machine, previous, step.event as never);
        effects.push(...directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : [])));
      }
      return { end: p.state, effects };
    });
  };

  test.each([
    ['Unix', unixInput, ['check-scheduler-member', 'stop-scheduler', 'set-cluster-options', 'start-scheduler']],
    ['Windows', windowsInput, ['check-scheduler-member', 'stop-scheduler', 'remove-scheduler-service', 'set-cluster-options', 'install-scheduler-service', 'start-scheduler']],
  ])('%s: every effect is on the member host; a completed run took the runbook steps in order; an aborted one that stopped the member started it again or says it is left stopped', (_os, input, runbook) => {
    const paths = walk(input).filter((p) => p.end.status === 'done');
    expect(paths.length).toBeGreaterThan(20);
    for (const { end, effects } of paths) {
      const output = end.output as SetClusterOptionOutput;
      const host = input.cluster.members.find((m) => m.host === input.host)?.host;
      expect(effects.every((e) => 'host' in e && e.host === host)).toBe(true);
      // Nothing is asked of the member before its preflight.
      expect(effects[0]?.action).toBe('check-scheduler-member');
      if (output.outcome === 'completed') {
        const distinct = effects.map((e) => e.action).filter((a, i, all) => all.indexOf(a) === i);
        expect(distinct).toEqual(runbook);
        continue;
      }
      // Aborted: a member this procedure stopped was started again, or the result says it is left stopped.
      const restartAsked = effects.some((e) => e.step === S.abortStart);
      if (output.stoppedByProcedure) expect(output.abortRestart === 'started' || output.leftStopped).toBe(true);
      else expect(restartAsked).toBe(false);
    }
  });
});
