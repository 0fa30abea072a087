/**
 * The passive-cluster supervisor without Temporal: what it decides for each situation of the
 * runbook, and that every change of the active member is fenced before anyone else is activated.
 */
import { initialTransition, transition } from 'xstate';
import type { ClusterWatchOutput, Effect, MemberView } from '../../../machines/core/effects';
import { directivesOf } from '../../../machines/core/machine-directives';
import { passiveSupervisorInputSchema } from '../../../machines/jobscheduler/cluster-supervisor-input';
import { decidePassive } from '../../../machines/jobscheduler/passive-cluster-decision';
import { behaviourSince } from '../../../machines/core/behaviour-changes';
import { passiveClusterSupervisorMachine as machine, STOP_WAITS_FOR_THE_CHANGE, summarizePassiveSupervisor } from '../../../machines/jobscheduler/passive-cluster-supervisor';

const member = (host: string, clusterOptions: string) => ({ host, os: 'unix', jobSchedulerId: 'berlin', database: 'cluster.sqlite', installDir: `/opt/js/${host}`, clusterOptions });
const input = passiveSupervisorInputSchema.parse({
  cluster: {
    cluster: 'berlin',
    mode: 'passive',
    heartbeat: { intervalSeconds: 1, timeoutSeconds: 3 },
    // Listed out of precedence order on purpose: js-3 (precedence 1) goes before js-2 (precedence 2).
    members: [member('js-1', '-exclusive'), member('js-2', '-exclusive -backup -backup-precedence=2'), member('js-3', '-exclusive -backup -backup-precedence=1')],
  },
});

type Status = MemberView['status'];
const view = (m: string, status: Status, alive: boolean): MemberView => ({
  member: m,
  host: m,
  role: m === 'js-1' ? 'primary' : 'backup',
  backupPrecedence: m === 'js-1' ? null : m === 'js-3' ? 1 : 2,
  status,
  alive,
  lastHeartbeatAt: '2026-11-22T00:00:00.000Z',
});
const cluster = (activeMember: string | null, ...members: [string, Status, boolean][]) => ({ activeMember, members: members.map(([m, s, a]) => view(m, s, a)) });

describe('decisions', () => {
  test.each([
    ['nobody active, the primary up: activate the primary', cluster(null, ['js-1', 'standby', true], ['js-2', 'standby', true], ['js-3', 'standby', true]), { kind: 'activate', member: 'js-1' }],
    ['nobody active, the primary not started: backups wait for it', cluster(null, ['js-2', 'standby', true], ['js-3', 'standby', true]), { kind: 'wait' }],
    ['the primary active and heartbeating: nothing to do', cluster('js-1', ['js-1', 'active', true], ['js-3', 'standby', true]), { kind: 'steady' }],
    ['the primary killed: the backup with the lowest precedence takes over', cluster('js-1', ['js-1', 'active', false], ['js-2', 'standby', true], ['js-3', 'standby', true]), { kind: 'failover', dead: 'js-1', next: 'js-3' }],
    ['the primary killed and js-3 down: js-2 takes over', cluster('js-1', ['js-1', 'active', false], ['js-2', 'standby', true], ['js-3', 'standby', false]), { kind: 'failover', dead: 'js-1', next: 'js-2' }],
    ['the primary ended normally: no backup takes over', cluster('js-1', ['js-1', 'terminated', false], ['js-2', 'standby', true], ['js-3', 'standby', true]), { kind: 'wait' }],
    ['the primary started again after ending normally: it is activated', cluster('js-1', ['js-1', 'standby', true], ['js-3', 'standby', true]), { kind: 'activate', member: 'js-1' }],
    ['the primary back while a backup is active: return to the primary', cluster('js-3', ['js-1', 'standby', true], ['js-3', 'active', true]), { kind: 'return-to-primary', backup: 'js-3', primary: 'js-1' }],
    ['a fenced primary (hung, woke up) is not activated again until restarted', cluster('js-3', ['js-1', 'fenced', true], ['js-3', 'active', true]), { kind: 'steady' }],
    ['the active backup dies while the primary is up: the primary takes over', cluster('js-3', ['js-1', 'standby', true], ['js-3', 'active', false]), { kind: 'failover', dead: 'js-3', next: 'js-1' }],
    ['everyone down: fence the dead active member and wait', cluster('js-1', ['js-1', 'active', false], ['js-3', 'standby', false]), { kind: 'fence-dead', dead: 'js-1' }],
    ['fenced with nobody up, then a backup comes up: it takes over', cluster(null, ['js-1', 'fenced', false], ['js-2', 'standby', true], ['js-3', 'standby', false]), { kind: 'activate', member: 'js-2' }],
    ['an activation failed after the fence: the next backup up takes over', cluster(null, ['js-1', 'fenced', false], ['js-2', 'standby', true], ['js-3', 'standby', true]), { kind: 'activate', member: 'js-3' }],
    ['the active backup restarted within the timeout (on standby, still named active): activated again', cluster('js-3', ['js-1', 'fenced', false], ['js-3', 'standby', true]), { kind: 'activate', member: 'js-3' }],
  ])('%s', (_title, observation, expected) => {
    expect(decidePassive(input.cluster, observation)).toMatchObject(expected);
  });
});

/** Drives the machine through a sequence of observations, answering every other effect with success. */
function run(observations: ReturnType<typeof cluster>[], fail: (e: Effect) => string | undefined = () => undefined) {
  let [snapshot, actions] = initialTransition(machine, input);
  const effects: Effect[] = [];
  const queue: Effect[] = [];
  const take = (acts: typeof actions) => directivesOf(acts).forEach((d) => d.kind === 'effect' && (queue.push(d.effect), effects.push(d.effect)));
  take(actions);
  let epoch = 1;
  for (let guard = 0; guard < 200 && queue.length > 0; guard += 1) {
    const effect = queue.shift() as Effect;
    let event: { type: string; [k: string]: unknown };
    const failure = fail(effect);
    if (failure) event = { type: `effect.failed.${effect.step}`, reason: failure };
    else if (effect.action === 'watch-cluster') {
      const next = observations.shift();
      if (!next) break;
      const output: ClusterWatchOutput = { changed: true, changes: ['changed'], observation: { observedAt: '2026-11-22T00:00:00.000Z', epoch, members: next.members, activeMember: next.activeMember }, now: { activeMember: next.activeMember, aliveMembers: [] } };
      event = { type: `effect.done.${effect.step}`, output };
    } else if (effect.action === 'fence-member' || effect.action === 'activate-member') {
      epoch += 1;
      event = { type: `effect.done.${effect.step}`, output: { epoch, changed: true, previous: null } };
    } else event = { type: `effect.done.${effect.step}`, output: { outcome: 'terminated' } };
    [snapshot, actions] = transition(machine, snapshot, event as never);
    take(actions);
  }
  const acts = effects.filter((e) => e.action !== 'watch-cluster').map((e) => `${e.action} ${'member' in e ? e.member : ''}`);
  return { snapshot, acts };
}

describe('the supervisor', () => {
  test('activates the primary, then fails over to the right backup only after fencing the dead primary', () => {
    const { acts, snapshot } = run([
      cluster(null, ['js-1', 'standby', true], ['js-2', 'standby', true], ['js-3', 'standby', true]),
      cluster('js-1', ['js-1', 'active', false], ['js-2', 'standby', true], ['js-3', 'standby', true]),
    ]);
    expect(acts).toEqual(['activate-member js-1', 'fence-member js-1', 'activate-member js-3']);
    expect(snapshot.context).toMatchObject({ activeMember: 'js-3', failovers: 1 });
  });

  test('a normal termination of the primary activates nobody', () => {
    const { acts } = run([cluster('js-1', ['js-1', 'active', true], ['js-3', 'standby', true]), cluster('js-1', ['js-1', 'terminated', false], ['js-3', 'standby', true])]);
    expect(acts).toEqual([]);
  });

  test('the primary back while a backup is active: the backup is fenced and terminated before the primary is activated', () => {
    const { acts } = run([cluster('js-3', ['js-1', 'standby', true], ['js-3', 'active', true])]);
    expect(acts).toEqual(['fence-member js-3', 'terminate-member js-3', 'activate-member js-1']);
  });

  test('a failed fence never lets the backup be activated: the supervisor watches and decides again', () => {
    const { acts, snapshot } = run([cluster('js-1', ['js-1', 'active', false], ['js-3', 'standby', true])], (e) => (e.action === 'fence-member' ? 'database is locked' : undefined));
    expect(acts).toEqual(['fence-member js-1']);
    expect((snapshot.context as { events: { what: string }[] }).events.map((e) => e.what)).toContain('Fence js-1: stopped heartbeating while active failed: database is locked');
  });

  test('the operator stops supervising: the members are left as they are', () => {
    const [start] = initialTransition(machine, input);
    const [stopped, actions] = transition(machine, start, { type: 'operator.abort', reason: 'cluster decommissioned' });
    expect(stopped.status).toBe('done');
    expect(directivesOf(actions).filter((d) => d.kind === 'effect')).toEqual([]);
    expect(stopped.output).toMatchObject({ cluster: 'berlin', stoppedBecause: 'cluster decommissioned' });
  });

  /** Drives the machine effect by effect: `answer` answers the one asked for last. */
  function driver(m = machine) {
    const effectsOf = (acts: Parameters<typeof directivesOf>[0]) => directivesOf(acts).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
    let [snapshot, actions] = initialTransition(m, input);
    const asked: Effect[] = [...effectsOf(actions)];
    const send = (event: { type: string; [k: string]: unknown }) => {
      [snapshot, actions] = transition(m, snapshot, event as never);
      asked.push(...effectsOf(actions));
    };
    return {
      get snapshot() {
        return snapshot;
      },
      asked,
      last: () => asked.at(-1)!,
      done: (output: unknown) => send({ type: `effect.done.${asked.at(-1)!.step}`, output }),
      failed: (reason: string) => send({ type: `effect.failed.${asked.at(-1)!.step}`, reason }),
      observe: (c: ReturnType<typeof cluster>) => send({ type: `effect.done.${asked.at(-1)!.step}`, output: { changed: true, changes: ['changed'], observation: { observedAt: '2026-11-22T00:00:00.000Z', epoch: 3, ...c }, now: { activeMember: c.activeMember, aliveMembers: [] } } }),
      stop: (reason: string) => send({ type: 'operator.abort', reason }),
    };
  }
  /**
   * The primary is back while js-3 is active; the operator stops the supervisor once js-3 is
   * fenced, as it is being terminated. Returns what the supervisor did after the stop.
   */
  function stopDuringTheReturnToThePrimary(m: typeof machine) {
    const d = driver(m);
    d.observe(cluster('js-3', ['js-1', 'standby', true], ['js-3', 'active', true]));
    d.done({ epoch: 3, changed: true });
    expect(d.last()).toMatchObject({ action: 'terminate-member', member: 'js-3' });
    d.stop('maintenance of the database');
    // What it asks for from the stop on: the termination under way is answered, then each next step.
    const stoppedAt = d.asked.length;
    for (let guard = 0; d.snapshot.status === 'active' && guard < 5; guard += 1) {
      d.done(d.last().action === 'terminate-member' ? { outcome: 'terminated' } : { epoch: 4, changed: true, previous: null });
    }
    return { snapshot: d.snapshot, after: d.asked.slice(stoppedAt) };
  }

  test('a stop given while a backup hands back to the primary waits for the primary to be active, then stops', () => {
    const { snapshot, after } = stopDuringTheReturnToThePrimary(machine);
    expect(after.map((e) => `${e.action} ${'member' in e ? e.member : ''}`)).toEqual(['activate-member js-1']);
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toMatchObject({ activeMember: 'js-1', stoppedBecause: 'maintenance of the database' });
  });

  test('while it waits, its status says it stops after the change', () => {
    let [snapshot, actions] = initialTransition(machine, input);
    const watch = directivesOf(actions).find((d) => d.kind === 'effect')!;
    const observed = cluster('js-1', ['js-1', 'active', false], ['js-3', 'standby', true]);
    [snapshot, actions] = transition(machine, snapshot, { type: `effect.done.${(watch as { effect: Effect }).effect.step}`, output: { changed: true, changes: [], observation: { observedAt: '2026-11-22T00:00:00.000Z', epoch: 1, ...observed }, now: { activeMember: 'js-1', aliveMembers: [] } } });
    expect(directivesOf(actions).map((d) => (d.kind === 'effect' ? d.effect.action : d.kind))).toEqual(['fence-member']);
    [snapshot] = transition(machine, snapshot, { type: 'operator.abort', reason: 'stop' });
    expect(snapshot.status).toBe('active');
    expect(summarizePassiveSupervisor(snapshot.context)).toMatchObject({ stoppingAfterTheChange: 'stop' });
  });

  test('a run recorded before the stop waited for the change stops at once, as it did then', () => {
    const recordedBefore = machine.provide({ guards: { [behaviourSince(STOP_WAITS_FOR_THE_CHANGE)]: () => false } });
    const { snapshot, after } = stopDuringTheReturnToThePrimary(recordedBefore);
    expect(after).toEqual([]);
    expect(snapshot.status).toBe('done');
  });

  const events = (d: ReturnType<typeof driver>) => (d.snapshot.context as { events: { what: string }[] }).events.map((e) => e.what);

  test('a stop whose change then fails: the supervisor decides once more, makes the change, and stops with the primary active', () => {
    const d = driver();
    d.observe(cluster('js-3', ['js-1', 'standby', true], ['js-3', 'active', true]));
    d.done({ epoch: 4, changed: true }); // js-3 fenced
    expect(d.last()).toMatchObject({ action: 'terminate-member', member: 'js-3' });
    d.stop('maintenance');
    d.failed('the agent of js-3 did not pick up "Terminate the backup js-3"');
    // Not stopped yet: it watches and decides once more.
    expect(d.snapshot.status).toBe('active');
    expect(d.last()).toMatchObject({ action: 'watch-cluster' });
    d.observe(cluster(null, ['js-1', 'standby', true], ['js-3', 'fenced', true]));
    expect(d.last()).toMatchObject({ action: 'activate-member', member: 'js-1' });
    d.done({ epoch: 5, changed: true, previous: null });
    expect(d.snapshot.status).toBe('done');
    expect(d.snapshot.output).toMatchObject({ activeMember: 'js-1', stoppedBecause: 'maintenance' });
    expect(events(d).at(-1)).toBe('stopped as asked (maintenance): the change of active member is done');
  });

  test('a stop whose change fails, then fails again once decided anew: it stops and says the change is unfinished', () => {
    const d = driver();
    d.observe(cluster('js-1', ['js-1', 'active', false], ['js-3', 'standby', true]));
    d.done({ epoch: 2, changed: true }); // js-1 fenced
    d.stop('maintenance');
    d.failed('database is locked');
    d.observe(cluster(null, ['js-1', 'fenced', false], ['js-3', 'standby', true]));
    expect(d.last()).toMatchObject({ action: 'activate-member', member: 'js-3' });
    d.failed('database is locked');
    expect(d.snapshot.status).toBe('done');
    expect(events(d).at(-1)).toBe('stopped as asked (maintenance): the change of active member failed again; see the members before starting a supervisor again');
  });

  test('a stop whose change failed stops once the next decision has nothing to change', () => {
    const d = driver();
    d.observe(cluster('js-1', ['js-1', 'active', false], ['js-3', 'standby', true]));
    d.done({ epoch: 2, changed: true });
    d.stop('maintenance');
    d.failed('database is locked');
    // Meanwhile the activation went through after all (its answer was lost): nothing to change.
    d.observe(cluster('js-3', ['js-1', 'fenced', false], ['js-3', 'active', true]));
    expect(d.snapshot.status).toBe('done');
    expect(events(d).at(-1)).toBe('stopped as asked (maintenance): nothing to change after deciding once more');
  });

  test('a stop during an activation of a cluster with nobody active waits for it', () => {
    const d = driver();
    d.observe(cluster(null, ['js-1', 'standby', true], ['js-3', 'standby', true]));
    expect(d.last()).toMatchObject({ action: 'activate-member', member: 'js-1' });
    d.stop('maintenance');
    expect(d.snapshot.status).toBe('active');
    d.done({ epoch: 2, changed: true, previous: null });
    expect(d.snapshot.output).toMatchObject({ activeMember: 'js-1', stoppedBecause: 'maintenance' });
  });
});
