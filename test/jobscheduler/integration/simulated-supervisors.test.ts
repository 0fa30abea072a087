/**
 * `npm start` runs the simulated estate with its clusters supervised: the estate's start function
 * (runWorkers, as app/start.ts and simulator/main.ts call it) starts one supervisor per simulated
 * cluster under `jobscheduler-cluster-<cluster>`, a second start (npm start again after Ctrl-C)
 * leaves the running ones alone, and a kill of berlin's active member fails over, as the README's
 * `spoolflow scheduler kill js-berlin-1` promises.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerClusterDb } from '../../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet } from '../../../simulator/jobscheduler/scheduler-fleet';
import { simClusterDatabase } from '../../../simulator/jobscheduler/sim-clusters';
import { runWorkers } from '../../../simulator/run-simulated-estate';
import { DEFAULT_INVENTORY_FILE } from '../../../simulator/spoc/inventory';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { waitUntil } from '../../helpers/scheduler-cluster';

const estate = useSimulatedEstate();
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-supervised-'));
});
afterAll(async () => {
  // Whatever a failed test left running: the members are detached processes.
  await new SchedulerFleet(path.join(dataDir, 'sim'), { detached: true }).killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The simulated estate as npm start runs it, until `stop()`; its log lines are collected. */
function startEstate() {
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  const lines: string[] = [];
  const running = runWorkers({
    connection: { address: estate.address },
    namespace: estate.temporal.namespace,
    dataDir,
    inventoryFile: DEFAULT_INVENTORY_FILE,
    stopSignal,
    log: (m) => lines.push(m),
  });
  return {
    lines,
    running,
    async stop() {
      stop();
      await running;
    },
  };
}

/** The running workflows of a workflow id. */
async function runningSupervisors(workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const w of estate.client.workflow.list({ query: `WorkflowId = '${workflowId}' AND ExecutionStatus = 'Running'` })) runs.push(w.runId);
  return runs;
}

/** Every running supervisor of either kind, by workflow id. */
async function allRunningSupervisors(): Promise<string[]> {
  const ids: string[] = [];
  const query = `SpoolflowProcedure IN ('supervise-passive-cluster', 'supervise-active-cluster') AND ExecutionStatus = 'Running'`;
  for await (const w of estate.client.workflow.list({ query })) ids.push(w.workflowId);
  return ids.sort();
}

const supervisorLines = (lines: string[]) => lines.filter((l) => l.startsWith('supervisor of JobScheduler cluster'));

test('npm start twice: one supervisor per simulated cluster under its usual id, and killing the active berlin member fails over', async () => {
  const berlinDb = () => new SchedulerClusterDb(simClusterDatabase(path.join(dataDir, 'sim'), 'berlin'));

  const first = startEstate();
  try {
    await waitUntil('the supervisors were started', () => supervisorLines(first.lines).length === 2, 60_000, 100);
    expect(supervisorLines(first.lines)).toEqual([
      'supervisor of JobScheduler cluster berlin: started as jobscheduler-cluster-berlin',
      'supervisor of JobScheduler cluster munich: started as jobscheduler-cluster-munich',
    ]);
    const db = berlinDb();
    try {
      await waitUntil('js-berlin-1 is active', () => db.clusterState().activeMember === 'js-berlin-1' && db.member('js-berlin-1')?.status === 'active', 30_000, 50);
    } finally {
      db.close();
    }
  } finally {
    await first.stop();
  }
  const berlinRuns = await runningSupervisors('jobscheduler-cluster-berlin');
  const munichRuns = await runningSupervisors('jobscheduler-cluster-munich');

  const second = startEstate();
  try {
    await waitUntil('the second start looked at the supervisors', () => supervisorLines(second.lines).length === 2, 60_000, 100);
    expect(supervisorLines(second.lines)).toEqual([
      'supervisor of JobScheduler cluster berlin: already running as jobscheduler-cluster-berlin',
      'supervisor of JobScheduler cluster munich: already running as jobscheduler-cluster-munich',
    ]);
    // The same runs as before the restart, and no other supervisor anywhere.
    expect(berlinRuns).toHaveLength(1);
    expect(munichRuns).toHaveLength(1);
    expect(await runningSupervisors('jobscheduler-cluster-berlin')).toEqual(berlinRuns);
    expect(await runningSupervisors('jobscheduler-cluster-munich')).toEqual(munichRuns);
    expect(await allRunningSupervisors()).toEqual(['jobscheduler-cluster-berlin', 'jobscheduler-cluster-munich']);

    const db = berlinDb();
    try {
      // The members were ended with the first start and booted again by the second.
      await waitUntil('js-berlin-1 is active again', () => db.clusterState().activeMember === 'js-berlin-1' && db.member('js-berlin-1')?.status === 'active', 30_000, 50);
      await new SchedulerFleet(path.join(dataDir, 'sim'), { detached: true }).kill('js-berlin-1');
      const tookOver = await waitUntil('a backup is active', () => {
        const active = db.clusterState().activeMember;
        return active !== 'js-berlin-1' && active !== null && db.member(active)?.status === 'active' && active;
      }, 15_000, 50);
      expect(tookOver).toBe('js-berlin-2');
      expect(db.member('js-berlin-1')?.status).toBe('fenced');
    } finally {
      db.close();
    }
  } finally {
    await second.stop();
  }
}, 240_000);
