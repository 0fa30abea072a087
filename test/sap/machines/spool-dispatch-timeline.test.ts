import { runTimeline } from '../../../machines/sap/spool-dispatch-timeline';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';

const out = (id: string, device: string, sequence: boolean): SpoolTask => ({ kind: 'output', id, device, sequence, frontend: false });

describe('the dispatcher in simulated time', () => {
  test('requests to a device without a set sequence overtake each other when work processes differ in speed', () => {
    const timeline = runTimeline({
      servers: [{ server: 'sap-a', step: '4.0B', workProcesses: 2 }],
      arrivals: [out('r1', 'lp02', false), out('r2', 'lp02', false)].map((task) => ({ at: 0, server: 'sap-a', task })),
      duration: (_task, _server, workProcess) => (workProcess === 0 ? 5 : 1), // work process 0 is slow
    });
    expect(timeline.finishedAt.get('r2')).toBeLessThan(timeline.finishedAt.get('r1')!);
  });

  test('the same requests to a device with a set sequence finish in order, one after the other on one work process', () => {
    const timeline = runTimeline({
      servers: [{ server: 'sap-a', step: '4.0B', workProcesses: 2 }],
      arrivals: [out('r1', 'lp01', true), out('r2', 'lp01', true)].map((task) => ({ at: 0, server: 'sap-a', task })),
      duration: (_task, _server, workProcess) => (workProcess === 0 ? 5 : 1),
    });
    expect([timeline.finishedAt.get('r1'), timeline.finishedAt.get('r2')]).toEqual([5, 10]);
    expect(timeline.events.filter((e) => e.dispatch.kind === 'release')).toEqual([{ time: 10, server: 'sap-a', dispatch: { kind: 'release', workProcess: 0, device: 'lp01' } }]);
  });

  test('a hanging host spool demand delays only the next demand, not the output', () => {
    const demand = (id: string): SpoolTask => ({ kind: 'management', id, task: 'host-spool-demand' });
    const timeline = runTimeline({
      servers: [{ server: 'sap-a', step: '4.0B', workProcesses: 2 }],
      arrivals: [demand('d1'), demand('d2'), out('r1', 'lp02', false)].map((task, i) => ({ at: i, server: 'sap-a', task })),
      duration: (task) => (task.id === 'd1' ? Infinity : 1),
      until: 60,
    });
    expect(timeline.finishedAt.get('r1')).toBe(3);
    expect(timeline.finishedAt.has('d2')).toBe(false);
    expect(timeline.system.servers[0]!.waiting.map((t) => t.id)).toEqual(['d2']);
  });

  test('more work processes do not help a single sequence device, and do help devices without a set sequence', () => {
    const makespan = (workProcesses: number, sequence: boolean) =>
      runTimeline({
        servers: [{ server: 'sap-a', step: '4.0B', workProcesses }],
        arrivals: Array.from({ length: 40 }, (_, i) => ({ at: 0, server: 'sap-a', task: out(`r${i}`, 'lp01', sequence) })),
        duration: () => 1,
      }).end;
    expect([1, 2, 4, 8].map((n) => makespan(n, true))).toEqual([40, 40, 40, 40]);
    expect([1, 2, 4, 8].map((n) => makespan(n, false))).toEqual([40, 20, 10, 5]);
  });
});
