/**
 * The active-cluster supervisor without Temporal: orders submitted at any time are queued and
 * never lost, a member that is gone has its steps moved before anything else, and a refused order
 * is reported instead of stopping the supervisor.
 */
import { initialTransition, transition } from 'xstate';
import type { ClusterWatchOutput, Effect, MemberView } from '../../../machines/core/effects';
import { directivesOf } from '../../../machines/core/machine-directives';
import { activeSupervisorInputSchema } from '../../../machines/jobscheduler/cluster-supervisor-input';
import { behaviourSince } from '../../../machines/core/behaviour-changes';
import { activeClusterSupervisorMachine, KEEPS_ORDERS_NOT_TAKEN, MAX_SUBMIT_TRIES, summarizeActiveSupervisor } from '../../../machines/jobscheduler/active-cluster-supervisor';

const member = (host: string) => ({ host, os: 'unix', jobSchedulerId: 'munich', database: 'munich.sqlite', installDir: `/opt/js/${host}`, clusterOptions: '-exclusive -distributed-orders' });
const input = activeSupervisorInputSchema.parse({ cluster: { cluster: 'munich', mode: 'active', heartbeat: { intervalSeconds: 1, timeoutSeconds: 3 }, members: ['d-1', 'd-2', 'd-3'].map(member) } });

const view = (m: string, alive: boolean): MemberView => ({ member: m, host: m, role: 'distributed', backupPrecedence: null, status: 'active', alive, lastHeartbeatAt: null });
const watched = (...alive: [string, boolean][]): ClusterWatchOutput => ({
  changed: true,
  changes: ['x'],
  observation: { observedAt: '2026-11-22T00:00:00.000Z', activeMember: null, epoch: 0, members: alive.map(([m, a]) => view(m, a)) },
  now: { activeMember: null, aliveMembers: alive.filter(([, a]) => a).map(([m]) => m) },
});

class Driver {
  snapshot;
  pending: Effect[] = [];
  log: string[] = [];
  constructor(private readonly machine = activeClusterSupervisorMachine) {
    const [s, a] = initialTransition(machine, input);
    this.snapshot = s;
    this.take(a);
  }
  private take(actions: readonly { type: string; params?: unknown }[]) {
    for (const d of directivesOf(actions)) if (d.kind === 'effect') this.pending.push(d.effect);
  }
  send(event: { type: string; [k: string]: unknown }) {
    const [s, a] = transition(this.machine, this.snapshot, event as never);
    this.snapshot = s;
    // As the runtime does: an effect whose state was left is cancelled.
    this.pending = this.pending.filter((e) => s.hasTag(`effect:${e.step}`));
    this.take(a);
  }
  /** Answers the oldest pending effect; returns its action. */
  answer(output: unknown = { assignments: [] }, failed?: string, errorType?: string): string {
    const effect = this.pending.shift();
    if (!effect) throw new Error('nothing pending');
    this.log.push(`${effect.action}${'member' in effect ? ` ${effect.member}` : ''}${'order' in effect ? ` ${effect.order}` : ''}`);
    this.send(failed ? { type: `effect.failed.${effect.step}`, reason: failed, ...(errorType ? { errorType } : {}) } : { type: `effect.done.${effect.step}`, output });
    return effect.action;
  }
}

test('an order submitted while watching ends the watch, is added, and its first step is handed out', () => {
  const d = new Driver();
  d.answer(); // the first hand-out
  expect(d.pending[0]?.action).toBe('watch-cluster');
  d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-1' });
  expect(d.snapshot.hasTag('effect:watchCluster')).toBe(false);
  d.answer({ order: 'o-1', created: true });
  d.answer({ assignments: [{ order: 'o-1', step: 0, attempt: 1, member: 'd-2' }] });
  expect(d.log).toEqual(['assign-pending-steps', 'submit-order o-1', 'assign-pending-steps']);
  expect(d.snapshot.context).toMatchObject({ ordersSubmitted: 1, stepsAssigned: 1 });
});

test('orders submitted while the supervisor is busy are queued and all submitted, in order, once each', () => {
  const d = new Driver();
  d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-1' });
  d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-2' });
  d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-1' });
  d.answer(); // the hand-out that was in flight
  d.answer({ order: 'o-1', created: true });
  d.answer({ order: 'o-2', created: true });
  expect(d.log).toEqual(['assign-pending-steps', 'submit-order o-1', 'submit-order o-2']);
});

test('a member that stops heartbeating has its steps moved before anything else', () => {
  const d = new Driver();
  d.answer();
  d.answer(watched(['d-1', true], ['d-2', true], ['d-3', true]));
  d.answer();
  d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-9' });
  d.answer({ order: 'o-9', created: true });
  d.answer();
  d.answer(watched(['d-1', true], ['d-2', false], ['d-3', true]));
  d.answer({ assignments: [{ order: 'o-3', step: 1, attempt: 2, member: 'd-1' }] });
  expect(d.log.slice(-2)).toEqual(['watch-cluster', 'reassign-steps-of d-2']);
  expect(d.pending[0]?.action).toBe('assign-pending-steps');
  expect(d.snapshot.context).toMatchObject({ stepsReassigned: 1 });
});

test('a member alive again when the database is to move its steps keeps them: nothing counted as moved, the log says so, and supervision goes on', () => {
  const d = new Driver();
  d.answer();
  d.answer(watched(['d-1', true], ['d-2', true], ['d-3', true]));
  d.answer();
  d.answer(watched(['d-1', true], ['d-2', false], ['d-3', true]));
  d.answer({ assignments: [], memberAlive: true });
  expect(d.log.slice(-1)).toEqual(['reassign-steps-of d-2']);
  expect(d.snapshot.context).toMatchObject({ stepsReassigned: 0, toReassign: [] });
  expect(d.snapshot.context.events.at(-1)).toMatchObject({ what: 'd-2 is alive again: it keeps its steps' });
  expect(d.pending[0]?.action).toBe('assign-pending-steps');
  // The next watch expects d-2 alive, so that its death after this is seen as a change.
  d.answer();
  expect(d.pending[0]).toMatchObject({ action: 'watch-cluster', expected: { aliveMembers: ['d-1', 'd-2', 'd-3'] } });
});

test('members already dead when supervision starts have their steps moved too', () => {
  const d = new Driver();
  d.answer();
  d.answer(watched(['d-1', true], ['d-2', false], ['d-3', true]));
  expect(d.pending[0]).toMatchObject({ action: 'reassign-steps-of', member: 'd-2' });
});

test('an order the database refuses is reported and the supervisor goes on', () => {
  const d = new Driver();
  d.send({ type: 'operator.submitOrder', chain: 'nope', order: 'o-1' });
  d.answer();
  d.answer(undefined, 'unknown job chain "nope"', 'UnknownEntityError');
  expect(d.pending[0]?.action).toBe('assign-pending-steps');
  expect(d.snapshot.context).toMatchObject({ rejected: [{ chain: 'nope', order: 'o-1', reason: 'unknown job chain "nope"' }] });
});

describe('an order the database could not take for now (its retries spent)', () => {
  /** o-1 submitted while watching, o-2 right behind it; the database is locked as o-1 goes in. */
  function lockedAtTheFirstOrder(d: Driver) {
    d.answer(); // the first hand-out
    d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-1' });
    d.send({ type: 'operator.submitOrder', chain: 'billing', order: 'o-2' });
    expect(d.pending.map((e) => e.action)).toEqual(['submit-order']);
    d.answer(undefined, '"Submit order o-1 to billing" timed out (activity StartToClose timeout)', 'ActivityTimeout');
  }

  test('stays first in the queue; the waiting steps are handed out, and after the next watch it goes in, then the next', () => {
    const d = new Driver();
    lockedAtTheFirstOrder(d);
    expect(d.snapshot.context.submitted.map((o) => o.order)).toEqual(['o-1', 'o-2']);
    expect(summarizeActiveSupervisor(d.snapshot.context)).toMatchObject({ submitFailure: { order: 'o-1', failures: 1 } });
    expect(d.answer()).toBe('assign-pending-steps');
    // Not tried again before the watch: the watch is the pause between tries.
    expect(d.pending.map((e) => e.action)).toEqual(['watch-cluster']);
    d.answer(watched(['d-1', true], ['d-2', true], ['d-3', true]));
    expect(d.answer({ order: 'o-1', created: true })).toBe('submit-order');
    expect(d.answer({ order: 'o-2', created: true })).toBe('submit-order');
    expect(d.log.filter((l) => l.startsWith('submit-order'))).toEqual(['submit-order o-1', 'submit-order o-1', 'submit-order o-2']);
    expect(d.snapshot.context).toMatchObject({ ordersSubmitted: 2, rejected: [], submitFailure: null });
  });

  test('tried again after every watch while it fails, counting the tries; nothing is rejected', () => {
    const d = new Driver();
    lockedAtTheFirstOrder(d);
    for (let round = 0; round < 3; round += 1) {
      d.answer();
      d.answer(watched(['d-1', true]));
      d.answer(undefined, 'database is locked', 'SqliteError');
    }
    expect(d.snapshot.context).toMatchObject({ rejected: [], submitFailure: { order: 'o-1', reason: 'database is locked', failures: 4 } });
  });

  test('orders that arrive while it waits for the watch join the queue without ending the watch; after it, the first goes in first', () => {
    const d = new Driver();
    lockedAtTheFirstOrder(d);
    d.answer(); // the hand-out
    for (const order of ['o-3', 'o-4', 'o-2']) {
      d.send({ type: 'operator.submitOrder', chain: 'billing', order });
      expect(d.pending.map((e) => e.action)).toEqual(['watch-cluster']);
    }
    d.answer(watched(['d-1', true]));
    expect(d.pending.map((e) => `${e.action} ${'order' in e ? e.order : ''}`)).toEqual(['submit-order o-1']);
    expect(d.snapshot.context.submitted.map((o) => o.order)).toEqual(['o-1', 'o-2', 'o-3', 'o-4']);
  });

  test(`one that fails for now ${MAX_SUBMIT_TRIES} times in a row is rejected with its last reason, and the next goes in`, () => {
    const d = new Driver();
    lockedAtTheFirstOrder(d);
    for (let tries = 1; tries < MAX_SUBMIT_TRIES; tries += 1) {
      d.answer();
      d.answer(watched(['d-1', true]));
      d.answer(undefined, 'disk I/O error', 'SqliteError');
    }
    expect(d.snapshot.context.rejected).toEqual([{ chain: 'billing', order: 'o-1', reason: `not submitted after ${MAX_SUBMIT_TRIES} tries, the last: disk I/O error` }]);
    expect(d.answer({ order: 'o-2', created: true })).toBe('submit-order');
    expect(d.snapshot.context).toMatchObject({ submitted: [], ordersSubmitted: 1 });
  });

  test('a run recorded before orders were kept rejects it, as it did then', () => {
    const d = new Driver(activeClusterSupervisorMachine.provide({ guards: { [behaviourSince(KEEPS_ORDERS_NOT_TAKEN)]: () => false } }));
    lockedAtTheFirstOrder(d);
    expect(d.snapshot.context.submitted.map((o) => o.order)).toEqual(['o-2']);
    expect(d.snapshot.context.rejected.map((o) => o.order)).toEqual(['o-1']);
  });
});
