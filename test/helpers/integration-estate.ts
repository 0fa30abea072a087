/**
 * The set-up every integration test file shares: a real Temporal dev server for the file (started
 * before its tests, stopped after them), spoolflow's client on it, and whatever the tests start on
 * top of it (simulated fleets, JobScheduler clusters, worker processes), each stopped or killed
 * after the test or the file, so a failing test leaves nothing running behind it.
 *
 * Call `useSimulatedEstate()` at the top of a test file; the handle it returns is filled in before
 * the first test runs.
 */
import type { Client } from '@temporalio/client';
import { SpoolflowClient } from '../../client/spoolflow-client';
import type { SpocProcedureOutput } from '../../machines/spoc/spoc-procedure-output';
import type { Inventory } from '../../simulator/spoc/inventory';
import type { SimFleet } from '../../simulator/spoc/sim-fleet';
import type { ProcedureStatus } from '../../workflows/operator-messages';
import { withClusterWorkers } from './cluster-workers';
import { failureOf, waitForStatus } from './procedure-status';
import { createTestCluster, type TestCluster } from './scheduler-cluster';
import { createTestFleet, type FleetWorkerOptions, withWorkers } from './sim-fleet';
import { startTestTemporal, type TestTemporal } from './temporal-server';
import { spawnWorkerProcess, type WorkerProcess } from './worker-process';

export interface SimulatedEstate {
  /** The server of this file; after `crashServer()`, the one started again. */
  readonly temporal: TestTemporal;
  readonly client: Client;
  readonly spoolflow: SpoolflowClient;
  /** host:port of the server, for a worker process or the Temporal CLI. */
  readonly address: string;

  /** A fresh simulated fleet (the default inventory unless given), stopped after the test. */
  fleet(inventory?: Inventory): SimFleet;
  /** Runs the central worker and the fleet's host agents while `fn` runs. */
  withWorkers<T>(fleet: SimFleet, fn: () => Promise<T>, options?: FleetWorkerOptions): Promise<T>;
  /** Starts a procedure with the fleet's workers running and waits for its result. */
  run(fleet: SimFleet, procedureId: string, input: unknown, workflowId: string, options?: FleetWorkerOptions): Promise<SpocProcedureOutput>;

  /** A simulated JobScheduler cluster whose member processes are killed after the file. */
  cluster(): TestCluster;
  /** Runs the cluster's central worker and one scheduler agent per host while `fn` runs. */
  withClusterWorkers<T>(cluster: Pick<TestCluster, 'fleet' | 'databaseDir'>, hosts: string[], fn: () => Promise<T>, hostActivities?: Record<string, object>): Promise<T>;

  /** The workers as a separate process on this server (simulator/main.ts), killed after the file if still running. */
  workerProcess(env: { dataDir: string; inventoryFile: string; extraEnv?: Record<string, string> }): WorkerProcess;
  /** kill -9 of the Temporal server, then the server started again on its port and data, as after a crash. */
  crashServer(): Promise<void>;

  waitForStatus(workflowId: string, until: (s: ProcedureStatus) => boolean, timeoutMs?: number): Promise<ProcedureStatus>;
  /** Waits until the procedure halts (60 s unless given) and returns its status then. */
  halted(workflowId: string, timeoutMs?: number): Promise<ProcedureStatus>;
  failureOf(workflowId: string): Promise<{ type?: string; message: string }>;
}

export interface EstateOptions {
  /** Serve the Temporal Web UI too (`estate.temporal.server.uiUrl`), for the browser tests. */
  webUi?: boolean;
}

export function useSimulatedEstate(options: EstateOptions = {}): SimulatedEstate {
  let current: TestTemporal | undefined;
  let spoolflow: SpoolflowClient | undefined;
  /** Servers killed by crashServer(): closed after the file, the first one last (it owns the folder). */
  const crashed: TestTemporal[] = [];
  const fleets: SimFleet[] = [];
  const clusters: TestCluster[] = [];
  const workerProcesses: WorkerProcess[] = [];

  beforeAll(async () => {
    current = await startTestTemporal({ ui: options.webUi });
    spoolflow = new SpoolflowClient(current.client);
  });
  afterEach(() => {
    for (const fleet of fleets.splice(0)) fleet.stop();
  });
  afterAll(async () => {
    for (const worker of workerProcesses) await worker.kill();
    await Promise.all(clusters.map((c) => c.cleanup()));
    await current?.close();
    for (const server of crashed.reverse()) await server.close().catch(() => undefined);
  });

  const temporal = (): TestTemporal => {
    if (!current) throw new Error('the integration estate is set up in beforeAll: use it inside a test or hook');
    return current;
  };

  const estate: SimulatedEstate = {
    get temporal() {
      return temporal();
    },
    get client() {
      return temporal().client;
    },
    get spoolflow() {
      temporal();
      return spoolflow as SpoolflowClient;
    },
    get address() {
      return temporal().server.address;
    },

    fleet(inventory) {
      const fleet = createTestFleet(inventory);
      fleets.push(fleet);
      return fleet;
    },
    withWorkers: (fleet, fn, options) => withWorkers(temporal(), fleet, fn, options),
    run: (fleet, procedureId, input, workflowId, options) =>
      withWorkers(
        temporal(),
        fleet,
        async () => {
          await estate.spoolflow.start(procedureId, input, { workflowId });
          return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput;
        },
        options,
      ),

    cluster() {
      const cluster = createTestCluster();
      clusters.push(cluster);
      return cluster;
    },
    withClusterWorkers: (cluster, hosts, fn, hostActivities) => withClusterWorkers(temporal(), cluster, hosts, fn, hostActivities),

    workerProcess(env) {
      const worker = spawnWorkerProcess({ address: estate.address, ...env });
      workerProcesses.push(worker);
      return worker;
    },
    async crashServer() {
      const killed = temporal();
      const port = Number(killed.server.address.split(':').pop());
      killed.server.process?.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      crashed.push(killed);
      current = await startTestTemporal({ dir: killed.dir, port, ui: options.webUi });
      spoolflow = new SpoolflowClient(current.client);
    },

    waitForStatus: (workflowId, until, timeoutMs) => waitForStatus(temporal().client, workflowId, until, timeoutMs),
    halted: (workflowId, timeoutMs) => waitForStatus(temporal().client, workflowId, (s) => s.status === 'halted', timeoutMs),
    failureOf: (workflowId) => failureOf(temporal().client, workflowId),
  };
  return estate;
}
