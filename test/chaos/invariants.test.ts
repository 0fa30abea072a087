/**
 * The chaos run's invariant checker (chaos/invariants.ts) finds each break in hand-made operation
 * records (the SPOC hosts' and the JobScheduler clusters'), and finds none in a clean one-at-a-time
 * restart beside a clean cluster option change.
 */
import type { OperationRecordEntry } from '../../simulator/core/operation-record';
import type { SchedulerOperationEntry } from '../../simulator/jobscheduler/scheduler-operation-record';
import { invariantBreaks, systemOf, type ProcedureOfRun, type RunObservation } from '../../chaos/invariants';

const SPOC = 'Dispatcher Paragon Spooler Controller';
const MOBILE = 'Dispatcher Paragon Mobile Print Server';
let tick = 0;
const at = (host: string, operation: string, target: string, outcome = 'accepted'): OperationRecordEntry => ({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString(), host, operation, target, outcome });

const restart: ProcedureOfRun = { workflowId: 'chaos-london', procedureId: 'restart-group-without-cache-deletion', hosts: ['a', 'b'], oneAtATime: ['a', 'b'], restartsOs: false, deletesCache: false, ending: 'completed', output: { leftStopped: {}, couldNotStart: {} } };

/** Each member stopped and started again in turn: the record of a clean restart. */
const cleanRecord = (): OperationRecordEntry[] => [at('a', 'stop-service', SPOC), at('a', 'start-service', SPOC), at('b', 'stop-service', SPOC), at('b', 'start-service', SPOC)];

const BERLIN = ['js-berlin-1', 'js-berlin-2', 'js-berlin-3'];
const member = (m: string, operation: SchedulerOperationEntry['operation'], outcome: string, more: Partial<SchedulerOperationEntry> = {}): SchedulerOperationEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString(),
  host: m,
  member: m,
  target: m,
  operation,
  outcome,
  ...more,
});
/**
 * berlin's primary active in epoch 1 and running an order's first node; the backup js-berlin-3
 * stopped and started again with its new option; then a failover to js-berlin-2 (epoch 2), which
 * runs the order's second node; munich runs one step of an order.
 */
const cleanSchedulerRecord = (): SchedulerOperationEntry[] => [
  member('js-berlin-1', 'activate-member', 'activated', { epoch: 1 }),
  member('js-berlin-1', 'run-job', 'ran', { epoch: 1, order: 'o1', step: 0 }),
  member('js-berlin-3', 'stop-member', 'terminated'),
  member('js-berlin-3', 'start-member', 'started', { target: '-exclusive -backup -backup-precedence=3' }),
  member('js-berlin-1', 'kill-member', 'killed'),
  member('js-berlin-2', 'activate-member', 'activated', { epoch: 2 }),
  member('js-berlin-2', 'run-job', 'ran', { epoch: 2, order: 'o1', step: 1 }),
  member('js-munich-1', 'run-step', 'done', { order: 'etl-1', step: 0, attempt: 1 }),
];
const optionChange: ProcedureOfRun = { workflowId: 'chaos-berlin', procedureId: 'set-cluster-option', hosts: ['js-berlin-3'], member: 'js-berlin-3', restartsOs: false, deletesCache: false, ending: 'completed', output: { leftStopped: false } };

function observation(over: Partial<RunObservation> = {}): RunObservation {
  return {
    record: cleanRecord(),
    procedures: [restart, optionChange],
    runningBefore: { a: [SPOC], b: [SPOC] },
    servicesAfter: { a: { [SPOC]: 'RUNNING' }, b: { [SPOC]: 'RUNNING' } },
    leasesHeld: [],
    schedulerRecord: cleanSchedulerRecord(),
    passiveMembers: BERLIN,
    ...over,
  };
}
const kinds = (run: RunObservation) => invariantBreaks(run).map((b) => b.invariant);

test('a clean one-at-a-time restart and a clean cluster option change with a failover break nothing', () => {
  expect(invariantBreaks(observation())).toEqual([]);
});

test('two members of a one-at-a-time group down at once is a break; in the restart with cache deletion it is the plan', () => {
  const record = [at('a', 'stop-service', SPOC), at('b', 'stop-service', SPOC), at('a', 'start-service', SPOC), at('b', 'start-service', SPOC)];
  expect(kinds(observation({ record }))).toEqual(['two-members-down']);
  expect(kinds(observation({ record, procedures: [{ ...restart, procedureId: 'restart-group-with-cache-deletion', oneAtATime: undefined }, optionChange] }))).toEqual([]);
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
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [reported, optionChange] }))).toEqual([]);
});

test('a group service the runbook leaves stopped (a SPOC removed from its group) is no break; another service so stopped is', () => {
  const GROUP = 'Dispatcher Paragon Spooler Controller Group Service';
  const record = [...cleanRecord(), at('b', 'stop-service', GROUP)];
  const servicesAfter = { a: { [SPOC]: 'RUNNING' }, b: { [SPOC]: 'RUNNING', [GROUP]: 'STOPPED' } };
  const runningBefore = { a: [SPOC], b: [SPOC, GROUP] };
  const removal: ProcedureOfRun = { ...restart, procedureId: 'remove-spoc-from-group', oneAtATime: undefined, deletesCache: true, intentionallyStopped: { b: [GROUP] } };
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [removal, optionChange] }))).toEqual([]);
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [{ ...removal, intentionallyStopped: { a: [GROUP] } }, optionChange] }))).toEqual(['left-stopped', 'left-stopped']);
  // A SPOC moved in two steps is standalone between them: left so only by a move that did not complete.
  const move: ProcedureOfRun = { ...removal, procedureId: 'move-spoc-to-another-group', intentionallyStopped: undefined, stoppedUnlessCompleted: { b: [GROUP] } };
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [{ ...move, ending: 'aborted' }, optionChange] }))).toEqual([]);
  expect(kinds(observation({ record, servicesAfter, runningBefore, procedures: [move, optionChange] }))).toEqual(['left-stopped', 'left-stopped']);
});

test('a start the host accepted but that never completed shows in the hosts\' state at the end', () => {
  expect(kinds(observation({ servicesAfter: { a: { [SPOC]: 'START_PENDING' }, b: { [SPOC]: 'RUNNING' } } }))).toEqual(['left-stopped']);
});

test('a completed step done again is a break: a second stop, a second OS restart or cache deletion of a host', () => {
  expect(kinds(observation({ record: [at('a', 'stop-service', SPOC), at('a', 'stop-service', SPOC), at('a', 'start-service', SPOC)] }))).toEqual(['step-repeated']);
  const osRestart = { ...restart, procedureId: 'restart-os-of-group-members', restartsOs: true };
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'restart-os', 'Windows')], procedures: [osRestart, optionChange] }))).toEqual([]);
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'restart-os', 'Windows'), at('a', 'restart-os', 'Windows')], procedures: [osRestart, optionChange] }))).toEqual(['step-repeated']);
  expect(kinds(observation({ record: [...cleanRecord(), at('a', 'delete-cache', 'C:\\cache', 'deleted')] }))).toEqual(['step-repeated']);
});

test('a lease still held after the procedures ended, and a procedure that failed or never ended, are breaks', () => {
  expect(kinds(observation({ leasesHeld: ['spoolflow-lease:spoc-group:london'] }))).toEqual(['lease-held']);
  expect(kinds(observation({ procedures: [{ ...restart, ending: 'failed: LeaseHeldError', output: undefined }, optionChange] }))).toEqual(['procedure-not-ended']);
});

test('two members of a passive cluster active in one epoch is a break, whether the record shows an activation or a member acting', () => {
  const activatedTwice = [...cleanSchedulerRecord(), member('js-berlin-3', 'activate-member', 'activated', { epoch: 2 })];
  expect(kinds(observation({ schedulerRecord: activatedTwice }))).toEqual(['two-members-active']);
  const fencedButActing = [...cleanSchedulerRecord(), member('js-berlin-1', 'run-job', 'ran', { epoch: 2, target: 'housekeeping' })];
  expect(kinds(observation({ schedulerRecord: fencedButActing }))).toEqual(['two-members-active']);
  // A fenced member's refused write is the fence working, and an active cluster has no single active member.
  const refused = [...cleanSchedulerRecord(), member('js-berlin-1', 'run-job', 'refused', { epoch: 2 }), member('js-munich-2', 'run-step', 'done', { order: 'etl-1', step: 1, attempt: 1, epoch: 2 })];
  expect(kinds(observation({ schedulerRecord: refused }))).toEqual([]);
});

test('an order step counted twice is a break, in a passive cluster (a node run again) and in an active one (a step done again)', () => {
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), member('js-berlin-2', 'run-job', 'ran', { epoch: 2, order: 'o1', step: 0 })] }))).toEqual(['order-step-counted-twice']);
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), member('js-munich-2', 'run-step', 'done', { order: 'etl-1', step: 0, attempt: 2 })] }))).toEqual(['order-step-counted-twice']);
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), member('js-munich-2', 'run-step', 'already-done', { order: 'etl-1', step: 0, attempt: 2 })] }))).toEqual([]);
});

test('a member stopped and not started again is a break unless the option change reports it left stopped', () => {
  const stoppedAgain = [...cleanSchedulerRecord(), member('js-berlin-3', 'stop-member', 'terminated')];
  expect(kinds(observation({ schedulerRecord: stoppedAgain }))).toEqual(['member-not-started-again']);
  const reported = { ...optionChange, ending: 'aborted', output: { leftStopped: true } };
  expect(kinds(observation({ schedulerRecord: stoppedAgain, procedures: [restart, reported] }))).toEqual([]);
  // The backup terminated when the primary is back (fenced for that first) is the source's rule; a later stop of it is owed a start again
  // (chaos seed 7019: the supervisor's retried termination ended the backup its host had started again since; fixed in terminateMember).
  const handBack = [...cleanSchedulerRecord(), member('js-berlin-1', 'start-member', 'started'), member('js-berlin-2', 'fence-member', 'fenced', { epoch: 3, reason: 'the primary is back' }), member('js-berlin-2', 'stop-member', 'terminated')];
  expect(kinds(observation({ schedulerRecord: handBack }))).toEqual([]);
  expect(kinds(observation({ schedulerRecord: [...handBack, member('js-berlin-2', 'start-member', 'started'), member('js-berlin-2', 'stop-member', 'terminated')] }))).toEqual(['member-not-started-again']);
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), member('js-berlin-2', 'fence-member', 'fenced', { epoch: 3, reason: 'stopped heartbeating while active' }), member('js-berlin-2', 'stop-member', 'terminated')] }))).toEqual(['member-not-started-again']);
  // A kill is a crash, not a stop: the supervisor fails over, nobody owes it a start.
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), member('js-berlin-2', 'kill-member', 'killed')] }))).toEqual([]);
});

test('a submitted order with a node never run by the end is lost, across berlin\'s failover or in munich', () => {
  // The clean record: berlin's o1 ran nodes 0 and 1, munich's etl-1 step 0.
  expect(kinds(observation({ submittedOrders: [{ order: 'o1', steps: 2 }, { order: 'etl-1', steps: 1 }] }))).toEqual([]);
  expect(kinds(observation({ submittedOrders: [{ order: 'o1', steps: 3 }] }))).toEqual(['order-lost']);
  expect(kinds(observation({ submittedOrders: [{ order: 'etl-2', steps: 3 }] }))).toEqual(['order-lost']);
  // A refused write (a fenced member) does not count as the node run.
  const refusedOnly = [member('js-berlin-1', 'run-job', 'refused', { epoch: 1, order: 'o2', step: 0 })];
  expect(kinds(observation({ schedulerRecord: [...cleanSchedulerRecord(), ...refusedOnly], submittedOrders: [{ order: 'o2', steps: 1 }] }))).toEqual(['order-lost']);
});

test('each break is counted for its system in the summary', () => {
  expect(['two-members-down', 'order-lost', 'print-job-lost', 'spool-job-lost', 'sap-request-lost'].map((i) => systemOf(i as never))).toEqual(['spoc', 'jobscheduler', 'flexispooler', 'spoolcleaning', 'sap']);
});
