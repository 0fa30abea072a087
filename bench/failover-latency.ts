/**
 * Failover latency of the passive-cluster supervisor: the primary of a simulated cluster (real
 * member processes, one SQLite database) is killed with SIGKILL again and again; each time, the
 * time from the kill until the cluster database shows the backup active. The supervisor runs as a
 * workflow on the embedded Temporal server, so every failover is: notice the stale heartbeat,
 * fence the primary, activate the backup, each a durable activity. Target: median within the
 * heartbeat timeout + 1 s.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import { SpoolflowClient } from '../client/spoolflow-client';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { withClusterWorkers } from '../test/helpers/cluster-workers';
import { waitUntil } from '../test/helpers/scheduler-cluster';
import type { TestTemporal } from '../test/helpers/temporal-server';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const HEARTBEAT = { intervalSeconds: 0.25, timeoutSeconds: 1.5 };
const OPTIONS = { 'js-1': '-exclusive', 'js-2': '-exclusive -backup -backup-precedence=1' } as const;

export async function failoverLatency(temporal: TestTemporal): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-bench-failover-'));
  const database = path.join(dir, 'cluster.sqlite');
  const fleet = new SchedulerFleet(path.join(dir, 'sim'));
  const db = SchedulerClusterDb.create(database);
  db.configure({ jobs: ['report'], jobChains: [] });
  const start = (member: keyof typeof OPTIONS) => fleet.start({ member, host: member, database, options: OPTIONS[member], heartbeatMs: HEARTBEAT.intervalSeconds * 1000 });
  const activeNow = (member: string) => db.clusterState().activeMember === member && db.member(member)?.status === 'active';
  const standbyAlive = (member: string) => db.observe(HEARTBEAT.timeoutSeconds * 1000).members.some((m) => m.member === member && m.alive && m.status === 'standby');
  const latencies: number[] = [];
  try {
    await Promise.all([start('js-1'), start('js-2')]);
    const spoolflow = new SpoolflowClient(temporal.client);
    const workflowId = `bench-failover-${randomUUID()}`;
    const input = {
      cluster: {
        cluster: 'bench',
        mode: 'passive',
        heartbeat: HEARTBEAT,
        members: Object.entries(OPTIONS).map(([host, clusterOptions]) => ({ host, os: 'unix', jobSchedulerId: 'bench', database: path.basename(database), installDir: `/opt/js/${host}`, clusterOptions })),
      },
      watch: { pollMs: 50, maxWatchSeconds: 60 },
    };
    await withClusterWorkers(temporal, { fleet, databaseDir: dir }, Object.keys(OPTIONS), async () => {
      await spoolflow.start('supervise-passive-cluster', input, { workflowId });
      for (let i = 0; i < KILLS; i += 1) {
        await waitUntil('the primary is active and the backup on standby', () => activeNow('js-1') && standbyAlive('js-2'), 30_000);
        const killedAt = Date.now();
        await fleet.kill('js-1');
        await waitUntil('the backup is active', () => activeNow('js-2'), 30_000, 2);
        latencies.push(Date.now() - killedAt);
        // Back to the start: the primary returns (the supervisor terminates the backup), the backup is started again.
        await start('js-1');
        await waitUntil('the primary is active again', () => activeNow('js-1'), 30_000);
        await waitUntil('the backup has ended', () => !fleet.info('js-2').running, 30_000);
        await start('js-2');
      }
      await spoolflow.command(workflowId, { type: 'operator.abort', reason: 'bench over' });
      await spoolflow.result(workflowId);
    });
  } finally {
    db.close();
    await fleet.killAll();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted.length % 2 ? (sorted[(sorted.length - 1) / 2] ?? 0) : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  const timeoutMs = HEARTBEAT.timeoutSeconds * 1000;
  console.log(`\n3. Failover latency: passive cluster, ${KILLS} kills (SIGKILL) of the primary, heartbeat every ${HEARTBEAT.intervalSeconds} s, timeout ${HEARTBEAT.timeoutSeconds} s`);
  console.log(`   kill -> backup active  : min ${sorted[0]} ms, median ${median} ms, max ${sorted[sorted.length - 1]} ms`);
  console.log(`   median - timeout       : ${(median - timeoutMs).toFixed(0)} ms (target <= 1000 ms)`);
}
