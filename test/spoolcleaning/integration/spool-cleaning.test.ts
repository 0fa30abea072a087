// Proves the spool cleaning on a real Temporal server, with the product's durations scaled to
// seconds (an interval of 0.5 s, a TTL of 2 s): the schedule is created and kept in step with the
// configuration (a pause kept), the first report comes after the jitter alone and the next after the
// interval plus a jitter (durable timers), a report renews the TTL, and the document's edge case:
// the spooler misses the delete command and stays away longer than the TTL, so the job is kept;
// with healing by report it is listed, with reissue it is deleted, once, and no job the rule keeps
// is touched.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSpoolCleaning } from '../../../client/spool-cleaning';
import { createSimSpoolCleaningWorkers, type SimSpoolCleaningWorkers } from '../../../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers } from '../../../simulator/spoolcleaning/sim-spoolers';
import { reportingStatusQuery, SPOOL_CLEANING_SCHEDULE_ID, spoolerReportingWorkflowId } from '../../../workflows/spoolcleaning/spool-cleaning-names';
import { createCentralWorker } from '../../../worker/central-worker';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();
const DAY = 24 * 3_600_000;

function config(healing: 'keep' | 'report' | 'reissue') {
  return {
    spoolers: ['spl-a'],
    StatusReportingOptions: { ReportingInterval: '00:00:00.500', MaxJitter: '00:00:00.250' },
    YmqProxyOptions: { DeleteJobCandidateExpirationTime: '00:00:02' },
    // Never due while the test runs: the test triggers the schedule's runs itself.
    cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
    orphans: { healing, overdueAfter: '365.00:00:00' },
  };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-spool-cleaning-'))));
afterAll(() => { if (process.env.KEEP_DIR) console.log(dir); else rmSync(dir, { recursive: true, force: true }); });

async function withSpoolCleaningWorkers<T>(fn: (sim: SimSpoolCleaningWorkers) => Promise<T>): Promise<T> {
  const conn = { connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace };
  const noManagementServer = { address: 'none', ping: async () => undefined, spocStatus: async () => ({}) };
  const sim = await createSimSpoolCleaningWorkers(conn, dir, ['spl-a']);
  const workers = [await createCentralWorker({ ...conn, managementServer: noManagementServer }), ...sim.workers];
  const running = workers.map((w) => w.run());
  try {
    return await fn(sim);
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    sim.store.close();
  }
}

test("first report after the jitter, TTL renewed, and the edge case: kept, then listed, then healed by reissue", async () => {
  const spoolers = new SimSpoolers(dir);
  spoolers.ensure('spl-a');
  spoolers.putJob('spl-a', 'old', 'printed', Date.now() - 2 * DAY);
  spoolers.putJob('spl-a', 'new', 'printed', Date.now());
  await withSpoolCleaningWorkers(async ({ store }) => {
    const client = estate.client;
    expect((await ensureSpoolCleaning(client, config('keep'))).schedule).toBe('created');
    expect((await ensureSpoolCleaning(client, config('keep'))).schedule).toBe('unchanged');
    const schedule = client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID);
    const reports = () => spoolers.record.read().filter((e) => e.operation === 'report' && e.outcome === 'sent');

    // The first report after the jitter alone, the second after the interval plus a jitter.
    await until('two reports', () => reports().length >= 2);
    const history = await client.workflow.getHandle(spoolerReportingWorkflowId('spl-a')).fetchHistory();
    const timers = (history.events ?? []).flatMap((e) => (e.timerStartedEventAttributes ? [Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0) * 1000 + (e.timerStartedEventAttributes.startToFireTimeout?.nanos ?? 0) / 1e6] : []));
    expect(timers[0]).toBeLessThanOrEqual(250);
    expect(timers[1]).toBeGreaterThanOrEqual(500);
    expect(timers[1]).toBeLessThanOrEqual(750);

    // The spooler will miss its next delete command; the cleaning caches the request.
    spoolers.disconnect('spl-a', { beforeCommand: true });
    await schedule.trigger();
    const requested = await until('the request', () => store.requestsFor('spl-a', ['old'])[0]);
    expect(store.requestsFor('spl-a', ['new'])).toEqual([]);
    const reporting = client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
    for (let lost: string[] = []; !lost.includes('old'); await new Promise((r) => setTimeout(r, 100))) lost = (await reporting.query(reportingStatusQuery)).lostDeleteCommands;
    const renewed = store.requestsFor('spl-a', ['old'])[0]!;
    expect(renewed.expiresAt).toBeGreaterThan(requested.expiresAt);

    // Away longer than the TTL: the request expires and is dropped by the next run.
    await until('the TTL to pass', () => Date.now() > renewed.expiresAt + 200);
    await schedule.trigger();
    await until('the expired request dropped', () => store.requestsFor('spl-a', ['old']).length === 0);
    spoolers.reconnect('spl-a');
    const back = reports().length;
    await until('two reports after the return', () => reports().length >= back + 2);
    expect(spoolers.folder('spl-a').has('old')).toBe(true);
    await schedule.trigger();
    expect(store.requestsFor('spl-a', ['old'])).toEqual([]);

    // Healing by report lists it; a pause set on the Web UI survives the update of the schedule.
    await schedule.pause('paused by the operator');
    expect((await ensureSpoolCleaning(client, config('report'))).schedule).toBe('updated');
    expect((await schedule.describe()).state.paused).toBe(true);
    await until('the orphan listed', () => store.snapshot().orphans.find((o) => o.jobId === 'old'));
    expect(spoolers.folder('spl-a').has('old')).toBe(true);

    // Healing by reissue deletes it, once; the job the rule keeps is left.
    await ensureSpoolCleaning(client, config('reissue'));
    await until('the orphan deleted', () => !spoolers.folder('spl-a').has('old'));
    await until('one more report', () => reports().length >= back + 5);
    const deletions = spoolers.record.read().filter((e) => e.operation === 'delete-job' && e.outcome === 'deleted');
    expect(deletions.map((e) => e.target)).toEqual(['old']);
    expect(store.snapshot().orphans).toEqual([]);
    expect(spoolers.folder('spl-a').has('new')).toBe(true);
  });
});
