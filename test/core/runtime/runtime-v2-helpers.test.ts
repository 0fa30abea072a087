/**
 * The pieces the runtime's second version (workflows/runtime/runtime-version.ts) takes its steps
 * with: the hosts' lanes (one effect at a time per host, in start order), the pool that lends a
 * cancellation scope again once its effect settled, and the event queue that wakes its reader.
 */
import { HostLanes } from '../../../workflows/runtime/host-lanes';
import { ReusePool } from '../../../workflows/runtime/reusable-scopes';
import { EventQueue } from '../../../workflows/runtime/event-queue';

describe('host lanes', () => {
  test('an effect on a free host, or on no host, begins at once', () => {
    const lanes = new HostLanes();
    const begun: string[] = [];
    lanes.enter('spoc-1', () => begun.push('stop on spoc-1'));
    lanes.enter(undefined, () => begun.push('central check'));
    lanes.enter('spoc-2', () => begun.push('stop on spoc-2'));
    expect(begun).toEqual(['stop on spoc-1', 'central check', 'stop on spoc-2']);
  });

  test('effects on one host begin one after another, in the order they were started, each once the one before settled', () => {
    const lanes = new HostLanes();
    const begun: string[] = [];
    lanes.enter('spoc-1', () => begun.push('stop'));
    lanes.enter('spoc-1', () => begun.push('restore'));
    lanes.enter('spoc-1', () => begun.push('check'));
    expect(begun).toEqual(['stop']);
    lanes.leave('spoc-1');
    expect(begun).toEqual(['stop', 'restore']);
    lanes.leave('spoc-1');
    lanes.leave('spoc-1');
    expect(begun).toEqual(['stop', 'restore', 'check']);
    expect(lanes.busy('spoc-1')).toBe(false);
    lanes.enter('spoc-1', () => begun.push('again'));
    expect(begun).toEqual(['stop', 'restore', 'check', 'again']);
  });

  test('an effect that settles as it begins (refused at once) lets the next one on its host begin', () => {
    const lanes = new HostLanes();
    const begun: string[] = [];
    lanes.enter('spoc-1', () => begun.push('stop'));
    lanes.enter('spoc-1', () => {
      begun.push('refused');
      lanes.leave('spoc-1');
    });
    lanes.enter('spoc-1', () => begun.push('restore'));
    lanes.leave('spoc-1');
    expect(begun).toEqual(['stop', 'refused', 'restore']);
    expect(lanes.busy('spoc-1')).toBe(true);
  });
});

describe('reuse pool', () => {
  test('an item given back reusable is lent again; one given back spent (a cancelled scope) never is', () => {
    let made = 0;
    const pool = new ReusePool(() => ({ n: (made += 1) }), 100);
    const first = pool.take();
    pool.giveBack(first, true);
    expect(pool.take()).toBe(first);
    pool.giveBack(first, false);
    const second = pool.take();
    expect(second).not.toBe(first);
    expect(made).toBe(2);
  });

  test('items lent at the same time are distinct, and an item is retired after its last use', () => {
    const pool = new ReusePool(() => ({}), 2);
    const a = pool.take();
    const b = pool.take();
    expect(a).not.toBe(b);
    pool.giveBack(a, true);
    expect(pool.take()).toBe(a);
    pool.giveBack(a, true); // second use: retired
    expect(pool.take()).not.toBe(a);
  });

  test('giving back an item that was not lent changes nothing', () => {
    const pool = new ReusePool(() => ({}), 5);
    const stranger = {};
    pool.giveBack(stranger, true);
    expect(pool.take()).not.toBe(stranger);
  });
});

describe('event queue', () => {
  test('its reader wakes when an event is queued, and at once when one waits already', async () => {
    const queue = new EventQueue();
    let woke = false;
    const waiting = queue.nextEvent().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    queue.push({ type: 'effect.done.tick' });
    await waiting;
    expect(woke).toBe(true);
    await expect(queue.nextEvent()).resolves.toBeUndefined();
    expect(queue.take()).toEqual({ type: 'effect.done.tick' });
  });

  test('a second reader is refused: the runtime is the only one', () => {
    const queue = new EventQueue();
    void queue.nextEvent();
    expect(() => queue.nextEvent()).toThrow('the event queue has one reader');
  });
});
