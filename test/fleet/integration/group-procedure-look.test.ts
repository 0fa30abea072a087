/**
 * The rollout's look at its running groups against a real dev server: the procedures that run
 * and are not halted are answered from one visibility list, without a describe or a `status`
 * query each; a halted one, one that ended and one that continued as new (another run than the
 * one the rollout started) are asked directly, as before. The wait for the ends of procedures an
 * earlier run started answers as soon as one ends (how it ended), nothing when none does in time,
 * and stops when cancelled.
 */
import { Client } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createRolloutActivities, type GroupProcedureLook } from '../../../activities/fleet/group-procedure-look';
import { HALTED_KEY } from '../../../workflows/search-attributes';
import { startTestTemporal, type TestTemporal } from '../../helpers/temporal-server';
import { until } from '../../helpers/until';

const QUEUE = 'procedure-stand-ins';
let temporal: TestTemporal;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  [temporal, bundle] = await Promise.all([startTestTemporal(), bundleWorkflowCode({ workflowsPath: require.resolve('../../fixtures/procedure-stand-in-workflows'), logger: quiet })]);
}, 120_000);

afterAll(async () => {
  await temporal?.close();
});

async function standIn(workflowId: string, halted: boolean): Promise<string> {
  const handle = await temporal.client.workflow.start('procedureStandIn', { taskQueue: QUEUE, workflowId, args: [halted], typedSearchAttributes: [{ key: HALTED_KEY, value: halted }] });
  return handle.firstExecutionRunId;
}

test('running procedures not halted are answered from the visibility list; halted, ended and other runs are asked one by one', async () => {
  const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue: QUEUE, workflowBundle: bundle });
  await worker.runUntil(async () => {
    const first = { a: await standIn('look-a', false), b: await standIn('look-b', false), halted: await standIn('look-halted', true), ended: await standIn('look-ended', false) };
    await temporal.client.workflow.getHandle('look-ended').terminate('the group was aborted');
    // A procedure under the same id as the one the rollout started, which it must not mistake for its own.
    const replaced = await standIn('look-replaced', false);
    await temporal.client.workflow.getHandle('look-replaced').terminate('the first run ended');
    await standIn('look-replaced', false);
    const refs = [
      { workflowId: 'look-a', firstRunId: first.a },
      { workflowId: 'look-b', firstRunId: first.b },
      { workflowId: 'look-halted', firstRunId: first.halted },
      { workflowId: 'look-ended', firstRunId: first.ended },
      { workflowId: 'look-replaced', firstRunId: replaced },
    ];
    // The visibility store lists what runs a moment after it started.
    await until('the stand-ins listed', async () => {
      let n = 0;
      for await (const _ of temporal.client.workflow.list({ query: `WorkflowId IN ('look-a', 'look-b', 'look-halted', 'look-replaced') AND ExecutionStatus = 'Running'` })) n += 1;
      return n === 4;
    });

    const askedDirectly: string[] = [];
    const getHandle = temporal.client.workflow.getHandle.bind(temporal.client.workflow);
    const spy = jest.spyOn(temporal.client.workflow, 'getHandle').mockImplementation((workflowId, ...rest) => {
      askedDirectly.push(workflowId);
      return getHandle(workflowId, ...rest);
    });
    try {
      const env = new MockActivityEnvironment(undefined, { client: temporal.client });
      const looks: GroupProcedureLook[] = await env.run(createRolloutActivities().lookAtGroupProcedures, refs);
      expect(looks).toEqual([
        { workflowId: 'look-a', status: 'running' },
        { workflowId: 'look-b', status: 'running' },
        { workflowId: 'look-halted', status: 'halted', reason: 'Stop the SPOC: it will not stop' },
        { workflowId: 'look-ended', status: 'ended', outcome: { state: 'failed', reason: 'the group was aborted' } },
        // Its own run's end, not the running procedure now under its id.
        { workflowId: 'look-replaced', status: 'ended', outcome: { state: 'failed', reason: 'the first run ended' } },
      ]);
      expect(new Set(askedDirectly)).toEqual(new Set(['look-halted', 'look-ended', 'look-replaced']));
    } finally {
      spy.mockRestore();
      for (const id of ['look-a', 'look-b', 'look-halted', 'look-replaced']) await temporal.client.workflow.getHandle(id).terminate('test over');
    }
  });
});

test('the wait for the ends of procedures started before a hand-over answers as soon as one ends, with how it ended; nothing when none ends in time; and stops when cancelled', async () => {
  const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue: QUEUE, workflowBundle: bundle });
  await worker.runUntil(async () => {
    const refs = [
      { workflowId: 'watch-a', firstRunId: await standIn('watch-a', false) },
      { workflowId: 'watch-b', firstRunId: await standIn('watch-b', true) },
      { workflowId: 'watch-c', firstRunId: await standIn('watch-c', false) },
    ];
    const { awaitGroupProcedureEnds } = createRolloutActivities();
    try {
      // Nothing ends: after its longest wait it answers nothing (and the rollout asks again).
      expect(await new MockActivityEnvironment(undefined, { client: temporal.client }).run(awaitGroupProcedureEnds, refs, 1500)).toEqual([]);

      // b is told to finish while the wait runs (far longer than this test may take): the answer is b, done.
      const waiting = new MockActivityEnvironment(undefined, { client: temporal.client }).run(awaitGroupProcedureEnds, refs, 600_000);
      await new Promise((r) => setTimeout(r, 500));
      await temporal.client.workflow.getHandle('watch-b').signal('finish', { outcome: 'completed' });
      expect(await waiting).toEqual([{ workflowId: 'watch-b', status: 'ended', outcome: { state: 'done' } }]);

      // c is aborted by its operator: failed, and why.
      const again = new MockActivityEnvironment(undefined, { client: temporal.client }).run(awaitGroupProcedureEnds, refs.slice(0, 1).concat(refs.slice(2)), 600_000);
      await temporal.client.workflow.getHandle('watch-c').signal('finish', { outcome: 'aborted', abortReason: 'printers busy' });
      expect(await again).toEqual([{ workflowId: 'watch-c', status: 'ended', outcome: { state: 'failed', reason: 'ended aborted: printers busy' } }]);

      // Cancelled (the rollout hands over): it stops waiting at once.
      const env = new MockActivityEnvironment(undefined, { client: temporal.client });
      const cancelled = env.run(awaitGroupProcedureEnds, refs.slice(0, 1), 600_000);
      await new Promise((r) => setTimeout(r, 500));
      env.cancel();
      await expect(cancelled).rejects.toBeInstanceOf(CancelledFailure);
    } finally {
      await temporal.client.workflow.getHandle('watch-a').terminate('test over');
    }
  });
});

test("through the worker's own connection (which ignores abort signals) the wait goes on in short slices, each ended by its deadline, until a procedure ends", async () => {
  const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue: QUEUE, workflowBundle: bundle });
  await worker.runUntil(async () => {
    const refs = [
      { workflowId: 'slices-a', firstRunId: await standIn('slices-a', false) },
      { workflowId: 'slices-b', firstRunId: await standIn('slices-b', false) },
    ];
    const client = new Client({ connection: temporal.nativeConnection, namespace: temporal.namespace });
    const slices = jest.spyOn(client, 'withDeadline');
    try {
      // Slices of 300 ms: some five have ended on each procedure before b is told to finish.
      const waiting = new MockActivityEnvironment(undefined, { client }).run(createRolloutActivities().awaitGroupProcedureEnds, refs, 600_000, 300);
      await new Promise((r) => setTimeout(r, 1500));
      await temporal.client.workflow.getHandle('slices-b').signal('finish', { outcome: 'completed' });
      expect(await waiting).toEqual([{ workflowId: 'slices-b', status: 'ended', outcome: { state: 'done' } }]);
      expect(slices.mock.calls.length).toBeGreaterThanOrEqual(2 * 4);
    } finally {
      await temporal.client.workflow.getHandle('slices-a').terminate('test over');
    }
  });
});

test("a procedure whose worker is down is looked at as unknown within the look's 10 s, not the server's 30 s a query", async () => {
  // No worker runs it: it answers no query (halted, so the look asks it directly).
  const ref = { workflowId: 'look-silent', firstRunId: await standIn('look-silent', true) };
  const client = new Client({ connection: temporal.nativeConnection, namespace: temporal.namespace });
  try {
    const began = Date.now();
    expect(await new MockActivityEnvironment(undefined, { client }).run(createRolloutActivities().lookAtGroupProcedures, [ref])).toEqual([{ workflowId: 'look-silent', status: 'unknown' }]);
    expect(Date.now() - began).toBeLessThan(20_000);
  } finally {
    await temporal.client.workflow.getHandle('look-silent').terminate('test over');
  }
}, 60_000);
