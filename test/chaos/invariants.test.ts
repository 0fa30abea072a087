/**
 * The chaos run's invariant checker (chaos/invariants.ts) finds each break in hand-made operation
 * records, and finds none in a clean one-at-a-time restart.
 */
import type { OperationRecordEntry } from '../../simulator/core/operation-record';
import { invariantBreaks, type ProcedureOfRun, type RunObservation } from '../../chaos/invariants';

const SPOC = 'Dispatcher Paragon Spooler Controller';
const MOBILE = 'Dispatcher Paragon Mobile Print Server';
let tick = 0;
const at = (host: string, operation: string, target: string, outcome = 'accepted'): OperationRecordEntry => ({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString(), host, operation, target, outcome });

const restart: ProcedureOfRun = { workflowId: 'chaos-london', procedureId: 'restart-group-without-cache-deletion', hosts: ['a', 'b'], oneAtATime: ['a', 'b'], restartsOs: false, deletesCache: false, ending: 'completed', output: { leftStopped: {}, couldNotStart: {} } };

/** Each member stopped and started again in turn: the record of a clean restart. */
const cleanRecord = (): OperationRecordEntry[] => [at('a', 'stop-service', SPOC), at('a', 'start-service', SPOC), at('b', 'stop-service', SPOC), at('b', 'start-service', SPOC)];

function observation(over: Partial<RunObservation> = {}): RunObservation {
  return { record: cleanRecord(), procedures: [restart], runningBefore: { a: [SPOC], b: [SPOC] }, servicesAfter: { a: { [SPOC]: 'RUNNING' }, b: { [SPOC]: 'RUNNING' } }, leasesHeld: [], ...over };
}
const kinds = (run: RunObservation) => invariantBreaks(run).map((b) => b.invariant);

test('a clean one-at-a-time restart breaks nothing', () => {
  expect(invariantBreaks(observation())).toEqual([]);
});

test('two members of a one-at-a-time group down at once is a break; in the restart with cache deletion it is the plan', () => {
  const record = [at('a', 'stop-service', SPOC), at('b', 'stop-service', SPOC), at('a', 'start-service', SPOC), at('b', 'start-service', SPOC)];
  expect(kinds(observation({ record }))).toEqual(['two-members-down']);
  expect(kinds(observation({ record, procedures: [{ ...restart, procedureId: 'restart-group-with-cache-deletion', oneAtATime: undefined }] }))).toEqual([]);
});

test('a protected service or one not of the vendor stopped by a procedure is a break; Windows stopping it for a restart is not', () => {
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'stop-service', 'Dispatcher Paragon Management Service'), at('a', 'start-service', 'Dispatcher Paragon Management Service')] }))).toEqual(['protected-touched', 'protected-touched']);
  expect(kinds(observation({ record: [...cleanRecord(), at('b', 'start-service', 'Print Spooler', 'already-running')] }))).toEqual(['protected-touched']);
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'stop-service', 'Dispatcher Paragon Bundled Etcd', 'stopped-by-os'), at('a', 'start-service', 'Dispatcher Paragon Bundled Etcd', 'started-by-os')] }))).toEqual([]);
});

test('a service stopped and not started again is a break unless the result reports it', () => {
  const record = [...cleanRecord(), at('b', 'stop-service', MOBILE)];
  const servicesAfter = { a: { [SPOC]: 'RUNNING' }, b: { [SPOC]: 'RUNNING', [MOBILE]: 'STOPPED' } };
  const runningBefore = { a: [SPOC], b: [SPOC, MOBILE] };
  expect(kinds(observation({ record, servicesAfter, runningBefore }))).toEqual(['left-stopped', 'left-stopped']);
  const reported = { ...restart, ending: 'aborted', output: { leftStopped: {}, couldNotStart: { b: [{ service: MOBILE }] } } };
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [reported] }))).toEqual([]);
});

test('a start the host accepted but that never completed shows in the hosts\' state at the end', () => {
  expect(kinds(observation({ servicesAfter: { a: { [SPOC]: 'START_PENDING' }, b: { [SPOC]: 'RUNNING' } } }))).toEqual(['left-stopped']);
});

test('a completed step done again is a break: a second stop, a second OS restart or cache deletion of a host', () => {
  expect(kinds(observation({ record: [at('a', 'stop-service', SPOC), at('a', 'stop-service', SPOC), at('a', 'start-service', SPOC)] }))).toEqual(['step-repeated']);
  const osRestart = { ...restart, procedureId: 'restart-os-of-group-members', restartsOs: true };
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'restart-os', 'Windows')], procedures: [osRestart] }))).toEqual([]);
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'restart-os', 'Windows'), at('a', 'restart-os', 'Windows')], procedures: [osRestart] }))).toEqual(['step-repeated']);
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'delete-cache', 'C:\\cache', 'deleted')] }))).toEqual(['step-repeated']);
});

test('a lease still held after the procedures ended, and a procedure that failed or never ended, are breaks', () => {
  expect(kinds(observation({ leasesHeld: ['spoolflow-lease:spoc-group:london'] }))).toEqual(['lease-held']);
  expect(kinds(observation({ procedures: [{ ...restart, ending: 'failed: LeaseHeldError', output: undefined }] }))).toEqual(['procedure-not-ended']);
});
