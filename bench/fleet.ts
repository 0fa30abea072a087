/**
 * `npm run bench:fleet` (`FLEET_SERVERS`, default 1000): one dev server, one central worker and a
 * generated simulated estate (a host agent per site server, all in this process); a fleet rollout
 * of the restart without cache deletion over every group, and the OS restart of each site's
 * standalone servers; then its figures, the last line one JSON object.
 *
 * The floor is what the plan allows at best: each group's members' simulated service times (fixed
 * in the generated inventory, at its time scale) and mandated waits, the groups started as the
 * rate limit allows (bench/fleet-floor.ts). overheadPercent = (wall - floor) / floor * 100.
 * Workflow task latency: from each workflow task's scheduled event to its completed event in the
 * procedures' and the rollout's histories.
 *
 * Settings (env): FLEET_SERVERS (1000), FLEET_WAVES (2: maxGroupsAtOnce is the rollout's units
 * divided by it), FLEET_TIME_SCALE (60), FLEET_CONVERGENCE_SECONDS (90), FLEET_AGENT_POLL_MS (50),
 * FLEET_TICK_MS (100: how often the simulator writes what fell due, e.g. the SPOC's log lines), FLEET_SECONDS_BETWEEN_STARTS (1: the rollout's `secondsBetweenStarts`, 0 or at least 1, counted in the floor; spaced as an operator of a large estate would, so that a wave's groups do not all ask for their first steps at once), FLEET_POLL_SECONDS (10: the rollout asks its groups whether halted), FLEET_SERVER_SETTINGS (a JSON object of dev server settings, `--dynamic-config-value` keys and values, over the bench's own and the embedded server's: to measure one).
 */
import { loadavg } from 'node:os';
import { z } from 'zod';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRollout } from '../client/fleet-rollout-client';
import { type RoundStages, rolloutSpacedStartRounds } from './spaced-start-rounds';
import { processSettles } from './server-settles';
import type { RolloutLimits } from '../machines/fleet/rollout-plan';
import { generateInventory, GROUP_SIZE } from '../simulator/spoc/generated-inventory';
import { SimFleet } from '../simulator/spoc/sim-fleet';
import { createSimHostAgents, RunningAgent } from '../simulator/spoc/sim-host-agents';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { NamespaceNotFoundError } from '@temporalio/common';
import { createCentralWorkers } from '../worker/central-worker';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';
import { startTestTemporal } from '../test/helpers/temporal-server';
import { rolloutFloorSeconds } from './fleet-floor';
import { planTargets } from './fleet-plan';
import { GroupTimeSplit, groupTimeSplit, historyFigures, percentile, processCpuSeconds, stepRate, timeBreakdown } from './fleet-figures';
import { statusQuery } from '../workflows/operator-messages';

// Errors only, the native core's too: a host going down under its running step (the OS restart)
// and a lease's watch ending with its lease warn by design, a thousand times on this estate.
Runtime.install({
  logger: new DefaultLogger('ERROR', (entry) => console.error(`[worker ${entry.level}] ${entry.message}`)),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});

const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
};

const SERVERS = env('FLEET_SERVERS', 1000);
const WAVES = env('FLEET_WAVES', 2);
const TIME_SCALE = env('FLEET_TIME_SCALE', 60);
const CONVERGENCE_SECONDS = env('FLEET_CONVERGENCE_SECONDS', 90);
const AGENT_POLL_MS = env('FLEET_AGENT_POLL_MS', 50);
const POLL_SECONDS = env('FLEET_POLL_SECONDS', 10);
const TICK_MS = env('FLEET_TICK_MS', 100);
const FLEET_TIMEOUT_SECONDS = process.env.FLEET_TIMEOUT_SECONDS ? env('FLEET_TIMEOUT_SECONDS', 1) : undefined;
// 0 turns the spacing off: the limits alone start a wave's groups together.
const SECONDS_BETWEEN_STARTS = process.env.FLEET_SECONDS_BETWEEN_STARTS === '0' ? 0 : env('FLEET_SECONDS_BETWEEN_STARTS', 1);

/**
 * A thousand host agents hold a thousand long polls; one partition per queue suits one poller each.
 * Each loaded task queue writes where it stands every `matching.updateAckInterval` (1 min by
 * default): with two queues a host that was 30,000 of the dev server's SQLite writes in a
 * 1,000-server rollout, a fifth of them; a task whose ack a crash loses is dispatched again and
 * dropped by the history service, so a longer interval costs nothing here. The dev server has one
 * history shard, whose cache of workflows (`history.cacheMaxSize`, 512) is smaller than the
 * procedures and leases a large rollout keeps running.
 */
const SERVER_SETTINGS = {
  'frontend.namespaceCount': 20_000,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'matching.updateAckInterval': '5m',
  'history.cacheMaxSize': 4096,
  ...serverSettingsFromEnv(),
};

/** FLEET_SERVER_SETTINGS: a JSON object of server settings, e.g. `{"history.transferProcessorMaxPollRPS": 20}`. */
function serverSettingsFromEnv(): Record<string, string | number | boolean> {
  const raw = process.env.FLEET_SERVER_SETTINGS;
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(json);
  if (!parsed.success) throw new Error(`FLEET_SERVER_SETTINGS must be a JSON object of setting names to strings, numbers or booleans; got ${raw}`);
  return parsed.data;
}

async function main(): Promise<void> {
  const inventory = generateInventory({ servers: SERVERS, timeScale: TIME_SCALE });
  const targets = planTargets(inventory, CONVERGENCE_SECONDS);
  const atOnce = Math.max(1, Math.ceil(targets.length / WAVES));
  const limits: RolloutLimits = { maxGroupsAtOnce: atOnce, maxGroupsPerSite: atOnce, failureBudget: 1, ...(SECONDS_BETWEEN_STARTS > 0 ? { secondsBetweenStarts: SECONDS_BETWEEN_STARTS } : {}) };
  const floorSeconds = rolloutFloorSeconds(targets.map((t) => t.timed), limits);
  const floorOf = new Map(targets.map((t) => [t.timed.name, t.timed.seconds]));
  const groupSimulatedSeconds = (floorOf.get(inventory.groups[0]?.name ?? '') ?? 0) - GROUP_SIZE * CONVERGENCE_SECONDS;
  const say = (line: string) => console.log(line);
  say(`fleet bench: ${inventory.siteServers.length} site servers, ${inventory.groups.length} groups of four, ${inventory.standalone.length} standalone, ${new Set(inventory.siteServers.map((s) => s.site)).size} sites`);
  say(`  plan: ${targets.length} units, ${atOnce} at a time, ${SECONDS_BETWEEN_STARTS} s between starts; time scale ${TIME_SCALE}; convergence ${CONVERGENCE_SECONDS} s; one group ${(targets.find((t) => !t.timed.name.startsWith('standalone:'))?.timed.seconds ?? 0).toFixed(2)} s at best; floor ${floorSeconds.toFixed(1)} s`);
  say(`  load before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min; the machine is shared)`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-fleet-bench-'));
  const temporal = await startTestTemporal({ dynamicConfig: SERVER_SETTINGS });
  const fleet = new SimFleet(inventory, path.join(dir, 'sim'));
  fleet.start(TICK_MS);
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const rssBefore = process.memoryUsage().rss;
  const central = await createCentralWorkers({ ...conn, managementServer: fleet.managementServer(), pollMs: 200, maxConcurrentActivityTaskExecutions: atOnce + 100 });
  const agentsStartedAt = performance.now();
  const agents = createSimHostAgents(conn, fleet, AGENT_POLL_MS, [], 250, 1);
  const workers: RunningAgent[] = [...central, ...agents];
  const running = workers.map((w) => w.run());
  while (agents.some((a) => a.starts === 0)) await new Promise((r) => setTimeout(r, 100));
  say(`  ${agents.length} host agents (one Temporal worker each) started in ${((performance.now() - agentsStartedAt) / 1000).toFixed(1)} s; RSS ${mb(rssBefore)} MB before the workers, ${mb(process.memoryUsage().rss)} MB now`);
  const settled = await processSettles(temporal.server.process?.pid);
  if (settled !== undefined) say(`  the dev server took in the agents' first polls (under 10 % of a core for a second) after ${settled.toFixed(0)} s; the rollout's clock starts now`);

  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1000);
  const cpu0 = process.cpuUsage();
  // How late this process's event loop runs what is due (agents' activities, the simulator's ticks, the worker's hand-offs to its workflow thread).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const serverPid = temporal.server.process?.pid;
  const serverCpu0 = processCpuSeconds(serverPid);
  let t0 = Date.now();
  const input = { procedure: 'restart-group-without-cache-deletion', groups: targets.map((t) => t.rollout), limits, pollSeconds: POLL_SECONDS };
  const { workflowId } = await startWhenServerAnswers(() => {
    // The wall time counts from the start that the server took.
    t0 = Date.now();
    return startRollout(temporal.client, input, { workflowId: `fleet-bench-${t0}` });
  });
  const status = await resultWithin(temporal.client, workflowId, FLEET_TIMEOUT_SECONDS ?? 4 * floorSeconds + 300);
  const t1 = Date.now();
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  const serverCpu1 = processCpuSeconds(serverPid);
  clearInterval(sampler);
  const splits = await sampleGroupSplits(temporal.client, status, 12);
  const loadAfter = loadavg();
  for (const w of workers) w.shutdown();
  await Promise.all(running);
  fleet.stop();

  const wallSeconds = (t1 - t0) / 1000;
  const overheadPercent = ((wallSeconds - floorSeconds) / floorSeconds) * 100;
  const history = await historyFigures(temporal.client, status.perGroup.filter((g) => g.startedAt).map((g) => g.workflowId), workflowId);
  const breakdown = timeBreakdown(status, (name) => floorOf.get(name) ?? 0, t0, t1);
  const rounds = SECONDS_BETWEEN_STARTS > 0 ? await rolloutSpacedStartRounds(temporal.client, workflowId) : [];
  await temporal.close();
  rmSync(dir, { recursive: true, force: true });

  const c = status.counts;
  say(`  rollout: ${c.done} done, ${c.failed} failed, ${c['not-started']} not started, ${c.halted} halted`);
  say(`  wall ${wallSeconds.toFixed(1)} s against a floor of ${floorSeconds.toFixed(1)} s: overhead ${overheadPercent.toFixed(2)} % (target <= 1 %, bar 5 %)`);
  say(`  where the time goes: lead-in to the first group ${breakdown.leadInSeconds.toFixed(1)} s; each group beyond its floor p50 ${percentile(breakdown.groupOverheadSeconds, 50).toFixed(2)} s, p99 ${percentile(breakdown.groupOverheadSeconds, 99).toFixed(2)} s, mean ${mean(breakdown.groupOverheadSeconds).toFixed(2)} s (of ${(floorOf.get(inventory.groups[0]?.name ?? '') ?? 0).toFixed(1)} s); the first ${atOnce} starts spread over ${breakdown.firstWaveSpreadSeconds.toFixed(1)} s; a freed place to the next start p50 ${percentile(breakdown.startLagSeconds, 50).toFixed(2)} s, p99 ${percentile(breakdown.startLagSeconds, 99).toFixed(2)} s; last group's end to the result ${breakdown.tailSeconds.toFixed(1)} s`);
  if (rounds.length > 0) {
    const p50 = (f: (r: RoundStages) => number) => percentile(rounds.map(f), 50).toFixed(0);
    say(`  spaced starts (${rounds.length} rounds, p50): start to start ${p50((r) => r.roundMs)} ms = the server starting the child ${p50((r) => r.childStartMs)} ms, the rollout's task that saw it ${p50((r) => r.confirmationTaskMs)} ms, the timer ${p50((r) => r.timerMs)} ms, the task it woke to the next start ${p50((r) => r.timerTaskMs)} ms (of which waiting for the worker ${p50((r) => r.timerTaskWaitMs)} ms)`);
    const spacingMs = SECONDS_BETWEEN_STARTS * 1000;
    // The first wave's rounds: their starts wait for the spacing alone, not for a place to free.
    const firstWaveEnd = status.perGroup.map((g) => Date.parse(g.startedAt ?? '')).filter(Number.isFinite).sort((a, b) => a - b)[atOnce - 1] ?? Number.POSITIVE_INFINITY;
    const firstWave = rounds.filter((r) => r.atMs < firstWaveEnd);
    const slow = firstWave.filter((r) => r.roundMs > spacingMs + 100);
    const withActivity = slow.filter((r) => r.activities.length > 0);
    const excess = (rs: RoundStages[]) => (rs.reduce((a, r) => a + r.roundMs - spacingMs, 0) / 1000).toFixed(1);
    say(`    the first wave's ${firstWave.length} rounds beyond the spacing: ${excess(firstWave)} s; ${slow.length} rounds over ${spacingMs + 100} ms, ${excess(slow)} s of it, ${withActivity.length} of them with an activity of the rollout in them (${[...new Set(withActivity.flatMap((r) => r.activities))].join(', ') || 'none'}), ${excess(withActivity)} s`);
  }
  const avg = (f: (s: GroupTimeSplit) => number) => mean(splits.map(f)).toFixed(2);
  say(`  one group's time (mean of ${splits.length} sampled): host steps ${avg((s) => s.hostSeconds)} s (simulated service times ${(groupSimulatedSeconds).toFixed(2)} s), mandated waits ${avg((s) => s.waitSeconds)} s (${(GROUP_SIZE * CONVERGENCE_SECONDS).toFixed(0)} s), central checks ${avg((s) => s.centralSeconds)} s, before the first step ${avg((s) => s.beforeFirstStepSeconds)} s, between steps ${avg((s) => s.betweenStepsSeconds)} s over ${avg((s) => s.steps)} steps, after the last ${avg((s) => s.afterLastStepSeconds)} s (of which until the server closed the procedure ${avg((s) => s.untilClosedSeconds ?? Number.NaN)} s)`);
  const actions = new Map<string, { count: number; seconds: number }>();
  for (const split of splits) for (const [action, x] of Object.entries(split.byAction)) actions.set(action, { count: (actions.get(action)?.count ?? 0) + x.count, seconds: (actions.get(action)?.seconds ?? 0) + x.seconds });
  say(`  per step (mean): ${[...actions].map(([a, x]) => `${a} ${((1000 * x.seconds) / x.count).toFixed(0)} ms`).join(', ')}`);
  say(`  workflow tasks (histories): scheduled to started p50 ${percentile(history.scheduleToStartMs, 50).toFixed(0)} ms, p99 ${percentile(history.scheduleToStartMs, 99).toFixed(0)} ms; scheduled to completed p50 ${percentile(history.scheduleToCompleteMs, 50).toFixed(0)} ms, p99 ${percentile(history.scheduleToCompleteMs, 99).toFixed(0)} ms, over ${history.scheduleToCompleteMs.length} tasks; ${history.timedOutTasks.length} timed out (each a replay of its workflow)`);
  for (const t of history.timedOutTasks) say(`    timed out: a workflow task of ${t.workflowId} at ${new Date(t.atMs).toISOString()}, ${t.timeout} after ${(t.waitedMs / 1000).toFixed(1)} s (${((t.atMs - t0) / 1000).toFixed(1)} s into the run)`);
  say(`  activities (histories, every step's attempt that completed): scheduled to started p50 ${percentile(history.activityScheduleToStartMs, 50).toFixed(0)} ms, p99 ${percentile(history.activityScheduleToStartMs, 99).toFixed(0)} ms; started to completed p50 ${percentile(history.activityStartToCompleteMs, 50).toFixed(0)} ms (simulated service times and mandated polls included)`);
  say(`  histories: ${history.eventsMean.toFixed(0)} events per procedure (largest ${history.eventsMax}); the rollout's own ${history.rolloutEvents}`);
  say(`  this process (central worker, ${agents.length} agents, simulated hosts): RSS max ${mb(rssMax)} MB; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s over ${wallSeconds.toFixed(0)} s; event loop late p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
  const benchCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const serverCpuSeconds = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : undefined;
  const steps = history.activityScheduledMs.length;
  const rate = stepRate(history.activityScheduledMs, 10);
  const perStepMs = (seconds: number) => ((1000 * seconds) / Math.max(1, steps)).toFixed(1);
  say(`  CPU: this process ${benchCpuSeconds.toFixed(0)} s, the dev server ${serverCpuSeconds?.toFixed(0) ?? '?'} s, over ${wallSeconds.toFixed(0)} s wall (2 cores: ${(2 * wallSeconds).toFixed(0)} core-seconds, shared)`);
  say(`  steps (activities the procedures scheduled): ${steps}, ${rate.meanPerSecond.toFixed(1)} a second over the run, ${rate.busiestPerSecond.toFixed(1)} a second in its busiest 10 s; CPU per step, all included (workflow tasks, leases, agents, simulator): this process ${perStepMs(benchCpuSeconds)} ms, the dev server ${serverCpuSeconds !== undefined ? perStepMs(serverCpuSeconds) : '?'} ms${serverCpuSeconds !== undefined ? `: two idle cores would run at most ${((2 * steps) / (benchCpuSeconds + serverCpuSeconds)).toFixed(0)} steps a second` : ''}`);
  say(`  load after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')} (1/5/15 min; 2 cores, shared)`);
  console.log(
    JSON.stringify({
      siteServers: inventory.siteServers.length,
      groups: inventory.groups.length,
      wallSeconds: round(wallSeconds, 1),
      floorSeconds: round(floorSeconds, 1),
      overheadPercent: round(overheadPercent, 2),
      workerRssMb: mb(rssMax),
      workflowTaskLatencyMs: { p50: Math.round(percentile(history.scheduleToCompleteMs, 50)), p99: Math.round(percentile(history.scheduleToCompleteMs, 99)) },
      historyEventsPerProcedure: Math.round(history.eventsMean),
    }),
  );
}

/**
 * Starts the rollout once the server answers: right after a thousand task queues got their first
 * poll, the dev server's SQLite is busy creating them and its namespace look-up times out
 * ("Namespace not found") for a while.
 */
async function startWhenServerAnswers<T>(start: () => Promise<T>): Promise<T> {
  const until = Date.now() + 180_000;
  for (;;) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof NamespaceNotFoundError) || Date.now() > until) throw err;
      console.log(`  the server does not answer yet (${err.message}); again in 5 s`);
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

/** The rollout's result; after `seconds` its status so far, and the bench fails (a halted group would wait for an operator for ever). */
async function resultWithin(client: import('@temporalio/client').Client, workflowId: string, seconds: number): Promise<RolloutStatus> {
  const handle = client.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), seconds * 1000)));
  const outcome = await Promise.race([handle.result() as Promise<RolloutStatus>, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome;
  const now = await handle.query<RolloutStatus>('status');
  throw new Error(`the rollout did not end within ${seconds.toFixed(0)} s (FLEET_TIMEOUT_SECONDS): ${JSON.stringify(now.counts)}; halted: ${now.groups.halted.join(', ') || 'none'}`);
}

/** A few groups' paths (their procedures answer `status` from the worker's cache or by replay): where a group's time went. */
async function sampleGroupSplits(client: import('@temporalio/client').Client, status: RolloutStatus, count: number): Promise<GroupTimeSplit[]> {
  const groups = status.perGroup.filter((g) => g.procedure === 'restart-group-without-cache-deletion' && g.startedAt && g.endedAt);
  const step = Math.max(1, Math.floor(groups.length / count));
  const sample = groups.filter((_, i) => i % step === 0).slice(0, count);
  return Promise.all(
    sample.map(async (g) => {
      const handle = client.workflow.getHandle(g.workflowId);
      const s = await handle.query(statusQuery);
      const closed = (await handle.describe()).closeTime?.getTime();
      return groupTimeSplit(s.path, Date.parse(g.startedAt ?? ''), Date.parse(g.endedAt ?? ''), closed);
    }),
  );
}

const mb = (bytes: number) => Math.round(bytes / 1e6);
const round = (x: number, digits: number) => Number(x.toFixed(digits));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
