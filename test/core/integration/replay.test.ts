/**
 * Determinism: every recorded history (test/histories, refreshed by scripts/record-histories.ts)
 * replays against today's workflow code without a nondeterminism error. A change that would break
 * procedures already running fails here.
 */
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflows from '../../../workflows';
import { workflowBundle } from '../../../worker/central-worker';
import { loadRecordedHistories, type RecordedHistory } from '../../helpers/recorded-histories';
import { RUNTIME_V2_PATCH } from '../../../workflows/runtime/runtime-version';
import { ANSWERS_CHECKED_PATCH } from '../../../workflows/runtime/answer-check';
import { ANSWERS_UPDATES_FIRST } from '../../../workflows/sap/spool-server-dispatcher';
import { ATTRIBUTES_ON_CHANGE_PATCH, LOOKS_BESIDE_STARTS_PATCH, LOOKS_WHEN_DUE_PATCH, SPACING_TIMER_PATCH, WATCHES_INHERITED_PATCH } from '../../../workflows/fleet/fleet-rollout-workflow';
import { RELEASES_AS_LAST_ACT_PATCH } from '../../../workflows/procedure-workflow';
import { LEASE_WATCH_QUEUE_PATCH } from '../../../workflows/leases';
import { PAGED_REPORTS_PATCH } from '../../../workflows/spoolcleaning/spooler-reporting-workflow';
import { CENTRAL_TASK_QUEUE, LEASE_WATCH_TASK_QUEUE } from '../../../workflows/task-queues';
import path from 'node:path';
import { STOP_WAITS_FOR_THE_CHANGE } from '../../../machines/jobscheduler/passive-cluster-supervisor';
import { LEASES_BY_CLUSTER_DATABASE } from '../../../machines/procedure-starts';

const histories = loadRecordedHistories();

test('there is a recorded history of every workflow type the workers register', () => {
  // Every export of workflows/index.ts is a workflow type: the procedures, the leases, the
  // rollouts, the spool cleaning and the SAP dispatchers alike (scripts/record-histories.ts).
  const recorded = new Set(histories.map((h) => h.workflowType));
  expect(Object.keys(workflows).filter((type) => !recorded.has(type))).toEqual([]);
});

test('every recorded history replays without a nondeterminism error', async () => {
  const bundle = await workflowBundle();
  const failures: string[] = [];
  const results = Worker.runReplayHistories({ workflowBundle: bundle }, histories.map((h) => ({ workflowId: h.file, history: h.history })));
  for await (const result of results) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});

/** The patches a run's history carries (`wf.patched` markers). */
function patchesOf(recorded: RecordedHistory): string[] {
  return (recorded.history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

test("both versions of the runtime replay: the older histories run version 1, the '-runtime-v2' ones of a SPOC procedure and a JobScheduler workflow version 2", () => {
  const v2 = histories.filter((h) => patchesOf(h).includes(RUNTIME_V2_PATCH));
  // Histories recorded for a later change (scripts/record-behaviour-change-histories.ts) run version 2 as every new run does.
  const recordedSince = (file: string) => /-runtime-v2(--run\d+)?\.json$/.test(file) || file.startsWith('supervisePassiveCluster--stopped-during-the-return-to-the-primary');
  expect(v2.map((h) => h.file)).toEqual(histories.filter((h) => recordedSince(h.file)).map((h) => h.file));
  expect(v2.map((h) => h.workflowType)).toEqual(expect.arrayContaining(['restartGroupWithoutCacheDeletion', 'setClusterOption']));
  expect(histories.length - v2.length).toBeGreaterThan(v2.length);
});

test("both lease histories replay: the one watching its holder on the lease-watch queue (with the patch) and the one watching on the central queue (without)", () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  const queuesOf = (h: RecordedHistory) => new Set((h.history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : [])));
  const own = byFile('spoolflowLease--released-watched-on-its-own-queue.json')!;
  const central = byFile('spoolflowLease--released.json')!;
  expect(patchesOf(own)).toContain(LEASE_WATCH_QUEUE_PATCH);
  expect(queuesOf(own)).toEqual(new Set([LEASE_WATCH_TASK_QUEUE]));
  expect(patchesOf(central)).not.toContain(LEASE_WATCH_QUEUE_PATCH);
  expect(queuesOf(central)).toEqual(new Set([CENTRAL_TASK_QUEUE]));
});

test("both spooler reporting histories replay: the one listing in pages (with the patch) and the one listing whole (without)", () => {
  const byFile = (name: string) => histories.find((h) => h.file === name)!;
  const activitiesOf = (h: RecordedHistory) => new Set((h.history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [])));
  const paged = byFile('spoolerReporting--paged-reports-deleted-then-ended.json');
  const whole = byFile('spoolerReporting--reported-deleted-then-ended.json');
  expect(patchesOf(paged)).toContain(PAGED_REPORTS_PATCH);
  expect(activitiesOf(paged)).toContain('listSpooledJobsPage');
  expect(activitiesOf(paged)).not.toContain('reportSpooledJobs');
  expect(patchesOf(whole)).not.toContain(PAGED_REPORTS_PATCH);
  expect(activitiesOf(whole)).toContain('reportSpooledJobs');
});

test('a workflow that changed its commands is caught by the replay', async () => {
  const drifted = await bundleWorkflowCode({ workflowsPath: require.resolve('../../fixtures/drifted-workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  const completed = histories.find((h) => h.file === 'restartGroupWithoutCacheDeletion--completed.json');
  if (!completed) throw new Error('no completed history recorded');
  await expect(Worker.runReplayHistory({ workflowBundle: drifted }, completed.history, completed.file)).rejects.toBeInstanceOf(DeterminismViolationError);
});

test("in version 2, an abort's restore on a host is scheduled only once the step it cancelled there has ended (recorded: aborted while a stop runs)", () => {
  const recorded = histories.find((h) => h.file.includes('--aborted-while-a-stop-runs-runtime-v2'));
  const events = recorded?.history.events ?? [];
  const typeOf = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name]] : [])));
  const at = (found: (e: (typeof events)[number]) => boolean) => events.findIndex(found);
  const ended = (e: (typeof events)[number]) =>
    [e.activityTaskCompletedEventAttributes, e.activityTaskCanceledEventAttributes, e.activityTaskFailedEventAttributes, e.activityTaskTimedOutEventAttributes].find((a) => a)?.scheduledEventId;
  const cancelled = at((e) => typeOf.get(String(e.activityTaskCancelRequestedEventAttributes?.scheduledEventId)) === 'stopServices');
  const stopEnded = at((e) => typeOf.get(String(ended(e))) === 'stopServices');
  const restore = at((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startServices');
  expect(cancelled).toBeGreaterThan(0);
  expect(stopEnded).toBeGreaterThan(cancelled);
  expect(restore).toBeGreaterThan(stopEnded);
});

test('a fleet rollout started since its search attributes are written only on change replays, and the older rollout histories replay without that patch', () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-completed.json')!)).toContain(ATTRIBUTES_ON_CHANGE_PATCH);
  expect(patchesOf(byFile('fleetRollout--two-started-together-completed.json')!)).not.toContain(ATTRIBUTES_ON_CHANGE_PATCH);
});

test('a fleet rollout started since it looks at its groups only every pollSeconds replays, and the one that looked at every spaced start replays without that patch', () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-looked-at-every-poll.json')!)).toContain(LOOKS_WHEN_DUE_PATCH);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-completed.json')!)).not.toContain(LOOKS_WHEN_DUE_PATCH);
});

test('a procedure that ends in the task that asks for its leases\' release replays, completed and aborted; the older ones replay their wait for each delivery', () => {
  const lastAct = histories.filter((h) => h.workflowType === 'restartGroupWithoutCacheDeletion' && patchesOf(h).includes(RELEASES_AS_LAST_ACT_PATCH)).map((h) => h.file);
  // The answer-check history was recorded after this patch too.
  expect(lastAct).toEqual([
    'restartGroupWithoutCacheDeletion--aborted-leases-released-as-last-act-runtime-v2.json',
    'restartGroupWithoutCacheDeletion--answer-misfit-halted-then-retried-runtime-v2.json',
    'restartGroupWithoutCacheDeletion--completed-leases-released-as-last-act-runtime-v2.json',
  ]);
  for (const file of lastAct) {
    const events = histories.find((h) => h.file === file)!.history.events ?? [];
    expect(events.some((e) => e.externalWorkflowExecutionSignaledEventAttributes)).toBe(false);
    expect(events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(3);
  }
  const older = histories.find((h) => h.file === 'restartGroupWithoutCacheDeletion--completed-runtime-v2.json')!;
  expect(older.history.events?.some((e) => e.externalWorkflowExecutionSignaledEventAttributes)).toBe(true);
});

test('a fleet rollout started since each spaced start brings its own timer replays, and the one that counted from the confirmation replays without that patch', () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-timed-with-each-start.json')!)).toContain(SPACING_TIMER_PATCH);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-looked-at-every-poll.json')!)).not.toContain(SPACING_TIMER_PATCH);
});

test("a fleet rollout's run that continued as new waits for the ends of the groups the run before started, and replays; its first run and the older hand-overs do not ask", () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  const handedOver = byFile('fleetRollout--handed-over-waits-for-the-groups-before--run2.json')!;
  expect(patchesOf(handedOver)).toContain(WATCHES_INHERITED_PATCH);
  const waits = (handedOver.history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitGroupProcedureEnds');
  expect(waits.length).toBeGreaterThan(0);
  expect(patchesOf(byFile('fleetRollout--handed-over-waits-for-the-groups-before--run1.json')!)).not.toContain(WATCHES_INHERITED_PATCH);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-timed-with-each-start.json')!)).not.toContain(WATCHES_INHERITED_PATCH);
});

test('a fleet rollout started since its looks run beside its starts replays, with a look in it; the older rollout histories replay without that patch', () => {
  const byFile = (name: string) => histories.find((h) => h.file === name);
  const beside = byFile('fleetRollout--spaced-starts-looked-at-beside-them.json')!;
  expect(patchesOf(beside)).toContain(LOOKS_BESIDE_STARTS_PATCH);
  expect((beside.history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'lookAtGroupProcedures')).toBe(true);
  expect(patchesOf(byFile('fleetRollout--spaced-starts-timed-with-each-start.json')!)).not.toContain(LOOKS_BESIDE_STARTS_PATCH);
  expect(patchesOf(byFile('fleetRollout--handed-over-waits-for-the-groups-before--run2.json')!)).not.toContain(LOOKS_BESIDE_STARTS_PATCH);
});

describe('the SAP dispatcher given the same request twice in one workflow task', () => {
  test('a run started since the fix answers both Updates before it dispatches, and replays (recorded: given twice in one task)', async () => {
    const recorded = histories.find((h) => h.file === 'sapSpoolDispatcher--given-twice-in-one-task.json');
    expect(patchesOf(recorded!)).toEqual([ANSWERS_UPDATES_FIRST]);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded!.history, recorded!.file);
  });

  test('a run started before the fix keeps its old order, and the history that order could not replay still fails (chaos seed 11014: such a dispatcher must be reset, see docs)', async () => {
    const fixture = loadRecordedHistories(path.join(__dirname, '..', '..', 'fixtures', 'sap-dispatcher-nondeterminism'));
    expect(patchesOf(fixture[0]!)).toEqual([]);
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, fixture[0]!.history, fixture[0]!.file)).rejects.toThrow(/TMPRL1100.*WorkflowExecutionUpdateCompleted/);
  });
});

test('a passive supervisor stopped in the middle of a return to the primary replays as it ran: before the stop waited, cancelling the termination; since, activating the primary first', () => {
  const byFile = (name: string) => histories.find((h) => h.file === name)!;
  const after = (h: RecordedHistory) => {
    const events = h.history.events ?? [];
    const stop = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    return events.slice(stop).flatMap((e) => {
      if (e.activityTaskScheduledEventAttributes) return [`schedule ${e.activityTaskScheduledEventAttributes.activityType?.name}`];
      if (e.activityTaskCancelRequestedEventAttributes) return ['cancel'];
      return [];
    });
  };
  const before = byFile('supervisePassiveCluster--stopped-during-the-return-to-the-primary-before-the-stop-waited.json');
  const since = byFile('supervisePassiveCluster--stopped-during-the-return-to-the-primary.json');
  expect(patchesOf(before)).not.toContain(STOP_WAITS_FOR_THE_CHANGE);
  expect(after(before)).toEqual(['cancel']);
  expect(patchesOf(since)).toContain(STOP_WAITS_FOR_THE_CHANGE);
  expect(after(since)).toEqual(['schedule activateMember']);
});

test('a supervisor started since leases by cluster database takes its database lease too, and replays; the older supervisor histories replay without it', () => {
  const leasesTaken = (h: RecordedHistory) => (h.history.events ?? []).flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId?.startsWith('spoolflow-lease:') ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : []));
  const since = histories.find((h) => h.file === 'supervisePassiveCluster--stopped-during-the-return-to-the-primary.json')!;
  expect(patchesOf(since)).toContain(LEASES_BY_CLUSTER_DATABASE);
  expect(leasesTaken(since)).toEqual(['spoolflow-lease:cluster-database-supervision:berlin.sqlite', 'spoolflow-lease:cluster-supervision:berlin']);
  const before = histories.find((h) => h.file === 'supervisePassiveCluster--failover-then-stopped.json')!;
  expect(patchesOf(before)).not.toContain(LEASES_BY_CLUSTER_DATABASE);
  expect(leasesTaken(before)).toEqual(['spoolflow-lease:cluster-supervision:berlin']);
});

test("a procedure started since answers are checked replays its step halted by an answer that does not fit; the histories recorded before carry no check", () => {
  const checked = histories.filter((h) => patchesOf(h).includes(ANSWERS_CHECKED_PATCH)).map((h) => h.file);
  expect(checked).toEqual(['restartGroupWithoutCacheDeletion--answer-misfit-halted-then-retried-runtime-v2.json']);
  const events = histories.find((h) => h.file === checked[0])!.history.events ?? [];
  // The activity completed (the agent answered), and the procedure took an operator's retry after it: the answer halted the step.
  expect(events.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
  expect(events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(true);
});

test("a spool server's dispatcher shut down, its requests moved to another server, replays (recorded: shut down, requests reassigned)", () => {
  const events = histories.find((h) => h.file === 'sapSpoolDispatcher--shut-down-requests-reassigned.json')!.history.events ?? [];
  expect(events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'sap.shutDownSpoolServer')).toBe(true);
  expect(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reassignSpoolRequests')).toBe(true);
  expect(events.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(true);
});
