/**
 * The chaos run's FlexiSpooler checker (chaos/flexispooler-invariants.ts) finds a job held twice,
 * printed twice, or neither printed nor reported, in hand-made network records, and finds nothing
 * in a clean failover: sc-lon-1 unreachable, sc-lon-2 takes the job, a lost answer delivers it
 * again (`already-held`), the user prints it once.
 */
import type { FlexiSpoolerOperationEntry } from '../../simulator/flexispooler/flexispooler-operation-record';
import { flexiSpoolerBreaks, type PrintJobOfRun } from '../../chaos/flexispooler-invariants';

let tick = 0;
const line = (operation: FlexiSpoolerOperationEntry['operation'], server: string, outcome: string, job: string | null = 'j1'): FlexiSpoolerOperationEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString(),
  client: 'laptop-cleo',
  job,
  operation,
  server,
  outcome,
});

const cleanFailover = (): FlexiSpoolerOperationEntry[] => [
  line('dhcp-option-9', 'office-london', 'sc-lon-1 sc-lon-2', null),
  line('deliver-to-spooler-controller', 'sc-lon-1', 'unreachable'),
  line('deliver-to-spooler-controller', 'sc-lon-2', 'accepted'),
  line('deliver-to-spooler-controller', 'sc-lon-2', 'already-held'),
  line('print', 'sc-lon-2', 'printed at printer-lon-1 (london)'),
  line('print', 'sc-lon-2', 'already-printed'),
];
const printed: PrintJobOfRun = { jobId: 'j1', workflowId: 'flexispooler-job-laptop-cleo-j1', ending: 'printed', output: { outcome: 'printed', release: { printer: 'printer-lon-1' }, heldOn: { server: 'sc-lon-2' } } };
const kinds = (record: FlexiSpoolerOperationEntry[], jobs: PrintJobOfRun[] = [printed]) => flexiSpoolerBreaks(record, jobs).map((b) => b.invariant);

test('a failover with a repeated delivery and a repeated release, printed once, breaks nothing', () => {
  expect(kinds(cleanFailover())).toEqual([]);
});

test('a job taken by two servers is a break, through a Spooler Controller or the public server', () => {
  expect(kinds([...cleanFailover(), line('deliver-to-spooler-controller', 'sc-lon-1', 'accepted')])).toEqual(['print-job-held-twice']);
  expect(kinds([...cleanFailover(), line('deliver-through-public-server', 'flexi-public -> flexi-dc-1', 'accepted')])).toEqual(['print-job-held-twice']);
});

test('a job printed twice is a break', () => {
  expect(kinds([...cleanFailover(), line('print', 'sc-lon-2', 'printed at printer-prg-1 (prague)')])).toEqual(['print-job-printed-twice']);
});

test('a job neither printed nor reported is lost, and so is one a delivery says printed that the network never printed', () => {
  const waiting: PrintJobOfRun = { jobId: 'j2', workflowId: 'flexispooler-job-laptop-cleo-j2', ending: 'still waiting' };
  expect(kinds(cleanFailover(), [printed, waiting])).toEqual(['print-job-lost']);
  const notPrinted = cleanFailover().filter((e) => e.operation !== 'print');
  expect(kinds(notPrinted)).toEqual(['print-job-lost']);
  // Printed at another printer than the delivery says.
  expect(kinds(cleanFailover(), [{ ...printed, output: { outcome: 'printed', release: { printer: 'printer-bts-1' } } }])).toEqual(['print-job-lost']);
});

test('a cancelled job printed afterwards is a break unless the result named the server that may hold it', () => {
  const cancelled = (mayBeHeldOn: string[]): PrintJobOfRun => ({ ...printed, ending: 'cancelled', output: { outcome: 'cancelled', mayBeHeldOn } });
  expect(kinds(cleanFailover(), [cancelled([])])).toEqual(['print-job-lost']);
  expect(kinds(cleanFailover(), [cancelled(['sc-lon-2'])])).toEqual([]);
  expect(kinds(cleanFailover().filter((e) => e.operation !== 'print'), [cancelled([])])).toEqual([]);
});

test('an unwatched job printed later is fine from the server its result names, a break from any other, and fine unprinted', () => {
  const unwatched = (server: string): PrintJobOfRun => ({ ...printed, ending: 'unwatched', output: { outcome: 'unwatched', release: null, heldOn: { server } } });
  expect(kinds(cleanFailover(), [unwatched('sc-lon-2')])).toEqual([]);
  expect(kinds(cleanFailover(), [unwatched('sc-lon-1')])).toEqual(['print-job-lost']);
  expect(kinds(cleanFailover().filter((e) => e.operation !== 'print'), [unwatched('sc-lon-2')])).toEqual([]);
});
