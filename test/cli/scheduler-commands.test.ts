/**
 * `spoolflow scheduler` looks at and disturbs the simulated JobScheduler clusters that another
 * process runs (here the test process, as `npm start` would): the members are real processes, and
 * what the CLI reports is what the clusters' databases and the scheduler fleet say.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerClusterDb } from '../../activities/jobscheduler/scheduler-cluster-db';
import { SchedulerFleet } from '../../simulator/jobscheduler/scheduler-fleet';
import { SIM_HEARTBEAT, simClusterDatabase, startSimClusters } from '../../simulator/jobscheduler/sim-clusters';
import { waitUntil } from '../helpers/scheduler-cluster';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-scheduler-cli-'));
const simDir = path.join(dir, 'sim');
const fleet = new SchedulerFleet(simDir);
const TIMEOUT_MS = SIM_HEARTBEAT.timeoutSeconds * 1000;
const STEP_MS = 300;

const scheduler = (...args: string[]) => spawnSync(process.execPath, [CLI, 'scheduler', ...args], { encoding: 'utf8', env: { ...process.env, SPOOLFLOW_DATA_DIR: dir } });

/** Runs a command that must succeed and returns its JSON. */
function run<T = Record<string, unknown>>(...args: string[]): T {
  const result = scheduler(...args);
  if (result.status !== 0) throw new Error(`spoolflow scheduler ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

interface MemberView {
  member: string;
  os: string | null;
  role: string | null;
  backupPrecedence: number | null;
  status: string;
  alive: boolean;
  heartbeatAgeMs: number | null;
  pid: number | null;
  process: string;
  cutOff: boolean;
  stepsInFlight: { order: string; step: number; attempt: number; status: string }[];
}

interface ClusterView {
  cluster: string;
  activeMember: string | null;
  epoch: number;
  supervisorView: string;
  members: MemberView[];
  jobs: { byState: Record<string, number> };
  jobChains: { byState: Record<string, number> };
  orders: { byState: Record<string, number>; open: { id: string; chain: string; state: string; node: string | null }[] };
}

function cluster(name: string): ClusterView {
  const { clusters } = run<{ clusters: ClusterView[] }>('status', name);
  expect(clusters.map((c) => c.cluster)).toEqual([name]);
  return clusters[0] as ClusterView;
}

function member(id: string): MemberView {
  const view = cluster(id.split('-')[1] as string).members.find((m) => m.member === id);
  if (!view) throw new Error(`status shows no member ${id}`);
  return view;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Member processes of this test's sim dir, whoever started them, from `ps`. */
function memberProcessesLeft(): { pid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('member-process.ts') && line.includes(`--sim-dir=${path.resolve(simDir)}`))
    .map((line) => {
      const [, pid = '', args = ''] = /^\s*(\d+)\s+(.*)$/.exec(line) ?? [];
      return { pid: Number(pid), args };
    });
}

beforeAll(async () => {
  await startSimClusters(fleet, simDir, { stepMs: STEP_MS });
}, 60_000);

afterAll(async () => {
  // The fleet finds every member on disk, the ones the CLI started detached too.
  await fleet.killAll();
  const left = memberProcessesLeft();
  for (const p of left) process.kill(p.pid, 'SIGKILL');
  if (left.length > 0) throw new Error(`member processes outlived killAll: ${JSON.stringify(left)}`);
});

test('status shows every member registered and beating, and the member the test activated as the active one at its epoch', () => {
  const db = new SchedulerClusterDb(simClusterDatabase(simDir, 'berlin'));
  let epoch: number;
  try {
    ({ epoch } = db.activate('js-berlin-1', TIMEOUT_MS));
  } finally {
    db.close();
  }

  const berlin = cluster('berlin');
  expect(berlin).toMatchObject({ activeMember: 'js-berlin-1', epoch, supervisorView: 'spoolflow status jobscheduler-cluster-berlin' });
  expect(berlin.members).toEqual([
    expect.objectContaining({ member: 'js-berlin-1', os: 'unix', role: 'primary', backupPrecedence: null, status: 'active', alive: true, process: 'running', pid: fleet.info('js-berlin-1').pid }),
    expect.objectContaining({ member: 'js-berlin-2', os: 'unix', role: 'backup', backupPrecedence: 1, status: 'standby', alive: true, process: 'running', pid: fleet.info('js-berlin-2').pid }),
    expect.objectContaining({ member: 'js-berlin-3', os: 'windows', role: 'backup', backupPrecedence: 2, status: 'standby', alive: true, process: 'running', pid: fleet.info('js-berlin-3').pid }),
  ]);
  for (const m of berlin.members) expect(m.heartbeatAgeMs).toBeLessThan(TIMEOUT_MS);
  expect(berlin.jobs.byState).toEqual({ active: 4 });
  expect(berlin.jobChains.byState).toEqual({ active: 1 });

  const all = run<{ clusters: ClusterView[] }>('status');
  expect(all.clusters.map((c) => c.cluster)).toEqual(['berlin', 'munich']);
  expect(all.clusters[1]?.members.map((m) => [m.member, m.role, m.status, m.alive])).toEqual([
    ['js-munich-1', 'distributed', 'active', true],
    ['js-munich-2', 'distributed', 'active', true],
    ['js-munich-3', 'distributed', 'active', true],
  ]);
});

test('an unknown member or cluster is refused with exit code 2, and the message names the known ones', () => {
  expect(scheduler('kill', 'js-paris-1')).toMatchObject({ status: 2, stderr: expect.stringContaining('no simulated JobScheduler member "js-paris-1"; the members are berlin: js-berlin-1, js-berlin-2, js-berlin-3; munich: js-munich-1') });
  expect(scheduler('status', 'paris')).toMatchObject({ status: 2, stderr: expect.stringContaining('the clusters are berlin, munich') });
  expect(scheduler('hang')).toMatchObject({ status: 2, stderr: expect.stringContaining('scheduler hang needs a member') });
  expect(scheduler('record', '--last', 'all')).toMatchObject({ status: 2 });
});

test('a cluster is found by any spelling of its name, as the inputs take it', () => {
  expect(run<{ clusters: ClusterView[] }>('status', ' Berlin.').clusters.map((c) => c.cluster)).toEqual(['berlin']);
});

test('kill aborts a member: its process is gone at once, and it is no longer alive once the heartbeat timeout has passed', async () => {
  const pid = fleet.info('js-berlin-2').pid;
  expect(run('kill', 'js-berlin-2')).toEqual({ member: 'js-berlin-2', pid, outcome: 'killed' });
  await sleep(TIMEOUT_MS);
  // An abort writes nothing: the database still says standby, only the heartbeat has stopped.
  expect(member('js-berlin-2')).toMatchObject({ process: 'not-running', pid, status: 'standby', alive: false });
  expect(member('js-berlin-2').heartbeatAgeMs).toBeGreaterThan(TIMEOUT_MS);
});

test('terminate ends a member normally: it marks itself terminated', () => {
  const pid = fleet.info('js-munich-3').pid;
  expect(run('terminate', 'js-munich-3')).toEqual({ member: 'js-munich-3', pid, outcome: 'terminated' });
  expect(member('js-munich-3')).toMatchObject({ process: 'not-running', status: 'terminated', alive: false });
});

test('hang freezes a member, which stops beating, and resume lets it beat again', async () => {
  const pid = fleet.info('js-munich-2').pid;
  expect(run('hang', 'js-munich-2')).toEqual({ member: 'js-munich-2', pid, process: 'hung' });
  await waitUntil('the hung member is no longer alive', () => {
    const view = member('js-munich-2');
    expect(view.process).toBe('hung');
    return !view.alive;
  });
  expect(run('resume', 'js-munich-2')).toEqual({ member: 'js-munich-2', pid, process: 'running' });
  await waitUntil('the resumed member beats again', () => member('js-munich-2').alive);
  expect(member('js-munich-2')).toMatchObject({ process: 'running', status: 'active', pid });
});

test('a step given to a cut-off member stays in flight under it, and once reconnected the member finishes it', async () => {
  expect(run('cut-off', 'js-munich-1')).toMatchObject({ member: 'js-munich-1', cutOff: true });
  const db = new SchedulerClusterDb(simClusterDatabase(simDir, 'munich'));
  try {
    db.submitOrder('etl', 'cli-order-1');
    db.assignStep('cli-order-1', 0, 'js-munich-1');
  } finally {
    db.close();
  }
  const munich = cluster('munich');
  expect(munich.members.find((m) => m.member === 'js-munich-1')).toMatchObject({ cutOff: true, process: 'running', stepsInFlight: [expect.objectContaining({ order: 'cli-order-1', step: 0, status: 'assigned' })] });
  expect(munich.orders.open).toEqual([{ id: 'cli-order-1', chain: 'etl', state: 'active', node: 'extract' }]);

  expect(run('reconnect', 'js-munich-1')).toMatchObject({ member: 'js-munich-1', cutOff: false });
  // No supervisor runs here: the finished first step moves the order on, and nobody is given the next.
  const after = await waitUntil('the order has moved past its first node', () => {
    const view = cluster('munich');
    return view.orders.open[0]?.node === 'transform' && view;
  });
  expect(after.members.find((m) => m.member === 'js-munich-1')).toMatchObject({ cutOff: false, alive: true, stepsInFlight: [] });
});

test('start brings a killed member back the way its host starts it, with the timings it had, and it outlives the CLI', async () => {
  for (const [id, startedBy, options] of [
    ['js-berlin-2', 'jobscheduler.sh start', '-exclusive -backup -backup-precedence=1'],
    ['js-berlin-3', 'service sos_scheduler_berlin_backup', '-exclusive -backup -backup-precedence=2'],
  ] as const) {
    await fleet.kill(id);
    const timing = fleet.info(id).timing;
    expect(timing).toEqual({ heartbeatMs: SIM_HEARTBEAT.intervalSeconds * 1000, jobIntervalMs: SIM_HEARTBEAT.intervalSeconds * 1000, stepMs: STEP_MS, pollMs: SIM_HEARTBEAT.intervalSeconds * 1000 });

    const started = run<{ pid: number }>('start', id);
    expect(started).toEqual({ member: id, outcome: 'started', pid: expect.any(Number), options, startedBy });
    // The CLI has exited: the member runs on in a process group of its own.
    expect(fleet.info(id)).toMatchObject({ pid: started.pid, running: true, timing });
    const stat = readFileSync(`/proc/${started.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(started.pid);
    await sleep(2 * TIMEOUT_MS);
    expect(member(id)).toMatchObject({ pid: started.pid, process: 'running', status: 'standby', alive: true });
    expect(run('start', id)).toMatchObject({ member: id, outcome: 'already-running', pid: started.pid });
  }
});

test('record shows the last lines of the operation record, the disturbances among them', () => {
  const tail = run<unknown[]>('record', '--last', '3');
  expect(tail).toHaveLength(3);
  expect(fleet.record.read()).toEqual(expect.arrayContaining(tail));
  const disturbances = run<{ operation: string; member: string; outcome: string }[]>('record', '--last', '100000')
    .filter((e) => e.operation.endsWith('-member'))
    .map((e) => `${e.operation} ${e.member} ${e.outcome}`);
  expect(disturbances).toEqual(
    expect.arrayContaining([
      'kill-member js-berlin-2 killed',
      'stop-member js-munich-3 terminated',
      'hang-member js-munich-2 hung',
      'resume-member js-munich-2 resumed',
      'cut-off-member js-munich-1 cut-off',
      'reconnect-member js-munich-1 reconnected',
      'start-member js-berlin-3 started',
    ]),
  );
});
