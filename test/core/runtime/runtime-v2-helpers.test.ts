/**
 * The pieces the runtime's second version (workflows/runtime/runtime-version.ts) takes its steps
 * with: the hosts' lanes (one effect at a time per host, in start order), the pool that lends a
 * cancellation scope again once its effect settled, and the events taken as they are queued.
 */
import { HostLanes } from '../../../workflows/runtime/host-lanes';
import { ReusePool } from '../../../workflows/runtime/reusable-scopes';
import { EventQueue } from '../../../workflows/runtime/event-queue';
import { takeEventsAsTheyCome } from '../../../workflows/runtime/event-driver';

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

describe('events taken as they come', () => {
  /** A machine stand-in: takes events into `taken`; 'pause' at `pauseAt`, ends at `endAt`. */
  function steps(queue: EventQueue, o: { pauseAt?: string; endAt?: string; failAt?: string } = {}) {
    const taken: string[] = [];
    let ended = false;
    const contexts: string[] = [];
    return {
      taken,
      contexts,
      steps: {
        step: () => {
          const { type } = queue.take();
          queue.markProcessed();
          if (type === o.failAt) throw new Error(`the machine refused ${type}`);
          taken.push(type);
          if (type === o.endAt) ended = true;
          return type === o.pauseAt ? ('pause' as const) : ('go-on' as const);
        },
        finished: () => ended,
        inRunContext: (fn: () => void) => {
          contexts.push('run');
          fn();
        },
      },
    };
  }

  test('events queued before and after are taken one at a time, in arrival order, as each is queued', async () => {
    const queue = new EventQueue();
    queue.push({ type: 'a' });
    const machine = steps(queue, { endAt: 'c' });
    const taking = takeEventsAsTheyCome(queue, machine.steps);
    expect(machine.taken).toEqual(['a']);
    queue.push({ type: 'b' });
    expect(machine.taken).toEqual(['a', 'b']);
    queue.push({ type: 'c' });
    await expect(taking).resolves.toBe('finished');
    queue.push({ type: 'late' });
    expect(machine.taken).toEqual(['a', 'b', 'c']);
    expect(machine.contexts).toEqual(['run', 'run']);
  });

  test('an event queued by a step itself is taken after that step, not inside it', async () => {
    const queue = new EventQueue();
    const taken: string[] = [];
    const taking = takeEventsAsTheyCome(queue, {
      step: () => {
        const { type } = queue.take();
        taken.push(`begin ${type}`);
        if (type === 'a') queue.push({ type: 'refused at once' });
        taken.push(`end ${type}`);
        return 'go-on';
      },
      finished: () => taken.length >= 4,
      inRunContext: (fn) => fn(),
    });
    queue.push({ type: 'a' });
    await expect(taking).resolves.toBe('finished');
    expect(taken).toEqual(['begin a', 'end a', 'begin refused at once', 'end refused at once']);
  });

  test('a cancellation rejects with its reason, and no event is taken after it', async () => {
    const queue = new EventQueue();
    let cancel: (reason: Error) => void = () => undefined;
    const cancelled = new Promise<never>((_resolve, reject) => (cancel = reject));
    const machine = steps(queue);
    const taking = takeEventsAsTheyCome(queue, machine.steps, cancelled);
    queue.push({ type: 'a' });
    cancel(new Error('Workflow cancelled'));
    await expect(taking).rejects.toThrow('Workflow cancelled');
    queue.push({ type: 'after' });
    expect(machine.taken).toEqual(['a']);
  });

  test('a pausing step hands control back with the rest still queued; a failing step rejects with its error', async () => {
    const queue = new EventQueue();
    queue.push({ type: 'a' });
    queue.push({ type: 'b' });
    const machine = steps(queue, { pauseAt: 'a', failAt: 'c' });
    await expect(takeEventsAsTheyCome(queue, machine.steps)).resolves.toBe('paused');
    expect(machine.taken).toEqual(['a']);
    const again = takeEventsAsTheyCome(queue, machine.steps);
    expect(machine.taken).toEqual(['a', 'b']);
    queue.push({ type: 'c' });
    await expect(again).rejects.toThrow('the machine refused c');
  });
});
