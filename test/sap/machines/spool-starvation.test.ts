/**
 * The sizing advisor's number against the dispatcher: at the advised size an output request is
 * taken while every management task (and frontend output up to its limit) runs and hangs; with
 * one work process fewer it waits. For every release step, with and without frontend printing,
 * whatever order the management tasks came in.
 */
import fc from 'fast-check';
import { runTimeline } from '../../../machines/sap/spool-dispatch-timeline';
import { RELEASE_STEPS, ReleaseStep, tasksOf } from '../../../machines/sap/spool-releases';
import { adviseSpoolWorkProcesses } from '../../../machines/sap/spool-sizing';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';

const A_RELEASE: Record<ReleaseStep, string> = { 'before-4.0A': '3.1I', '4.0A': '4.0A', '4.0B': '4.0B', '4.6A-and-later': '4.6C' };

/** Every management task of the release twice, and one more frontend request than may run: all of it hangs. */
function maximumManagementLoad(step: ReleaseStep, froMax: number, frontendPrinting: boolean): SpoolTask[] {
  const tasks = tasksOf(step);
  const management = [...tasks.local, ...tasks.global].flatMap((task) => [1, 2].map((n): SpoolTask => ({ kind: 'management', id: `${task}-${n}`, task })));
  const frontend = frontendPrinting && tasks.frontendOutputBySpool ? Array.from({ length: froMax + 1 }, (_, n): SpoolTask => ({ kind: 'output', id: `fe-${n}`, device: 'frontend', sequence: false, frontend: true })) : [];
  return [...management, ...frontend];
}

/** True when the output request that comes after the load is processed. */
function outputStartsWith(workProcesses: number, step: ReleaseStep, froMax: number, load: SpoolTask[]): boolean {
  const output: SpoolTask = { kind: 'output', id: 'the-output', device: 'lp01', sequence: false, frontend: false };
  const timeline = runTimeline({
    servers: [{ server: 'sap-a', step, workProcesses, froMax }],
    arrivals: [...load.map((task) => ({ at: 0, server: 'sap-a', task })), { at: 1, server: 'sap-a', task: output }],
    duration: (task) => (task.id === 'the-output' ? 1 : Infinity),
    until: 100,
  });
  return timeline.finishedAt.has('the-output');
}

describe('sizing against the dispatcher', () => {
  test('at the advised size output is never starved by management; with one fewer it is', () => {
    const caseArb = fc.record({ step: fc.constantFrom(...RELEASE_STEPS), frontendPrinting: fc.boolean(), froMax: fc.integer({ min: 1, max: 3 }), seed: fc.nat() });
    fc.assert(
      fc.property(caseArb, ({ step, frontendPrinting, froMax, seed }) => {
        const advice = adviseSpoolWorkProcesses({ release: A_RELEASE[step], frontendPrinting, ...(frontendPrinting ? { froMax } : {}) });
        const load = shuffled(maximumManagementLoad(step, froMax, frontendPrinting), seed);
        expect(outputStartsWith(advice.workProcesses, step, froMax, load)).toBe(true);
        expect(outputStartsWith(advice.workProcesses - 1, step, froMax, load)).toBe(false);
      }),
      { numRuns: 100, seed: 14 },
    );
  });

  test("the source's example: 4.0B with four work processes keeps one for output; 4.6A with frontend printing needs five", () => {
    expect(outputStartsWith(4, '4.0B', 1, maximumManagementLoad('4.0B', 1, false))).toBe(true);
    expect(outputStartsWith(4, '4.6A-and-later', 1, maximumManagementLoad('4.6A-and-later', 1, true))).toBe(false);
    expect(outputStartsWith(5, '4.6A-and-later', 1, maximumManagementLoad('4.6A-and-later', 1, true))).toBe(true);
  });
});

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (s * 48271) % 2147483647;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
