/**
 * The dispatcher's rules on every sequence of submissions and finishes fast-check finds, on two
 * spool servers of one system: each rule is checked after every step, not only at the end.
 */
import fc from 'fast-check';
import { Dispatch, SpoolServerState } from '../../../machines/sap/spool-dispatcher';
import { createSpoolServer } from '../../../machines/sap/spool-dispatcher';
import { finishOn, SpoolSystemState, submitTo } from '../../../machines/sap/spool-system';
import { GLOBAL_MANAGEMENT_TASKS, LOCAL_MANAGEMENT_TASKS, ManagementTask } from '../../../machines/sap/spool-releases';
import { isGlobalManagement, SpoolTask } from '../../../machines/sap/spool-tasks';
import { runTimeline } from '../../../machines/sap/spool-dispatch-timeline';

const SERVERS = ['sap-a', 'sap-b'];
const SEQUENCE_DEVICES = ['s0', 's1', 's2'];
const PARALLEL_DEVICES = ['p0', 'p1'];
const MANAGEMENT: ManagementTask[] = [...LOCAL_MANAGEMENT_TASKS, ...GLOBAL_MANAGEMENT_TASKS];

type Op = { op: 'submit'; server: number; what: number } | { op: 'finish'; pick: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('submit' as const), server: fc.integer({ min: 0, max: 1 }), what: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ op: fc.constant('finish' as const), pick: fc.nat() }),
);
const settingsArb = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 2 }));

/** Devices belong to one server, as an R/3 device has one spool server. */
function taskFor(what: number, server: string, id: string): SpoolTask {
  if (what < 3) return { kind: 'output', id, device: `${server}/${SEQUENCE_DEVICES[what]!}`, sequence: true, frontend: false };
  if (what < 5) return { kind: 'output', id, device: `${server}/${PARALLEL_DEVICES[what - 3]!}`, sequence: false, frontend: false };
  if (what === 5) return { kind: 'output', id, device: `${server}/frontend`, sequence: false, frontend: true };
  return { kind: 'management', id, task: MANAGEMENT[what - 6]! };
}

const runningOf = (s: SpoolServerState) => s.workProcesses.flatMap((wp) => (wp.running ? [wp.running] : []));

/** The rules that hold of every state. */
function checkState(system: SpoolSystemState): void {
  const globals = system.servers.flatMap(runningOf).filter((t) => t.kind === 'management' && isGlobalManagement(t.task));
  expect(globals.length).toBeLessThanOrEqual(1);
  for (const server of system.servers) {
    const running = runningOf(server);
    for (const task of LOCAL_MANAGEMENT_TASKS) expect(running.filter((t) => t.kind === 'management' && t.task === task).length).toBeLessThanOrEqual(1);
    expect(running.filter((t) => t.kind === 'output' && t.frontend).length).toBeLessThanOrEqual(server.froMax);
    const reservedDevices = server.workProcesses.flatMap((wp) => (wp.reservedFor ? [wp.reservedFor] : []));
    expect(new Set(reservedDevices).size).toBe(reservedDevices.length);
    for (const wp of server.workProcesses) {
      if (wp.reservedFor === null) {
        expect(wp.inputQueue).toEqual([]);
        continue;
      }
      // A reserved work process is never idle: it runs its device's request, or it gave the reservation up.
      expect(wp.running).toMatchObject({ kind: 'output', device: wp.reservedFor });
      for (const r of wp.inputQueue) expect(r.device).toBe(wp.reservedFor);
    }
    // Nothing waits that a free work process could take under the rules.
    const free = server.workProcesses.some((wp) => wp.running === null && wp.reservedFor === null);
    if (!free) continue;
    for (const task of server.waiting) {
      if (task.kind === 'output') {
        expect(task.sequence || task.frontend).toBe(true); // sequence: only if held behind an earlier one, which would have been taken
        if (task.sequence) throw new Error(`${task.id} for ${task.device} waits while a work process is free`);
        expect(running.filter((t) => t.kind === 'output' && t.frontend).length).toBe(server.froMax);
      } else if (isGlobalManagement(task.task)) {
        expect(globals.length).toBe(1);
      } else {
        expect(running.some((t) => t.kind === 'management' && t.task === task.task)).toBe(true);
      }
    }
  }
}

describe('the spool dispatcher on every sequence of events', () => {
  test('keeps every rule after every step: exclusivity, reservations, order per sequence device, nothing queued while all are reserved', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(opArb, { maxLength: 120 }), ([wpsA, wpsB, froMax], ops) => {
        let system: SpoolSystemState = {
          servers: [
            createSpoolServer({ server: 'sap-a', step: '4.6A-and-later', workProcesses: wpsA, froMax }),
            createSpoolServer({ server: 'sap-b', step: '4.6A-and-later', workProcesses: wpsB, froMax }),
          ],
        };
        const submitted = new Map<string, string[]>(); // sequence device -> ids in order
        const started = new Map<string, string[]>();
        const queuedTo = new Map<string, Set<string>>(); // `${server}#${wp}` -> ids queued, not yet started
        let n = 0;
        for (const op of ops) {
          const before = system;
          let result;
          if (op.op === 'submit') {
            const server = SERVERS[op.server]!;
            const task = taskFor(op.what, server, `t${(n += 1)}`);
            if (task.kind === 'output' && task.sequence) submitted.set(task.device, [...(submitted.get(task.device) ?? []), task.id]);
            result = submitTo(system, server, task);
          } else {
            const running = system.servers.flatMap((s) => s.workProcesses.flatMap((wp) => (wp.running ? [{ server: s.server, wp: wp.number, id: wp.running.id }] : [])));
            if (running.length === 0) continue;
            const chosen = running[op.pick % running.length]!;
            result = finishOn(system, chosen.server, chosen.wp, chosen.id);
          }
          system = result.system;
          // Replay the decisions in order, with the reservations as they were at each one.
          const reserved = new Map(before.servers.map((s) => [s.server, new Set(s.workProcesses.filter((wp) => wp.reservedFor).map((wp) => wp.number))]));
          for (const { server, dispatch } of result.dispatches) checkDecision(server, dispatch, reserved.get(server)!, before.servers.find((s) => s.server === server)!.workProcesses.length);
          checkState(system);
        }
        // Order per sequence device: started in the order submitted.
        for (const [device, ids] of started) expect(ids).toEqual(submitted.get(device)!.slice(0, ids.length));

        function checkDecision(server: string, d: Dispatch, reserved: Set<number>, size: number): void {
          const key = `${server}#${d.workProcess}`;
          if (d.kind === 'reserve') reserved.add(d.workProcess);
          if (d.kind === 'release') {
            reserved.delete(d.workProcess);
            expect([...(queuedTo.get(key) ?? [])]).toEqual([]); // given up only with its queue empty
          }
          if (d.kind === 'queue') {
            expect(reserved.size).toBeLessThan(size); // never into an input queue while every process is reserved
            queuedTo.set(key, new Set([...(queuedTo.get(key) ?? []), d.request.id]));
          }
          if (d.kind === 'start' && d.task.kind === 'output' && d.task.sequence) {
            started.set(d.task.device, [...(started.get(d.task.device) ?? []), d.task.id]);
            queuedTo.get(key)?.delete(d.task.id);
          }
        }
      }),
      { numRuns: 150, seed: 14 },
    );
  });

  test('under load with several work processes every request finishes, sequence devices in their order, and every reservation is given up', () => {
    const arrivalArb = fc.array(fc.record({ at: fc.integer({ min: 0, max: 50 }), what: fc.integer({ min: 0, max: 4 }), seconds: fc.integer({ min: 1, max: 9 }) }), { maxLength: 80 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), arrivalArb, (workProcesses, load) => {
        const seconds = new Map<string, number>();
        const arrivals = load.map((a, i) => {
          const task = taskFor(a.what, 'sap-a', `r${i}`);
          seconds.set(task.id, a.seconds);
          return { at: a.at, server: 'sap-a', task };
        });
        const timeline = runTimeline({ servers: [{ server: 'sap-a', step: '4.6A-and-later', workProcesses }], arrivals, duration: (task) => seconds.get(task.id)! });
        expect(timeline.finishedAt.size).toBe(arrivals.length);
        const byArrival = [...arrivals].sort((a, b) => a.at - b.at);
        for (const device of SEQUENCE_DEVICES.map((d) => `sap-a/${d}`)) {
          const ids = byArrival.filter((a) => a.task.kind === 'output' && a.task.device === device).map((a) => a.task.id);
          const finished = [...ids].sort((x, y) => timeline.finishedAt.get(x)! - timeline.finishedAt.get(y)!);
          expect(finished).toEqual(ids);
        }
        expect(timeline.system.servers[0]!.workProcesses.every((wp) => wp.reservedFor === null && wp.inputQueue.length === 0)).toBe(true);
      }),
      { numRuns: 100, seed: 14 },
    );
  });
});
