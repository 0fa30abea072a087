/**
 * The chaos run's SAP spool checker (chaos/sap-invariants.ts) finds a request output twice, a work
 * process busy twice, two local or global management tasks at once, a sequence device's requests
 * at once or out of order (also across a shutdown's move to the other server), a request printed
 * on both servers, and an accepted request never printed, in hand-made spool server records; and
 * finds nothing in a clean run of two sequence requests in order beside a request without a
 * sequence and a host spool demand, one with a late finish line after a kill. A shutdown of the
 * run must have ended, with no request refused by the other server.
 */
import type { SapSpoolOperation } from '../../simulator/sap/sim-spool-servers';
import { sapBreaks, sapShutdownBreaks, type SapSubmissions } from '../../chaos/sap-invariants';
import type { SpoolServerShutdown } from '../../machines/sap/spool-shutdown';

const T0 = Date.UTC(2026, 0, 10);
const started = (ms: number, id: string, workProcess: number, seconds: number | null, more: Partial<SapSpoolOperation> = {}): SapSpoolOperation => ({
  time: new Date(T0 + ms).toISOString(),
  host: 'spool1',
  system: 'prd',
  operation: 'dispatch',
  target: id,
  outcome: 'started',
  workProcess,
  task: 'output',
  seconds,
  ...more,
});
const finished = (ms: number, id: string, outcome = 'printed', host = 'spool1'): SapSpoolOperation => ({ time: new Date(T0 + ms).toISOString(), host, system: 'prd', operation: 'finish', target: id, outcome });
const seq = { device: 'lp01', sequence: true };

const cleanRecord = (): SapSpoolOperation[] => [
  started(0, 'r1', 0, 2, seq),
  started(100, 'r9', 1, 2, { device: 'lp10', sequence: false }),
  started(200, 'demand-1', 2, 3, { task: 'host-spool-demand' }),
  // r1's finish line comes late (its worker was killed): r2 begins after it, on the same work process.
  finished(9000, 'r1'),
  finished(2100, 'r9'),
  finished(3200, 'demand-1', 'done'),
  started(9100, 'r2', 0, 2, seq),
  finished(11_100, 'r2'),
];
const submitted = (): SapSubmissions => ({ outputs: ['r1', 'r2', 'r9'], sequences: { lp01: ['r1', 'r2'] } });
const kinds = (record: SapSpoolOperation[], sub = submitted()) => sapBreaks(record, sub).map((b) => b.invariant);

test('sequence requests in order one at a time, a request without sequence and a demand beside them: no break', () => {
  expect(kinds(cleanRecord())).toEqual([]);
});

test('a request begun or printed twice is a break', () => {
  expect(kinds([...cleanRecord(), started(20_000, 'r9', 3, 2, { device: 'lp10', sequence: false })])).toEqual(['sap-output-twice']);
  expect(kinds([...cleanRecord(), finished(20_000, 'r9')])).toEqual(['sap-output-twice']);
});

test('a work process given a task while it runs another is a break', () => {
  expect(kinds([...cleanRecord(), started(500, 'r10', 1, 2, { device: 'lp11', sequence: false }), finished(2500, 'r10')], { ...submitted(), outputs: [...submitted().outputs, 'r10'] })).toEqual(['sap-work-process-busy-twice']);
});

test('two host spool demands of one server at once, or two global tasks in the system at once, is a break; on two servers the local ones are not', () => {
  const demand2 = (host: string) => started(1000, 'demand-2', 3, 3, { task: 'host-spool-demand', host });
  expect(kinds([...cleanRecord(), demand2('spool1')])).toEqual(['sap-management-twice']);
  expect(kinds([...cleanRecord(), demand2('spool2')])).toEqual([]);
  const scan = (id: string, host: string, ms: number) => started(ms, id, 4, 5, { task: 'scan-lost-requests', host });
  expect(kinds([...cleanRecord(), scan('scan-1', 'spool1', 0), scan('scan-2', 'spool2', 4000)])).toEqual(['sap-management-twice']);
  expect(kinds([...cleanRecord(), scan('scan-1', 'spool1', 0), scan('scan-2', 'spool2', 6000)])).toEqual([]);
});

test('a hanging task holds its work process until its finish line', () => {
  const hangs = [started(0, 'link-9', 4, null, { task: 'link-check' }), finished(60_000, 'link-9', 'done')];
  expect(kinds([...cleanRecord(), ...hangs, started(30_000, 'r11', 4, 2, { device: 'lp10', sequence: false }), finished(32_000, 'r11')], { ...submitted(), outputs: [...submitted().outputs, 'r11'] })).toEqual(['sap-work-process-busy-twice']);
});

test('a sequence device\'s requests at once, or begun out of their order, is a break', () => {
  const atOnce = cleanRecord().map((e) => (e.target === 'r2' && e.operation === 'dispatch' ? { ...e, time: new Date(T0 + 500).toISOString(), workProcess: 3 } : e));
  expect(kinds(atOnce)).toEqual(['sap-sequence-broken']);
  expect(kinds(cleanRecord(), { ...submitted(), sequences: { lp01: ['r2', 'r1'] } })).toEqual(['sap-sequence-broken']);
});

test('a sequence device\'s request moved at a shutdown prints on the other server after the one still printing, in order; beside it or out of order is a break', () => {
  const moved = (ms: number) => cleanRecord().map((e) => (e.target === 'r2' ? { ...e, host: 'spool2', ...(e.operation === 'dispatch' ? { time: new Date(T0 + ms).toISOString() } : {}) } : e));
  expect(kinds(moved(9100))).toEqual([]);
  // Begun on spool2 while r1 still printed on spool1: the move did not wait for the device.
  expect(kinds(moved(500))).toEqual(['sap-sequence-broken']);
  // r3 moved too, and begun before r2 on the other server.
  const r3 = [started(9000, 'r3', 1, 0.05, { ...seq, host: 'spool2' }), finished(9050, 'r3', 'printed', 'spool2')];
  expect(kinds([...moved(9100), ...r3], { outputs: ['r1', 'r2', 'r3', 'r9'], sequences: { lp01: ['r1', 'r2', 'r3'] } })).toEqual(['sap-sequence-broken']);
});

test('a request begun or printed on both servers (moved at a shutdown, yet begun where it was) is a break', () => {
  expect(kinds([...cleanRecord(), started(20_000, 'r9', 3, 2, { device: 'lp10', sequence: false, host: 'spool2' })])).toEqual(['sap-output-twice']);
  expect(kinds([...cleanRecord(), finished(20_000, 'r9', 'printed', 'spool2')])).toEqual(['sap-output-twice']);
});

describe('a spool server shut down in the run', () => {
  const ended = (more: Partial<SpoolServerShutdown> = {}): SpoolServerShutdown => ({ phase: 'shut-down', reassignTo: 'spool2', askedAt: '2026-01-10T00:00:10.000Z', reassigned: 7, notReassigned: [], ...more });
  const run = (shutdown: SpoolServerShutdown | null | undefined, accepted = true) => sapShutdownBreaks({ server: 'spool1', to: 'spool2', accepted, shutdown, returnPlanned: false, returned: false });
  const back = (shutdown: SpoolServerShutdown | null | undefined, lastShutdown: SpoolServerShutdown | undefined, returned = true) =>
    sapShutdownBreaks({ server: 'spool1', to: 'spool2', accepted: true, shutdown, returnPlanned: true, returned, ...(lastShutdown ? { lastShutdown: { ...lastShutdown, returnedAt: '2026-01-10T00:01:00.000Z' } } : {}) });

  test('ended with every request moved: no break', () => {
    expect(run(ended())).toEqual([]);
  });

  test('still holding at the end, never accepted, without a shutdown or unread is unfinished, saying why', () => {
    expect(run(ended({ phase: 'holding', lastFailure: 'spool server spool2 runs no dispatcher' }))).toEqual([{ invariant: 'sap-shutdown-unfinished', detail: 'spool1 to spool2: still holding (spool server spool2 runs no dispatcher)' }]);
    expect(run(undefined, false).map((b) => b.detail)).toEqual(['spool1 to spool2: the shutdown was never accepted']);
    expect(run(null).map((b) => b.invariant)).toEqual(['sap-shutdown-unfinished']);
    expect(run(undefined).map((b) => b.invariant)).toEqual(['sap-shutdown-unfinished']);
  });

  test('brought back into service: in service at the end with the shutdown ended is no break; still shut down, unanswered or without the ended one is unfinished', () => {
    expect(back(null, ended())).toEqual([]);
    expect(back(ended(), ended()).map((b) => b.detail)).toEqual(['spool1 to spool2: brought back, yet shut-down again']);
    expect(back(ended(), undefined, false).map((b) => b.detail)).toEqual(['spool1 to spool2: its return to service was never answered']);
    // A move that never ended says so, with its last failure, before the return it kept from coming.
    expect(back(ended({ phase: 'holding', lastFailure: 'spool server spool2 runs no dispatcher' }), undefined, false).map((b) => b.detail)).toEqual(['spool1 to spool2: still holding (spool server spool2 runs no dispatcher)']);
    expect(back(null, undefined).map((b) => b.detail)).toEqual(['spool1 to spool2: brought back, yet its status keeps no ended shutdown']);
    expect(back(null, ended({ notReassigned: [{ id: 'r4', device: 'lp01', reason: 'held back' }] })).map((b) => b.invariant)).toEqual(['sap-request-not-reassigned']);
  });

  test('a request the other server refused is a break naming it', () => {
    const breaks = run(ended({ notReassigned: [{ id: 'r4', device: 'lp01', reason: 'held back' }], notReassignedCount: 1 }));
    expect(breaks.map((b) => b.invariant)).toEqual(['sap-request-not-reassigned']);
    expect(breaks[0]?.detail).toContain('r4');
  });
});

test('an accepted request never printed is lost', () => {
  expect(kinds(cleanRecord(), { ...submitted(), outputs: [...submitted().outputs, 'r12'] })).toEqual(['sap-request-lost']);
});
