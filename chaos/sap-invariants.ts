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
 * - no request output twice: each task begun once (`started`) and finished once, on one server
 *   (a request moved at a spool server's shutdown prints on the other one only);
 * - a work process does one task at a time;
 * - local management: each local task by at most one work process of its server at a time;
 *   global management: at most one global task in the whole system at a time;
 * - devices with a set sequence: their requests run one at a time, begun in the order they were
 *   submitted (a device is given to one spool server, whose dispatcher keeps its order, and after
 *   that server's shutdown to the server its requests went to, after them);
 * - no request lost: every output request the dispatchers accepted was printed by the end;
 * - a spool server shut down in the run ended its shutdown (`shut-down`, its requests moved), and
 *   the other server refused none of them (both have the same release and devices); brought back
 *   into service, it is in service at the end with that shutdown ended.
 */
import type { SapSpoolOperation } from '../simulator/sap/sim-spool-servers';
import type { SpoolServerShutdown } from '../machines/sap/spool-shutdown';
import type { EndedShutdown } from '../machines/sap/spool-server-return';
import { GLOBAL_MANAGEMENT_TASKS } from '../machines/sap/spool-releases';
import type { InvariantBreak } from './invariants';

/** The output requests the run submitted and the dispatcher accepted, per sequence device in submission order. */
export interface SapSubmissions {
  /** Every accepted output request's id. */
  outputs: string[];
  /** Per device with a set sequence, its requests' ids in the order they were submitted. */
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

/** A task begun or finished more than once, on one server or on two (a task's id is its own across the system). */
function outputTwice(record: SapSpoolOperation[]): InvariantBreak[] {
  const hosts = new Map<string, string[]>();
  for (const e of record) {
    if ((e.operation === 'dispatch' && e.outcome === 'started') || e.operation === 'finish') {
      const k = `${e.operation} ${e.target}`;
      hosts.set(k, [...(hosts.get(k) ?? []), e.host]);
    }
  }
  return [...hosts.entries()].filter(([, on]) => on.length > 1).map(([k, on]) => ({ invariant: 'sap-output-twice' as const, detail: `${k} ${on.length} times (on ${on.join(', ')})` }));
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
  const atOnce = groupBy(spans, (s) => (s.sequence === true ? (s.device ?? '') : undefined))
    .flatMap(overlaps)
    .map((pair) => ({ invariant: 'sap-sequence-broken' as const, detail: `device ${pair[0].device ?? '?'}: ${describe(pair)}` }));
  const order = Object.entries(submitted.sequences).flatMap(([device, ids]) => {
    const begun = spans.filter((s) => s.device === device && ids.includes(s.id)).sort((a, b) => a.from - b.from).map((s) => s.id);
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

/** A spool server the run shut down, its requests to go to `to`: what it was asked, and its shutdown as its dispatcher says at the end. */
export interface SapShutdownOfRun {
  server: string;
  to: string;
  /** Whether the dispatcher accepted the shutdown during the run. */
  accepted: boolean;
  /** Its status's shutdown at the end (null: none; undefined: the status could not be read). */
  shutdown: SpoolServerShutdown | null | undefined;
  /** Whether the operator was to bring it back into service once it was shut down, and did. */
  returnPlanned: boolean;
  returned: boolean;
  /** The shutdown the return ended, as the status keeps it. */
  lastShutdown?: EndedShutdown;
}

/**
 * The shutdown ended (its requests moved, the server refusing new tasks), or, brought back, the
 * server is in service with that shutdown ended; and the other server refused none of its
 * requests: both have one release and the same devices, so a refused request would be a request
 * not printed for no reason of the estate's.
 */
export function sapShutdownBreaks(run: SapShutdownOfRun): InvariantBreak[] {
  const unfinished = (why: string): InvariantBreak[] => [{ invariant: 'sap-shutdown-unfinished', detail: `${run.server} to ${run.to}: ${why}` }];
  if (!run.accepted) return unfinished('the shutdown was never accepted');
  if (run.shutdown === undefined) return unfinished('its status could not be read at the end');
  // A move that never ended says so first (with its last failure), whether or not a return was planned.
  if (!run.returned && run.shutdown !== null && run.shutdown.phase !== 'shut-down') return unfinished(`still ${run.shutdown.phase}${run.shutdown.lastFailure ? ` (${run.shutdown.lastFailure})` : ''}`);
  if (run.returnPlanned && !run.returned) return unfinished('its return to service was never answered');
  let ended: SpoolServerShutdown;
  if (run.returned) {
    if (run.shutdown !== null) return unfinished(`brought back, yet ${run.shutdown.phase} again`);
    if (!run.lastShutdown) return unfinished('brought back, yet its status keeps no ended shutdown');
    ended = run.lastShutdown;
  } else {
    if (run.shutdown === null) return unfinished('its dispatcher has no shutdown (started again?)');
    ended = run.shutdown;
  }
  if (ended.phase !== 'shut-down') return unfinished(`still ${ended.phase}${ended.lastFailure ? ` (${ended.lastFailure})` : ''}`);
  const refused = ended.notReassignedCount ?? ended.notReassigned.length;
  if (refused === 0) return [];
  const some = ended.notReassigned.slice(0, 5).map((r) => JSON.stringify(r)).join('; ');
  return [{ invariant: 'sap-request-not-reassigned', detail: `${run.server} to ${run.to}: ${refused} requests refused by ${ended.reassignTo}: ${some}` }];
}
