/**
 * The SAP spool invariants of a chaos run (docs/sap-spool-work-processes.md), checked over the
 * simulated spool servers' record (`<data dir>/sim/sap-spool-operations.jsonl`) and the requests
 * the run submitted. Pure: test/chaos/sap-invariants.test.ts feeds it hand-made records that break
 * each rule.
 *
 * A task runs on its work process from its `dispatch started` line for the `seconds` it takes (the
 * simulated server's own clock: a `finish` line may come later, when a retried activity asks); a
 * task with no duration (it hangs) runs until its `finish`, or to the end.
 *
 * - no request output twice: each task begun once (`started`) and finished once;
 * - a work process does one task at a time;
 * - local management: each local task by at most one work process of its server at a time;
 *   global management: at most one global task in the whole system at a time;
 * - devices with a set sequence: on each spool server (whose dispatcher keeps the device's order)
 *   their requests run one at a time, begun in the order they were submitted;
 * - no request lost: every output request the dispatchers accepted was printed by the end.
 */
import type { SapSpoolOperation } from '../simulator/sap/sim-spool-servers';
import { GLOBAL_MANAGEMENT_TASKS } from '../machines/sap/spool-releases';
import type { InvariantBreak } from './invariants';

/** The output requests the run submitted and the dispatcher accepted, per sequence device in submission order. */
export interface SapSubmissions {
  /** Every accepted output request's id. */
  outputs: string[];
  /** Per spool server and device with a set sequence (`spool1/lp01`), its requests' ids in the order they were submitted. */
  sequences: Record<string, string[]>;
}

interface Span {
  id: string;
  server: string;
  workProcess: number;
  task: string;
  device?: string;
  sequence?: boolean;
  from: number;
  to: number;
}

const GLOBAL: readonly string[] = GLOBAL_MANAGEMENT_TASKS;

export function sapBreaks(record: SapSpoolOperation[], submitted: SapSubmissions): InvariantBreak[] {
  const spans = spansOf(record);
  return [...outputTwice(record), ...workProcessesBusyTwice(spans), ...managementTwice(spans), ...sequencesKept(spans, submitted), ...requestsLost(record, submitted)];
}

function spansOf(record: SapSpoolOperation[]): Span[] {
  const finished = new Map<string, number>();
  for (const e of record) if (e.operation === 'finish' && !finished.has(`${e.host}/${e.target}`)) finished.set(`${e.host}/${e.target}`, Date.parse(e.time));
  return record
    .filter((e) => e.operation === 'dispatch' && e.outcome === 'started')
    .map((e) => {
      const from = Date.parse(e.time);
      const to = typeof e.seconds === 'number' ? from + e.seconds * 1000 : (finished.get(`${e.host}/${e.target}`) ?? Number.POSITIVE_INFINITY);
      return { id: e.target, server: e.host, workProcess: e.workProcess ?? -1, task: e.task ?? '?', device: e.device, sequence: e.sequence, from, to };
    });
}

function outputTwice(record: SapSpoolOperation[]): InvariantBreak[] {
  const counts = new Map<string, number>();
  for (const e of record) {
    if ((e.operation === 'dispatch' && e.outcome === 'started') || e.operation === 'finish') {
      const k = `${e.operation} ${e.host}/${e.target}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return [...counts.entries()].filter(([, n]) => n > 1).map(([k, n]) => ({ invariant: 'sap-output-twice' as const, detail: `${k} ${n} times` }));
}

/** Pairs of spans of one group that run at the same time (the later begun before the earlier ended). */
function overlaps(spans: Span[]): [Span, Span][] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const pairs: [Span, Span][] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [a, b] = [sorted[i] as Span, sorted[j] as Span];
      if (b.from < a.to) pairs.push([a, b]);
    }
  }
  return pairs;
}

function groupBy(spans: Span[], keyOf: (s: Span) => string | undefined): Span[][] {
  const groups = new Map<string, Span[]>();
  for (const s of spans) {
    const k = keyOf(s);
    if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()];
}

const describe = ([a, b]: [Span, Span]) => `${a.id} (${a.server} wp ${a.workProcess}) and ${b.id} (${b.server} wp ${b.workProcess}) at once`;

function workProcessesBusyTwice(spans: Span[]): InvariantBreak[] {
  return groupBy(spans, (s) => `${s.server}#${s.workProcess}`)
    .flatMap(overlaps)
    .map((pair) => ({ invariant: 'sap-work-process-busy-twice' as const, detail: describe(pair) }));
}

function managementTwice(spans: Span[]): InvariantBreak[] {
  const local = groupBy(spans, (s) => (s.task !== 'output' && !GLOBAL.includes(s.task) ? `${s.server}#${s.task}` : undefined)).flatMap(overlaps);
  const global = groupBy(spans, (s) => (GLOBAL.includes(s.task) ? 'global' : undefined)).flatMap(overlaps);
  return [...local, ...global].map((pair) => ({ invariant: 'sap-management-twice' as const, detail: describe(pair) }));
}

function sequencesKept(spans: Span[], submitted: SapSubmissions): InvariantBreak[] {
  const atOnce = groupBy(spans, (s) => (s.sequence === true ? `${s.server}/${s.device ?? ''}` : undefined))
    .flatMap(overlaps)
    .map((pair) => ({ invariant: 'sap-sequence-broken' as const, detail: `device ${pair[0].device ?? '?'}: ${describe(pair)}` }));
  const order = Object.entries(submitted.sequences).flatMap(([device, ids]) => {
    const begun = spans.filter((s) => `${s.server}/${s.device ?? ''}` === device && ids.includes(s.id)).sort((a, b) => a.from - b.from).map((s) => s.id);
    const expected = ids.filter((id) => begun.includes(id));
    return begun.join(' ') === expected.join(' ') ? [] : [{ invariant: 'sap-sequence-broken' as const, detail: `device ${device}: begun ${begun.join(', ')}; submitted ${expected.join(', ')}` }];
  });
  return [...atOnce, ...order];
}

function requestsLost(record: SapSpoolOperation[], submitted: SapSubmissions): InvariantBreak[] {
  const printed = new Set(record.filter((e) => e.operation === 'finish' && e.outcome === 'printed').map((e) => e.target));
  const lost = submitted.outputs.filter((id) => !printed.has(id));
  return lost.length === 0 ? [] : [{ invariant: 'sap-request-lost', detail: `${lost.length} accepted output requests never printed: ${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ', ...' : ''}` }];
}
