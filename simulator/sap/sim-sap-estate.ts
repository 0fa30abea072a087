/**
 * The simulated SAP systems of `npm start` (docs/sap-spool-work-processes.md#the-simulation): each
 * spool server's work processes as a worker on its work-process queue (activities on the
 * simulated spool servers), the servers' dispatchers started once (a dispatcher already running
 * keeps running: npm start again after Ctrl-C or kill -9), and a load generator.
 */
import { Client, Connection, ConnectionOptions, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createSapSpoolActivities } from '../../activities/sap/spool-work-process-activities';
import { spoolDispatcherWorkflowId } from '../../machines/sap/spool-dispatcher-input';
import { CENTRAL_TASK_QUEUE, sapWorkProcessTaskQueue } from '../../workflows/task-queues';
import { SimSpoolServers, SimSpoolServerSettings } from './sim-spool-servers';
import { DEFAULT_LOAD, LoadSettings, startSpoolLoad } from './spool-load-generator';

export interface SimSapServer extends Omit<SimSpoolServerSettings, 'system'> {
  workProcesses: number;
  froMax?: number;
  /** Passed to its dispatcher (input `maxTasksHeld`). */
  maxTasksHeld?: number;
}

export interface SimSapSystem {
  system: string;
  release: string;
  servers: SimSapServer[];
  /** The output devices, with or without a set sequence. */
  devices: { name: string; sequence: boolean }[];
  /** Passed to each dispatcher (input `timings`). */
  timings?: Record<string, number>;
}

/**
 * The default estate: one 4.6C system with two spool servers sized as the advisor says for
 * frontend printing (5) and without it (4); work processes of different speeds, so requests to
 * devices without a set sequence overtake each other; every 4th host spool demand of spool1 hangs.
 */
export const DEFAULT_SAP_SYSTEMS: SimSapSystem[] = [
  {
    system: 'prd',
    release: '4.6C',
    servers: [
      { server: 'spool1', workProcesses: 5, outputSeconds: 2, managementSeconds: 3, speeds: [1, 1, 2, 0.5, 1], hangEveryNthDemand: 4 },
      { server: 'spool2', workProcesses: 4, outputSeconds: 2, managementSeconds: 3, speeds: [1, 0.5, 1, 2] },
    ],
    devices: [
      { name: 'lp01', sequence: true },
      { name: 'lp02', sequence: true },
      { name: 'lp10', sequence: false },
      { name: 'lp11', sequence: false },
    ],
    timings: { managementTimeoutSeconds: 60 },
  },
];

export function simSpoolServerSettings(systems: SimSapSystem[]): SimSpoolServerSettings[] {
  return systems.flatMap((s) => s.servers.map(({ workProcesses: _wps, froMax: _fro, ...server }) => ({ ...server, system: s.system })));
}

/** One worker per spool server, polling its work-process queue. */
export async function createSapWorkProcessWorkers(conn: { connection: NativeConnection; namespace: string }, systems: SimSapSystem[], servers: SimSpoolServers): Promise<Worker[]> {
  const activities = createSapSpoolActivities((system, server) => servers.host(system, server));
  return Promise.all(
    systems.flatMap((s) =>
      s.servers.map((server) =>
        Worker.create({ ...conn, taskQueue: sapWorkProcessTaskQueue(s.system, server.server), activities, maxConcurrentActivityTaskExecutions: Math.max(server.workProcesses * 4, 16) }),
      ),
    ),
  );
}

/** The dispatchers' inputs, as `spoolflow` or the Web UI would start them. */
export function dispatcherInputs(systems: SimSapSystem[]): { workflowId: string; input: Record<string, unknown> }[] {
  return systems.flatMap((s) =>
    s.servers.map((server) => ({
      workflowId: spoolDispatcherWorkflowId(s.system, server.server),
      input: { system: s.system, server: server.server, release: s.release, workProcesses: server.workProcesses, ...(server.froMax ? { froMax: server.froMax } : {}), ...(server.maxTasksHeld ? { maxTasksHeld: server.maxTasksHeld } : {}), ...(s.timings ? { timings: s.timings } : {}) },
    })),
  );
}

/** Starts every dispatcher that does not run yet; says which it started. */
export async function startSapDispatchers(client: Client, systems: SimSapSystem[]): Promise<string[]> {
  const started: string[] = [];
  for (const { workflowId, input } of dispatcherInputs(systems)) {
    try {
      await client.workflow.start('sapSpoolDispatcher', { workflowId, taskQueue: CENTRAL_TASK_QUEUE, args: [input] });
      started.push(workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return started;
}

/** The SAP part of the simulated estate while it runs. */
export interface SapSpoolSimulation {
  workers: Worker[];
  /** Starts the dispatchers that do not run yet and the load; call once the workers run. */
  begin(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The simulated SAP systems: their work processes' workers now; `begin()` starts the dispatchers
 * and the load once the workers run. The record is `<sim dir>/sap-spool-operations.jsonl`.
 */
export async function createSapSpoolSimulation(opts: {
  conn: { connection: NativeConnection; namespace: string };
  connectionOptions: ConnectionOptions;
  simDir: string;
  log: (message: string) => void;
  systems?: SimSapSystem[];
  load?: LoadSettings;
}): Promise<SapSpoolSimulation> {
  const systems = opts.systems ?? DEFAULT_SAP_SYSTEMS;
  const servers = new SimSpoolServers(opts.simDir, simSpoolServerSettings(systems));
  const workers = await createSapWorkProcessWorkers(opts.conn, systems, servers);
  let connection: Connection | undefined;
  let load: { stop(): void } | undefined;
  return {
    workers,
    async begin() {
      connection = await Connection.connect(opts.connectionOptions);
      const client = new Client({ connection, namespace: opts.conn.namespace });
      const started = await startSapDispatchers(client, systems);
      load = startSpoolLoad(client, systems, opts.load ?? DEFAULT_LOAD, opts.log);
      opts.log(
        `simulated SAP spool servers: ${systems.map((s) => `${s.system} ${s.release} (${s.servers.map((v) => `${v.server}: ${v.workProcesses} work processes`).join(', ')})`).join('; ')}; dispatchers ${started.length > 0 ? `started: ${started.join(', ')}` : 'already running'}; record ${servers.record.file}`,
      );
    },
    async stop() {
      load?.stop();
      await connection?.close();
    },
  };
}
