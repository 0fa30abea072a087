// Proves the spool cleaning on a real Temporal server, run by the workers as `npm start` runs them
// (a separate process, simulator/main.ts), with the product's durations scaled to seconds (an
// interval of 0.5 s, a TTL of 2 s): the schedule is created and kept in step with the configuration
// (a pause kept), the first report comes after the jitter alone and the next after the interval plus
// a jitter (durable timers), a report renews the TTL, and the document's edge case: the spooler
// misses the delete command and stays away longer than the TTL, so the job is kept; with healing by
// report it is listed, with reissue deleted. Across a kill -9 of the workers, right as a spooler's
// delete commands go out, no job is deleted twice, none is lost, none the rule keeps is touched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteRequestStore } from '../../../activities/spoolcleaning/delete-request-store';
import { ensureSpoolCleaning } from '../../../client/spool-cleaning';
import { simJobServiceFile } from '../../../simulator/spoolcleaning/sim-spool-cleaning';
import { SimSpoolers } from '../../../simulator/spoolcleaning/sim-spoolers';
import { DEFAULT_INVENTORY_FILE } from '../../../simulator/spoc/inventory';
import { configureSignal, reportingStatusQuery, SPOOL_CLEANING_SCHEDULE_ID, spoolerReportingWorkflowId } from '../../../workflows/spoolcleaning/spool-cleaning-names';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { until as pollUntil } from '../../helpers/until';

const estate = useSimulatedEstate();
const DAY = 24 * 3_600_000;
const B_DELETABLE = Array.from({ length: 20 }, (_, i) => `b-printed-${i}`);
const B_KEPT = Array.from({ length: 5 }, (_, i) => `b-waiting-${i}`);

function config(healing: 'keep' | 'report' | 'reissue') {
  return {
    spoolers: ['spl-a', 'spl-b'],
    StatusReportingOptions: { ReportingInterval: '00:00:00.500', MaxJitter: '00:00:00.250' },
    YmqProxyOptions: { DeleteJobCandidateExpirationTime: '00:00:02' },
    // Never due while the test runs: the test triggers the schedule's runs itself.
    cleaning: { cron: '0 0 1 1 *', rule: [{ state: 'printed', olderThan: '1.00:00:00' }] },
    orphans: { healing, overdueAfter: '365.00:00:00' },
  };
}

/** The shared poll, allowing 90 s unless told: the first wait includes the worker process bundling the workflows. */
const until = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> => pollUntil(what, probe, timeoutMs);

let dataDir: string;
let store: DeleteRequestStore | undefined;
beforeAll(() => (dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-spool-cleaning-'))));
afterAll(() => {
  store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('first report after the jitter, TTL renewed, the edge case kept, listed, healed; nothing deleted twice or lost across a kill -9', async () => {
  const spoolers = new SimSpoolers(path.join(dataDir, 'sim'));
  spoolers.ensure('spl-a');
  spoolers.putJob('spl-a', 'old', 'printed', Date.now() - 2 * DAY);
  spoolers.putJob('spl-a', 'new', 'printed', Date.now());
  spoolers.ensure('spl-b');
  for (const job of B_DELETABLE) spoolers.putJob('spl-b', job, 'printed', Date.now() - 2 * DAY);
  for (const job of B_KEPT) spoolers.putJob('spl-b', job, 'waiting', Date.now() - 2 * DAY);
  const configFile = path.join(dataDir, 'spool-cleaning.json');
  writeFileSync(configFile, JSON.stringify(config('keep')));
  const workers = () => estate.workerProcess({ dataDir, inventoryFile: DEFAULT_INVENTORY_FILE, extraEnv: { SPOOLFLOW_SPOOL_CLEANING: 'on', SPOOLFLOW_SPOOL_CLEANING_CONFIG: configFile } });
  const client = estate.client;
  const schedule = client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID);
  const reporting = client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
  const reports = (spooler: string) => spoolers.record.read().filter((e) => e.host === spooler && e.operation === 'report' && e.outcome === 'sent');
  const deletions = (outcome = 'deleted') => spoolers.record.read().filter((e) => e.operation === 'delete-job' && e.outcome === outcome).map((e) => e.target);

  // The workers create the schedule; the first report comes after the jitter alone, the second after the interval plus a jitter.
  const first = workers();
  await until('two reports of spl-a', () => reports('spl-a').length >= 2);
  expect((await ensureSpoolCleaning(client, config('keep'))).schedule).toBe('unchanged');
  const history = await reporting.fetchHistory();
  const timers = (history.events ?? []).flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6] : [];
  });
  expect(timers[0]).toBeLessThanOrEqual(250);
  expect(timers[1]).toBeGreaterThanOrEqual(500);
  expect(timers[1]).toBeLessThanOrEqual(750);

  // spl-a will miss its next delete command. The cleaning caches the requests; as spl-b's
  // commands go out, the workers are killed and started again.
  spoolers.disconnect('spl-a', { beforeCommand: true });
  await schedule.trigger();
  store = new DeleteRequestStore(simJobServiceFile(path.join(dataDir, 'sim')));
  const requested = await until('the request of spl-a', () => store!.requestsFor('spl-a', ['old'])[0]);
  expect(store.requestsFor('spl-b', B_KEPT)).toEqual([]);
  await until('spl-b deleting', () => deletions().some((job) => job.startsWith('b-')));
  // spl-a's command must have gone out before the kill: with a TTL of 2 s, new workers slower to
  // start than that would find the request expired at spl-a's next report and send nothing.
  await until('the command to spl-a sent', () => spoolers.record.read().some((e) => e.host === 'spl-a' && e.operation === 'disconnect'));
  await first.kill('SIGKILL');
  const second = workers();

  // The new workers bundle the workflow code before they poll: under a loaded CI machine that alone
  // can take half a minute, so this wait allows for it.
  await until('the command to spl-a lost', async () => (await reporting.query(reportingStatusQuery)).lostDeleteCommands.includes('old'), 120_000).catch((err: Error) => {
    throw new Error(`${err.message}\nworkers after the restart said:\n${second.output().slice(-4000)}`);
  });
  const renewed = store.requestsFor('spl-a', ['old'])[0]!;
  expect(renewed.expiresAt).toBeGreaterThan(requested.expiresAt);

  // Away longer than the TTL: the request expires, the next run drops it; back, the job is kept.
  await until('the TTL to pass', () => Date.now() > renewed.expiresAt + 200);
  await schedule.trigger();
  await until('the expired request dropped', () => store!.requestsFor('spl-a', ['old']).length === 0);
  spoolers.reconnect('spl-a');
  const back = reports('spl-a').length;
  await until('two reports after the return', () => reports('spl-a').length >= back + 2);
  expect(spoolers.folder('spl-a').has('old')).toBe(true);

  // Healing by report lists it; a pause set on the Web UI survives the update of the schedule.
  await schedule.pause('paused by the operator');
  expect((await ensureSpoolCleaning(client, config('report'))).schedule).toBe('updated');
  expect((await schedule.describe()).state.paused).toBe(true);
  await until('the orphan listed', () => store!.snapshot().orphans.find((o) => o.jobId === 'old'));
  expect(spoolers.folder('spl-a').has('old')).toBe(true);

  // Healing by reissue deletes it. Every job the rule lets go was deleted once; the others are there.
  await ensureSpoolCleaning(client, config('reissue'));
  await until('the orphan deleted', () => !spoolers.folder('spl-a').has('old'));
  await until('spl-b emptied of its printed jobs', () => B_DELETABLE.every((job) => !spoolers.folder('spl-b').has(job)));
  // Deleted once each. A kill -9 between a folder's removal and its record line leaves that line out;
  // the retried command then finds the job gone and says so.
  const deleted = deletions();
  expect(new Set(deleted).size).toBe(deleted.length);
  expect([...new Set([...deleted, ...deletions('already-gone')])].sort()).toEqual([...B_DELETABLE, 'old'].sort());
  await until('the deleted orphan off the list', () => store!.snapshot().orphans.length === 0);
  expect(spoolers.folder('spl-a').has('new')).toBe(true);
  expect(B_KEPT.every((job) => spoolers.folder('spl-b').has(job))).toBe(true);
}, 300_000);

test("keeping the cleaning in step ends the reporting loop of a spooler taken out of the configuration, and only that one", async () => {
  const client = estate.client;
  const removed = spoolerReportingWorkflowId('spl-gone');
  const kept = spoolerReportingWorkflowId('spl-a');
  await ensureSpoolCleaning(client, { ...config('report'), spoolers: ['spl-a', 'spl-gone'] });
  // The server's list of running workflows may lag a start by a moment.
  await until('the loop of spl-gone listed', async () => (await client.workflow.count(`WorkflowId = '${removed}' AND ExecutionStatus = 'Running'`)).count === 1);
  const setUp = await ensureSpoolCleaning(client, { ...config('report'), spoolers: ['spl-a'] });
  expect(setUp.ended).toContain(removed);
  expect(setUp.ended).not.toContain(kept);
  expect((await client.workflow.getHandle(removed).describe()).status.name).toBe('TERMINATED');
  expect((await client.workflow.getHandle(kept).describe()).status.name).toBe('RUNNING');
  expect((await ensureSpoolCleaning(client, { ...config('report'), spoolers: ['spl-a'] })).ended).toEqual([]);
});

test('a job its user prints again as its delete command comes is kept, its request with it; once printed it is deleted by a later report', async () => {
  const client = estate.client;
  const spoolers = new SimSpoolers(path.join(dataDir, 'sim'));
  const submittedAt = Date.now() - 2 * DAY;
  spoolers.putJob('spl-a', 'reprinted', 'printed', submittedAt);
  spoolers.reprintBeforeCommand('spl-a');
  await ensureSpoolCleaning(client, { ...config('keep'), spoolers: ['spl-a'] });
  const jobService = new DeleteRequestStore(simJobServiceFile(path.join(dataDir, 'sim')));
  const outcomes = () => spoolers.record.read().filter((e) => e.operation === 'delete-job' && e.target === 'reprinted').map((e) => e.outcome);
  try {
    // The cleaning asks for the jobs the controller knows from the reports.
    await until('a report listing the job', () => jobService.snapshot().controllerJobs.some((j) => j.jobId === 'reprinted'));
    await client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID).trigger();
    await until('the command for the reprinted job', () => outcomes().length > 0);
    expect(outcomes()).toEqual(['kept-printing']);
    expect(spoolers.folder('spl-a').list().find((j) => j.jobId === 'reprinted')).toEqual({ jobId: 'reprinted', state: 'printing', submittedAt });

    // The Job Service was not told it is gone: its request is still cached, renewed by each report.
    await until('a report after the kept command', () => jobService.requestsFor('spl-a', ['reprinted'])[0]);

    // The print ends; the job is as the rule lets go again, and the next command deletes it.
    spoolers.putJob('spl-a', 'reprinted', 'printed', submittedAt);
    await until('the printed job deleted', () => !spoolers.folder('spl-a').has('reprinted'));
    expect(outcomes()).toEqual(['kept-printing', 'deleted']);
  } finally {
    jobService.close();
  }
}, 120_000);

test('a loop left on an older configuration (its keeper crashed before telling it) is told the configuration again, though the schedule has it', async () => {
  const client = estate.client;
  const current = { ...config('report'), spoolers: ['spl-a'] };
  const older = { ...config('keep'), spoolers: ['spl-a'] };
  const loop = client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
  await ensureSpoolCleaning(client, current);
  // The state a keeper that crashed between updating the schedule and telling the loops leaves.
  await loop.signal(configureSignal, older);
  await until('the loop on the older configuration', async () => JSON.stringify(await configurationOfTheLoop(loop)) === JSON.stringify(older) || undefined);
  expect((await ensureSpoolCleaning(client, current)).schedule).toBe('unchanged');
  await until('the loop told the current configuration', async () => JSON.stringify(await configurationOfTheLoop(loop)) === JSON.stringify(current) || undefined, 30_000);
});

/**
 * The configuration a reporting loop last took, as its history on the server says: the last
 * configure signal of its latest run, else the configuration the run was started with (a
 * continue-as-new carries it over). A signal that arrives while a workflow task of the loop runs is
 * held by the server and written to the history when the task completes, so a caller polls this.
 */
async function configurationOfTheLoop(loop: ReturnType<typeof estate.client.workflow.getHandle>): Promise<unknown> {
  const events = (await loop.fetchHistory()).events ?? [];
  const decode = (data: Uint8Array | null | undefined): unknown => (data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined);
  const signalled = events.flatMap((e) => (e.workflowExecutionSignaledEventAttributes?.signalName === configureSignal.name ? [decode(e.workflowExecutionSignaledEventAttributes.input?.payloads?.[0]?.data)] : []));
  if (signalled.length > 0) return signalled.at(-1);
  const started = decode(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data) as { config?: unknown } | undefined;
  return started?.config;
}

test('a job listed with its submission time in seconds, not ms, is kept and named in the loop\'s status; its printed neighbour goes', async () => {
  const client = estate.client;
  const spoolers = new SimSpoolers(path.join(dataDir, 'sim'));
  const twoDaysAgo = Date.now() - 2 * DAY;
  // In ms since the epoch it would be a day in January 1970: 56 years old, far past the rule's one day.
  spoolers.putJob('spl-a', 'in-seconds', 'printed', Math.floor(twoDaysAgo / 1000));
  spoolers.putJob('spl-a', 'in-ms', 'printed', twoDaysAgo);
  await ensureSpoolCleaning(client, { ...config('keep'), spoolers: ['spl-a'] });
  const jobService = new DeleteRequestStore(simJobServiceFile(path.join(dataDir, 'sim')));
  const reporting = client.workflow.getHandle(spoolerReportingWorkflowId('spl-a'));
  try {
    await until('a report listing both jobs', () => ['in-seconds', 'in-ms'].every((id) => jobService.snapshot().controllerJobs.some((j) => j.jobId === id)));
    await client.schedule.getHandle(SPOOL_CLEANING_SCHEDULE_ID).trigger();
    await until('the job in ms deleted', () => !spoolers.folder('spl-a').has('in-ms'));
    const named = await until('the job in seconds named', async () => (await reporting.query(reportingStatusQuery)).implausibleSubmissions);
    expect(named.jobs).toContainEqual({ jobId: 'in-seconds', submittedAt: Math.floor(twoDaysAgo / 1000) });
    // Neither the cleaning run nor a report asked for it; two more reports leave it on the disk.
    expect(jobService.requestsFor('spl-a', ['in-seconds'])).toEqual([]);
    const reports = (await reporting.query(reportingStatusQuery)).reports;
    await until('two more reports', async () => (await reporting.query(reportingStatusQuery)).reports >= reports + 2);
    expect(spoolers.folder('spl-a').has('in-seconds')).toBe(true);
    expect(spoolers.record.read().filter((e) => e.operation === 'delete-job' && e.target === 'in-seconds')).toEqual([]);
  } finally {
    jobService.close();
  }
}, 120_000);
