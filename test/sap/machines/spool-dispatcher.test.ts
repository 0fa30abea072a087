import { createSpoolServer, Dispatch, finish, heldTask, otherSequenceOfDeviceOf, otherTaskUnderIdOf, submitRefusalOf, SpoolServerState, submit, SpoolTaskRefusedError } from '../../../machines/sap/spool-dispatcher';
import type { ManagementRequest, OutputRequest } from '../../../machines/sap/spool-tasks';
import { GlobalManagementTask, LocalManagementTask } from '../../../machines/sap/spool-releases';

const alone = { globalManagementElsewhere: false };
const out = (id: string, device: string, sequence = false, frontend = false): OutputRequest => ({ kind: 'output', id, device, sequence, frontend });
const mgmt = (id: string, task: LocalManagementTask | GlobalManagementTask): ManagementRequest => ({ kind: 'management', id, task });
const server = (workProcesses: number, froMax = 1) => createSpoolServer({ server: 'sap-a', step: '4.6A-and-later', workProcesses, froMax });

/** Submits each task in turn; the dispatches of them all. */
function submitAll(state: SpoolServerState, tasks: (OutputRequest | ManagementRequest)[], system = alone): { state: SpoolServerState; dispatches: Dispatch[] } {
  const dispatches: Dispatch[] = [];
  for (const task of tasks) {
    const result = submit(state, task, system);
    state = result.state;
    dispatches.push(...result.dispatches);
  }
  return { state, dispatches };
}
const running = (state: SpoolServerState) => state.workProcesses.map((wp) => wp.running?.id ?? null);

describe('the spool dispatcher', () => {
  test('a sequence device reserves a work process whose input queue takes the device\'s later requests', () => {
    const { state, dispatches } = submitAll(server(3), [out('r1', 'lp01', true), out('r2', 'lp01', true), out('r3', 'lp02')]);
    expect(dispatches).toEqual([
      { kind: 'reserve', workProcess: 0, device: 'lp01' },
      { kind: 'start', workProcess: 0, task: out('r1', 'lp01', true), from: 'dispatch-queue' },
      { kind: 'queue', workProcess: 0, request: out('r2', 'lp01', true) },
      { kind: 'start', workProcess: 1, task: out('r3', 'lp02'), from: 'dispatch-queue' },
    ]);
    expect(state.workProcesses[0]!.inputQueue.map((r) => r.id)).toEqual(['r2']);
  });

  test('a reserved work process takes nothing else until its queue is empty, then gives the reservation up', () => {
    let { state } = submitAll(server(2), [out('r1', 'lp01', true), out('r2', 'lp01', true), out('s1', 'lp03', true)]);
    // Every work process is reserved: nothing more goes into an input queue, not even lp01's own.
    ({ state } = submitAll(state, [out('x', 'lp02'), out('r3', 'lp01', true)]));
    expect(state.workProcesses.map((wp) => wp.inputQueue.map((r) => r.id))).toEqual([['r2'], []]);
    expect(state.waiting.map((t) => t.id)).toEqual(['x', 'r3']);

    let result = finish(state, 0, 'r1', alone);
    expect(result.dispatches).toEqual([{ kind: 'start', workProcess: 0, task: out('r2', 'lp01', true), from: 'input-queue' }]);
    result = finish(result.state, 0, 'r2', alone);
    expect(result.dispatches).toEqual([
      { kind: 'release', workProcess: 0, device: 'lp01' },
      { kind: 'start', workProcess: 0, task: out('x', 'lp02'), from: 'dispatch-queue' },
    ]);
    expect(result.state.waiting.map((t) => t.id)).toEqual(['r3']);
    result = finish(result.state, 1, 's1', alone);
    expect(result.dispatches).toEqual([
      { kind: 'release', workProcess: 1, device: 'lp03' },
      { kind: 'reserve', workProcess: 1, device: 'lp01' },
      { kind: 'start', workProcess: 1, task: out('r3', 'lp01', true), from: 'dispatch-queue' },
    ]);
  });

  test('requests for devices without a set sequence run in parallel and may finish in another order', () => {
    let { state } = submitAll(server(2), [out('a1', 'lp02'), out('a2', 'lp02')]);
    expect(running(state)).toEqual(['a1', 'a2']);
    state = finish(state, 1, 'a2', alone).state; // the later one is done first: it overtook
    expect(running(state)).toEqual(['a1', null]);
  });

  test('each local management task runs on at most one work process of the instance; the next one waits', () => {
    const { state } = submitAll(server(4), [mgmt('d1', 'host-spool-demand'), mgmt('d2', 'host-spool-demand'), mgmt('l1', 'link-check'), out('r1', 'lp02')]);
    expect(running(state)).toEqual(['d1', 'l1', 'r1', null]);
    expect(state.waiting.map((t) => t.id)).toEqual(['d2']);
    expect(running(finish(state, 0, 'd1', alone).state)).toEqual(['d2', 'l1', 'r1', null]);
  });

  test('global management runs on at most one work process, and not while another server runs one', () => {
    let { state } = submitAll(server(4), [mgmt('s1', 'scan-lost-requests'), mgmt('o1', 'delete-obsolete-requests')]);
    expect(running(state)).toEqual(['s1', null, null, null]);
    state = finish(state, 0, 's1', { globalManagementElsewhere: true }).state;
    expect(running(state)).toEqual([null, null, null, null]);
    expect(running(submit(state, out('r', 'lp02'), alone).state)).toEqual(['o1', 'r', null, null]);
  });

  test('frontend output takes at most rdisp/wp_no_spo_Fro_max work processes', () => {
    expect(running(submitAll(server(4), [out('f1', 'fe', false, true), out('f2', 'fe', false, true), out('r', 'lp02')]).state)).toEqual(['f1', 'r', null, null]);
    expect(running(submitAll(server(4, 2), [out('f1', 'fe', false, true), out('f2', 'fe', false, true)]).state)).toEqual(['f1', 'f2', null, null]);
  });

  test('a task given twice is one task, and a finish told twice changes nothing', () => {
    let { state } = submitAll(server(2), [out('r1', 'lp02'), out('r1', 'lp02')]);
    expect(running(state)).toEqual(['r1', null]);
    state = finish(state, 0, 'r1', alone).state;
    expect(finish(state, 0, 'r1', alone).dispatches).toEqual([]);
  });

  test('a backlog stops at maxTasksHeld: a new task is refused naming the limit, one given again is not, and one more is taken once one is done', () => {
    // One work process reserved for a sequence device: everything else waits behind it.
    let { state } = submitAll(server(1), [out('r1', 'lp-seq', true), out('r2', 'lp-seq', true), out('r3', 'lp02')], alone);
    expect(() => submit(state, out('r4', 'lp03'), alone, 3)).toThrow(SpoolTaskRefusedError);
    expect(() => submit(state, out('r4', 'lp03'), alone, 3)).toThrow('output r4 to lp03: spool server sap-a holds 3 tasks not yet done, the most it keeps (maxTasksHeld 3); submit it again once some are done');
    expect(submit(state, out('r2', 'lp-seq', true), alone, 3).state).toBe(state);
    state = finish(state, 0, 'r1', alone).state;
    expect(() => submit(state, out('r4', 'lp03'), alone, 3)).not.toThrow();
  });

  test('another task under the id of one held, waiting, running or in an input queue, is told apart from the same task given again', () => {
    const { state } = submitAll(server(1), [out('r1', 'lp-seq', true), out('r2', 'lp-seq', true), out('r3', 'lp02')]);
    expect(['r1', 'r2', 'r3', 'r4'].map((id) => heldTask(state, id)?.id)).toEqual(['r1', 'r2', 'r3', undefined]); // running, input queue, waiting, none
    expect(otherTaskUnderIdOf(heldTask(state, 'r2'), out('r2', 'lp-seq', true))).toBeNull();
    expect(otherTaskUnderIdOf(heldTask(state, 'r2'), out('r2', 'lp-seq', false))).toBe('id: r2 was given as output r2 to lp-seq (in sequence), now as output r2 to lp-seq; one id is one task (give the new one its own id)');
    expect(otherTaskUnderIdOf(heldTask(state, 'r3'), mgmt('r3', 'link-check'))).toMatch(/^id: r3 was given as output r3 to lp02, now as link-check r3/);
    expect(otherTaskUnderIdOf(undefined, out('r4', 'lp02'))).toBeNull();
  });

  test("a request whose sequence setting differs from the held requests' of its device is refused, naming the field; another device, or none held, is free", () => {
    const { state } = submitAll(server(1), [out('r1', 'lp-seq', true), out('r2', 'lp-seq', true), out('r3', 'lp02')]);
    expect(otherSequenceOfDeviceOf(state, out('r4', 'lp-seq', false))).toBe(
      "sequence: device lp-seq has requests held in a set sequence (r1, r2); a request for it without one would overtake them: give it sequence true, or change the device's setting once those are done",
    );
    expect(otherSequenceOfDeviceOf(state, out('r4', 'lp02', true))).toMatch(/^sequence: device lp02 has requests held without a set sequence \(r3\); a device has one setting/);
    expect(otherSequenceOfDeviceOf(state, out('r4', 'lp-seq', true))).toBeNull();
    expect(otherSequenceOfDeviceOf(state, out('r4', 'lp03', true))).toBeNull();
    // Requests accepted and not yet taken in count as held.
    expect(otherSequenceOfDeviceOf(server(1), out('r5', 'lp04', true), [out('r6', 'lp04', false)])).toMatch(/\(r6\)/);
    expect(otherSequenceOfDeviceOf(state, mgmt('m1', 'link-check'))).toBeNull();
  });

  test("the Update's refusals: a task given again (held or done lately) is answered as before, whatever its device's setting is now", () => {
    const { state } = submitAll(server(1), [out('r1', 'lp-seq', true), out('r2', 'lp-seq', true)]);
    const accepted = { inbox: [], done: new Set(['r0']), maxTasksHeld: 3 };
    // r0 went to lp-seq without a sequence before the device was set to one: given again, it is answered already-done.
    expect(submitRefusalOf(state, out('r0', 'lp-seq', false), accepted)).toBeNull();
    expect(submitRefusalOf(state, out('r2', 'lp-seq', true), accepted)).toBeNull();
    expect(submitRefusalOf(state, out('r3', 'lp-seq', false), accepted)).toMatch(/^sequence: device lp-seq has requests held in a set sequence \(r1, r2\)/);
    expect(submitRefusalOf(state, out('r2', 'lp02'), accepted)).toMatch(/^id: r2 was given as output r2 to lp-seq/);
    expect(submitRefusalOf(state, out('r3', 'lp02'), accepted)).toBeNull();
    expect(submitRefusalOf(state, out('r3', 'lp02'), { ...accepted, inbox: [out('r4', 'lp03')], maxTasksHeld: 3 })).toMatch(/holds 3 tasks not yet done/);
  });

  test("refuses a task the server's release does not have, naming it", () => {
    const old = createSpoolServer({ server: 'sap-old', step: '4.0A', workProcesses: 3 });
    expect(() => submit(old, mgmt('l', 'link-check'), alone)).toThrow(SpoolTaskRefusedError);
    expect(() => submit(old, mgmt('l', 'link-check'), alone)).toThrow('link-check: not a spool task of release step 4.0A (server sap-old)');
    expect(() => submit(old, out('f', 'fe', false, true), alone)).toThrow(/before 4\.6A frontend printing goes through dialog work processes/);
  });
});
