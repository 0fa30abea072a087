/**
 * An activity's call to the server, bounded (activities/core/bounded-server-call.ts), on a real
 * server and through the kind of client an activity gets: one on the worker's native connection,
 * which does not cut a call short on an abort signal. The call here is a query to a workflow no
 * worker runs, which the server holds for its own 30 s.
 */
import { Client } from '@temporalio/client';
import { withinDeadline } from '../../../activities/core/bounded-server-call';
import { startTestTemporal, TestTemporal } from '../../helpers/temporal-server';

let temporal: TestTemporal;
let client: Client;

beforeAll(async () => {
  temporal = await startTestTemporal();
  client = new Client({ connection: temporal.nativeConnection, namespace: temporal.namespace });
  await temporal.client.workflow.start('noWorkerRunsThis', { taskQueue: 'spoolflow-nobody-polls', workflowId: 'unanswered', args: [] });
});
afterAll(async () => {
  await temporal.client.workflow.getHandle('unanswered').terminate('test over').catch(() => undefined);
  await temporal?.close();
});

const askUnanswered = () => client.workflow.getHandle('unanswered').query('status');

test("a call to a workflow whose worker is down fails at its deadline, not the server's 30 s", async () => {
  const began = Date.now();
  await expect(withinDeadline(client, 1500, new AbortController().signal, askUnanswered)).rejects.toThrow();
  const took = Date.now() - began;
  expect(took).toBeGreaterThanOrEqual(1400);
  expect(took).toBeLessThan(10_000);
});

test('the activity stops waiting for the call the moment it is cancelled, with the reason it was cancelled for', async () => {
  const cancel = new AbortController();
  const began = Date.now();
  const call = withinDeadline(client, 3_000, cancel.signal, askUnanswered);
  setTimeout(() => cancel.abort(new Error('cancelled: the rollout hands over')), 300);
  await expect(call).rejects.toThrow('cancelled: the rollout hands over');
  expect(Date.now() - began).toBeLessThan(5_000);
  // Already cancelled: no call is made.
  let made = false;
  await expect(withinDeadline(client, 60_000, cancel.signal, async () => (made = true))).rejects.toThrow('cancelled');
  expect(made).toBe(false);
});

test('an answer within the deadline is the answer', async () => {
  expect(await withinDeadline(client, 5_000, new AbortController().signal, async () => (await client.workflow.getHandle('unanswered').describe()).status.name)).toBe('RUNNING');
});
