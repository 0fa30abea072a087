/**
 * The client and a worker reach a real Temporal through Temporal's environment configuration only:
 * the variables the temporal CLI reads, or a temporal.toml profile, and nothing passed in code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectClient } from '../../client/connect';
import { connectionOptionsFor, connectWithin, readConnectionConfig } from '../../engine/connection-config';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

/** `temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY`, inlined: @temporalio/proto is not a direct dependency. */
const TASK_QUEUE_TYPE_ACTIVITY = 2;

let server: TestTemporal;
beforeAll(async () => {
  server = await startTestTemporal();
});
afterAll(() => server.close());

/** A worker connected the way spoolflow's workers connect, polling `taskQueue` while `during` runs. */
async function withWorkerFrom<T>(env: NodeJS.ProcessEnv, taskQueue: string, during: () => Promise<T>): Promise<T> {
  const config = readConnectionConfig(env);
  if (config.mode !== 'cluster') throw new Error(`expected a cluster from ${JSON.stringify(env)}`);
  const options = await connectionOptionsFor(config);
  const connection = await connectWithin(options.address, () => NativeConnection.connect(options));
  try {
    const worker = await Worker.create({ connection, namespace: config.namespace, taskQueue, activities: { ping: () => Promise.resolve('pong') } });
    return await worker.runUntil(during);
  } finally {
    await connection.close();
  }
}

/** Whether the client, connected from `env`, sees a poller on the activity task queue within a few seconds. */
async function clientSeesPoller(env: NodeJS.ProcessEnv, taskQueue: string): Promise<boolean> {
  const { client, close } = await connectClient(env);
  try {
    for (let i = 0; i < 50; i++) {
      const described = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
      });
      if ((described.pollers ?? []).length > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  } finally {
    await close();
  }
}

test('the client and a worker connect with only TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', async () => {
  const env = { TEMPORAL_ADDRESS: server.server.address, TEMPORAL_NAMESPACE: server.namespace };
  const taskQueue = `envconfig-${randomUUID()}`;
  expect(await withWorkerFrom(env, taskQueue, () => clientSeesPoller(env, taskQueue))).toBe(true);
});

test('the client and a worker connect with a temporal.toml profile chosen by TEMPORAL_PROFILE', async () => {
  const file = path.join(server.dir, 'temporal.toml');
  fs.writeFileSync(file, `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.spoolflow]\naddress = "${server.server.address}"\nnamespace = "${server.namespace}"\n`);
  const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'spoolflow' };
  const taskQueue = `envconfig-profile-${randomUUID()}`;
  expect(await withWorkerFrom(env, taskQueue, () => clientSeesPoller(env, taskQueue))).toBe(true);
});
