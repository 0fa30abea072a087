/**
 * The Temporal Web UI reads like the runbook: a procedure's history, as the UI gets it from the
 * server, has a summary in the operator's words on every activity (its host, what it does, the
 * runbook step) and on every timer, and a run started through spoolflow's client carries a summary
 * and details naming the procedure, the group and its members. A run started from the Web UI's own
 * start form carries none, so its current details say what it changes.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { leaseWorkflowId } from '../../../machines/core/leases';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The summary the Web UI shows for an event: user metadata, decoded as the UI decodes it. */
function summaryOf(event: HistoryEvent): string | undefined {
  const payload = event.userMetadata?.summary;
  return payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;
}

async function eventsOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

const scheduled = (events: HistoryEvent[]) => events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [{ event: e, attributes: e.activityTaskScheduledEventAttributes }] : []));
const timersStarted = (events: HistoryEvent[]) => events.filter((e) => e.timerStartedEventAttributes);

test('every activity and timer of a procedure has a summary naming its host, what it does and the runbook step', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'prague');
  const workflowId = `test-${randomUUID()}`;
  const output = await estate.run(fleet, 'restart-group-without-cache-deletion', input, workflowId);
  expect(output.outcome).toBe('completed');

  const events = await eventsOf(estate.client.workflow.getHandle(workflowId));
  const activities = scheduled(events);
  expect(activities.length).toBeGreaterThan(10);
  for (const { event, attributes } of activities) {
    const summary = summaryOf(event);
    expect(summary).toBeDefined();
    // An activity on a host's queue says which host first: the timeline is scanned by host.
    const host = input.members.map((m) => m.host).find((h) => attributes.taskQueue?.name === hostTaskQueue(h));
    if (host) expect(summary).toMatch(new RegExp(`^${host}: [a-z]`));
    else expect(attributes.taskQueue?.name).toBe(CENTRAL_TASK_QUEUE);
  }
  const summaries = activities.map(({ event }) => summaryOf(event));
  expect(summaries).toContain(`spoc-prg-1: stop ${SPOC_SERVICE} (step 1)`);
  expect(summaries).toContain(`spoc-prg-3: stop ${SPOC_SERVICE} (step 1)`);
  expect(summaries).toContain('Check that the Management Server is running');

  // The procedure's only timers: the convergence wait after each member.
  const timers = timersStarted(events);
  expect(timers.map(summaryOf)).toEqual(input.members.map(() => 'convergence wait 10 s (step 8): wait for the distributed layer to converge (circa 5 minutes after the rescue finished)'));

  // The lease the procedure held on its group, a workflow of its own, reads the same way.
  const lease = await eventsOf(estate.client.workflow.getHandle(leaseWorkflowId({ kind: 'spoc-group', name: 'prague' })));
  expect(scheduled(lease).length).toBeGreaterThan(0);
  for (const { event } of scheduled(lease)) expect(summaryOf(event)).toMatch(new RegExp(`^SPOC group prague: held until ${workflowId} ends`));
  for (const timer of timersStarted(lease)) expect(summaryOf(timer)).toMatch(/^SPOC group prague: /);

  // Started through the client: the run's own summary and details.
  const described = await estate.client.workflow.getHandle(workflowId).describe();
  expect(await described.staticSummary()).toBe('restart-group-without-cache-deletion: SPOC group prague (spoc-prg-1, spoc-prg-2, spoc-prg-3)');
  const details = await described.staticDetails();
  expect(details).toContain('Procedure `restart-group-without-cache-deletion` (workflow type `restartGroupWithoutCacheDeletion`, task queue `spoolflow-central`)');
  for (const member of input.members) expect(details).toContain(`- \`${member.host}\``);
});

test('a run started from the Web UI, without a summary of its own, says in its current details what it changes', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'prague');
  const workflowId = `test-${randomUUID()}`;
  await estate.withWorkers(fleet, async () => {
    // What the start form sends: the workflow type, the queue, the JSON input, nothing else.
    const handle = await estate.client.workflow.start('restartGroupWithoutCacheDeletion', { taskQueue: CENTRAL_TASK_QUEUE, workflowId, args: [input] });
    await handle.result();
    expect(await (await handle.describe()).staticSummary()).toBeUndefined();
    const metadata = await handle.query<temporal.api.sdk.v1.IWorkflowMetadata>('__temporal_workflow_metadata');
    expect(metadata.currentDetails?.split('\n')[0]).toBe('**restart-group-without-cache-deletion**: SPOC group prague (spoc-prg-1, spoc-prg-2, spoc-prg-3)');
  });
});
