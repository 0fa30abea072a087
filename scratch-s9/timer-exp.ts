import { Worker } from '@temporalio/worker';
import { startTestTemporal } from '../test/helpers/temporal-server';
async function main() {
  const t = await startTestTemporal({});
  const worker = await Worker.create({ connection: t.nativeConnection, namespace: t.namespace, taskQueue: 'tq', workflowsPath: require.resolve('./timer-wf.ts') });
  await worker.runUntil(async () => {
    for (const ms of [100, 300, 500, 700, 1000, 1500]) {
      const h = await t.client.workflow.start('timers', { taskQueue: 'tq', workflowId: `t-${ms}-${Date.now()}`, args: [ms, 6] });
      await h.result();
      const events = (await h.fetchHistory()).events ?? [];
      const at = (e: any) => Number(e.eventTime.seconds) * 1000 + e.eventTime.nanos / 1e6;
      const started: number[] = []; const fired: number[] = [];
      for (const e of events) { if (e.timerStartedEventAttributes) started.push(at(e)); if (e.timerFiredEventAttributes) fired.push(at(e)); }
      console.log(ms, fired.map((f, i) => Math.round(f - started[i]!)).join(' '));
    }
  });
  await t.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
