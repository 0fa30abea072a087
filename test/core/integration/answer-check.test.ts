/**
 * An agent's answer is checked against what its action answers before the machine reads it, on a
 * real Temporal server. An agent of another version that names a field differently (here the
 * time of a SPOC's stop, which the log wait later counts from, so a stale ONLINE line cannot be
 * believed) halts its step naming the host, the action and the field; nothing after that step is
 * done; once the host has an agent that answers as this workflow reads, the operator's retry
 * finishes the group without stopping anything twice.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createHostAgentActivities } from '../../../activities/spoc/spoc-host-activities';
import type { EffectOf } from '../../../machines/actions';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { createHostAgentWorker, simHostAgentDeps } from '../../../simulator/spoc/sim-host-agents';
import { hostTaskQueue } from '../../../workflows/task-queues';
import { ANSWERS_CHECKED_PATCH } from '../../../workflows/runtime/answer-check';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';
import { saveRecordedHistory } from '../../helpers/recorded-histories';

const estate = useSimulatedEstate();

function londonInput() {
  const input = groupRestartExample(testInventory(), 'london');
  return { ...input, waits: { ...input.waits, groupServiceTimeoutSeconds: 5, onlineTimeoutSeconds: 5, convergenceSeconds: 1 } };
}

test("an agent whose stop answer lacks the stop's time halts the step naming host, action and field; nothing after it is done; with a fitting agent a retry finishes", async () => {
  const fleet = estate.fleet();
  const host = fleet.host('spoc-lon-2');
  const workflowId = `answer-misfit-${randomUUID()}`;
  const conn = { connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace };
  // The production activities of the host, but its stop answers as an agent that calls the time `stoppedAt`.
  const production = createHostAgentActivities(simHostAgentDeps(host, 20));
  const otherVersion = await Worker.create({
    ...conn,
    taskQueue: hostTaskQueue('spoc-lon-2'),
    activities: {
      ...production,
      stopService: async (effect: EffectOf<'stop-service'>) => {
        const { at, ...rest } = await production.stopService(effect);
        return { ...rest, stoppedAt: at };
      },
    },
  });
  const { output, halted, recordAtHalt } = await estate.withWorkers(
    fleet,
    async () => {
      await estate.spoolflow.start('restart-group-without-cache-deletion', londonInput(), { workflowId });
      const halted = await otherVersion.runUntil(() => estate.halted(workflowId, 90_000));
      const recordAtHalt = fleet.record.read();
      const agent = await createHostAgentWorker(conn, simHostAgentDeps(host, 20));
      const output = await agent.runUntil(async () => {
        await estate.spoolflow.command(workflowId, { type: 'operator.retry' });
        return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
      });
      return { output, halted, recordAtHalt };
    },
    { withoutAgents: ['spoc-lon-2'] },
  );

  expect(halted.halt?.step).toBe('memberStopSpoc');
  expect(halted.halt?.reason).toMatch(/the agent of spoc-lon-2 answered "Stop .* on spoc-lon-2" \(stop-service\) with what this workflow cannot read, so its outcome is unknown: at: .*string/);
  expect(halted.summary.completedMembers).toEqual(['spoc-lon-1']);
  expect(halted.path.at(-1)).toMatchObject({ step: 'memberStopSpoc', host: 'spoc-lon-2', action: 'stop-service', outcome: 'failed' });
  // The stop did happen on the host; nothing after it did.
  const lon2AtHalt = recordAtHalt.filter((e) => e.host === 'spoc-lon-2' && e.outcome !== 'refused');
  expect(lon2AtHalt.at(-1)).toMatchObject({ operation: 'stop-service', target: SPOC_SERVICE });
  expect(recordAtHalt.filter((e) => e.host === 'spoc-lon-2' && e.operation === 'stop-service').map((e) => e.target)).toEqual([SPOC_SERVICE]);

  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'], leftStopped: {} });
  const record = fleet.record.read();
  expect(repeatedOperations(record)).toEqual([]);
  expect(maxMembersDownAtOnce(record, ['spoc-lon-1', 'spoc-lon-2'])).toBe(1);
  expect(leftStopped(record)).toEqual({});
  // The run carries the check's marker; its history is the replay test's case of a step halted by an
  // answer: `SPOOLFLOW_RECORD_HISTORIES=1 npx jest <this file>` records it again.
  const history = await estate.client.workflow.getHandle(workflowId).fetchHistory();
  const patches = (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
  expect(patches).toContain(ANSWERS_CHECKED_PATCH);
  if (process.env.SPOOLFLOW_RECORD_HISTORIES) saveRecordedHistory('restartGroupWithoutCacheDeletion--answer-misfit-halted-then-retried-runtime-v2', history);
}, 180_000);
