/**
 * The fleet bench's figures again from a dev server's data it left behind (a run that stopped
 * before its report): `FLEET_REPORT_DIR=<the run's spoolflow-test-… folder> FLEET_SERVERS=<n>
 * npx tsx bench/fleet-report.ts`. Same plan settings as the run (FLEET_TIME_SCALE,
 * FLEET_CONVERGENCE_SECONDS). The floor is computed for the units the rollout started; no RSS
 * (the run's process is gone).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { generateInventory } from '../simulator/spoc/generated-inventory';
import type { RolloutStatus } from '../workflows/fleet/rollout-messages';
import { startTestTemporal } from '../test/helpers/temporal-server';
import { rolloutFloorSeconds } from './fleet-floor';
import { historyFigures, percentile, timeBreakdown } from './fleet-figures';
import { planTargets } from './fleet-plan';

Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });

async function main(): Promise<void> {
  const dir = process.env.FLEET_REPORT_DIR;
  if (!dir) throw new Error('FLEET_REPORT_DIR must name the folder of the run (spoolflow-test-…)');
  const inventory = generateInventory({ servers: Number(process.env.FLEET_SERVERS ?? 1000), timeScale: Number(process.env.FLEET_TIME_SCALE ?? 60) });
  const targets = planTargets(inventory, Number(process.env.FLEET_CONVERGENCE_SECONDS ?? 90));
  const temporal = await startTestTemporal({ dir, dynamicConfig: { 'frontend.namespaceCount': 20_000 } });
  try {
    let rolloutId: string | undefined;
    for await (const w of temporal.client.workflow.list({ query: "WorkflowType = 'fleetRollout'" })) rolloutId = w.workflowId;
    if (!rolloutId) throw new Error(`no fleet rollout on the server in ${dir}`);
    const handle = temporal.client.workflow.getHandle(rolloutId);
    const description = await handle.describe();
    const status = (await handle.result()) as RolloutStatus;
    const t0 = description.startTime.getTime();
    const t1 = description.closeTime?.getTime() ?? Date.now();
    const started = new Set(status.perGroup.filter((g) => g.startedAt).map((g) => g.name));
    const startedTargets = targets.filter((t) => started.has(t.timed.name));
    const floorSeconds = rolloutFloorSeconds(startedTargets.map((t) => t.timed), status.limits);
    const floorOf = new Map(targets.map((t) => [t.timed.name, t.timed.seconds]));
    const wallSeconds = (t1 - t0) / 1000;
    const history = await historyFigures(temporal.client, status.perGroup.filter((g) => g.startedAt).map((g) => g.workflowId), rolloutId);
    const b = timeBreakdown(status, (name) => floorOf.get(name) ?? 0, t0, t1);
    console.log(`rollout ${rolloutId}: ${JSON.stringify(status.counts)}; ${started.size} of ${targets.length} units started`);
    console.log(`  wall ${wallSeconds.toFixed(1)} s against the floor of the started units ${floorSeconds.toFixed(1)} s`);
    console.log(`  each group beyond its floor p50 ${percentile(b.groupOverheadSeconds, 50).toFixed(1)} s, p99 ${percentile(b.groupOverheadSeconds, 99).toFixed(1)} s; lead-in ${b.leadInSeconds.toFixed(1)} s; last start ${b.lastStartSeconds.toFixed(1)} s after the rollout's`);
    console.log(`  workflow tasks: scheduled to started p50 ${percentile(history.scheduleToStartMs, 50).toFixed(0)} ms, p99 ${percentile(history.scheduleToStartMs, 99).toFixed(0)} ms; to completed p50 ${percentile(history.scheduleToCompleteMs, 50).toFixed(0)} ms, p99 ${percentile(history.scheduleToCompleteMs, 99).toFixed(0)} ms over ${history.scheduleToCompleteMs.length} tasks`);
    console.log(`  histories: ${history.eventsMean.toFixed(0)} events per procedure (largest ${history.eventsMax}); the rollout's own ${history.rolloutEvents}`);
    console.log(
      JSON.stringify({
        siteServers: inventory.siteServers.length,
        groups: inventory.groups.length,
        unitsStarted: started.size,
        wallSeconds: Number(wallSeconds.toFixed(1)),
        floorSeconds: Number(floorSeconds.toFixed(1)),
        overheadPercent: Number((((wallSeconds - floorSeconds) / floorSeconds) * 100).toFixed(2)),
        workerRssMb: null,
        workflowTaskLatencyMs: { p50: Math.round(percentile(history.scheduleToCompleteMs, 50)), p99: Math.round(percentile(history.scheduleToCompleteMs, 99)) },
        historyEventsPerProcedure: Math.round(history.eventsMean),
      }),
    );
  } finally {
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
