/**
 * Print jobs delivered on a real Temporal server over the simulated network: the document's four
 * scenarios with their outages and the London failover between two Spooler Controllers, every job
 * held once and printed once, by the workers of the simulated estate in their own process
 * (simulator/main.ts, as npm start runs them); then a kill -9 of that process while a server is
 * taking a job, and the job still printed exactly once by the workers that take over. The outages are set in the simulated network's file, as `spoolflow sim
 * network` sets them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSimNetwork } from '../../../simulator/flexispooler/sim-flexispooler-agents';
import { SIM_CLIENTS, simPrintJobInput } from '../../../simulator/flexispooler/sim-network-definition';
import type { SimFlexiSpoolerNetwork } from '../../../simulator/flexispooler/sim-network';
import type { ProcedureStatus } from '../../../workflows/operator-messages';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';
import { waitUntil } from '../../helpers/scheduler-cluster';
import { withFlexiSpoolerWorkers } from '../../helpers/flexispooler-workers';

const estate = useSimulatedEstate();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-flexi-it-'));
const inventoryFile = path.join(dataDir, 'inventory.json');
writeFileSync(inventoryFile, JSON.stringify(testInventory()));
const env = { dataDir, inventoryFile };
let network: SimFlexiSpoolerNetwork;
let workerProcess: ReturnType<typeof estate.workerProcess>;

beforeAll(() => {
  network = openSimNetwork(path.join(dataDir, 'sim'));
  // The workers of the simulated estate, as npm start runs them, in their own process: killed with
  // kill -9 in the second test, after which the test's own workers take over.
  workerProcess = estate.workerProcess(env);
});
afterAll(() => network.store.close());

const clientNamed = (name: string) => {
  const client = SIM_CLIENTS.find((c) => c.client === name);
  if (!client) throw new Error(`no simulated client ${name}`);
  return client;
};

async function print(client: string, job: string): Promise<string> {
  const input = simPrintJobInput(clientNamed(client), { id: job, document: `${job}.pdf` }, { retrySeconds: 1, releaseWatchSeconds: 30 });
  // The client names the workflow (flexispooler-job-<client>:<job>), as for any other caller.
  const { workflowId } = await estate.spoolflow.start('deliver-print-job', input);
  return workflowId;
}

const summary = (s: ProcedureStatus) => s.summary as { heldOn: { server: string; via: string } | null; waitingBecause: string | null; location: string | null };
/** An operator command, sent again while the job is between two attempts (a redirect is taken only while it waits). */
async function whileWaiting(workflowId: string, command: Parameters<typeof estate.spoolflow.command>[1]): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    await estate.waitForStatus(workflowId, (s) => s.status === 'waiting', 30_000);
    try {
      await estate.spoolflow.command(workflowId, command);
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}
/** The refusal of a command the waiting job takes in kind but not with these fields (between attempts it takes neither). */
async function refusalWhileWaiting(workflowId: string, command: Parameters<typeof estate.spoolflow.command>[1]): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await estate.waitForStatus(workflowId, (s) => s.status === 'waiting', 30_000);
    const refusal = await estate.spoolflow.command(workflowId, command).then(
      () => 'taken',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (!refusal.includes('is not possible at step')) return refusal;
  }
  throw new Error(`${workflowId}: never refused the command while waiting`);
}
const heldOn = (workflowId: string, server: string) => estate.waitForStatus(workflowId, (s) => summary(s).heldOn?.server === server, 30_000);
const waiting = (workflowId: string, because: string) => estate.waitForStatus(workflowId, (s) => s.status === 'waiting' && (summary(s).waitingBecause ?? '').includes(because), 30_000);

test('the four scenarios with their outages, and the London failover: each job waits where the document says, goes out when it can, and is printed exactly once', async () => {
  const { store } = network;
  store.moveClient('laptop-cleo', 'office-london');
  store.setDown('sc-lon-1', true); // scenario 1, London: one controller down
  store.moveClient('laptop-dan', 'office-bratislava');
  store.setDown('sc-bts-1', true); // scenario 1, Bratislava: its only controller down
  store.moveClient('laptop-ann', 'office-bratislava-no-option-9'); // scenario 2: moved, DHCP sends no option 9
  store.moveClient('laptop-ben', 'office-bratislava'); // scenario 3: moved, the locations map says Prague
  store.moveClient('laptop-eva', 'offline'); // scenario 4: in the taxi
  const [cleo, dan, ann, ben, eva] = await Promise.all([print('laptop-cleo', 'cleo-1'), print('laptop-dan', 'dan-1'), print('laptop-ann', 'ann-1'), print('laptop-ben', 'ben-1'), print('laptop-eva', 'eva-1')]);

  expect(summary(await heldOn(cleo, 'sc-lon-2')).heldOn).toEqual({ server: 'sc-lon-2', via: 'spooler-controller' });
  // A second job of Cleo's, held too, that the operator stops watching: the delivery ends (before
  // any user comes), and its server still holds the job.
  const unwatched = await print('laptop-cleo', 'cleo-3');
  await heldOn(unwatched, 'sc-lon-2');
  await estate.spoolflow.command(unwatched, { type: 'operator.abort', operator: 'helpdesk', reason: 'printed from a copy' });
  expect(await estate.spoolflow.result(unwatched)).toMatchObject({ outcome: 'unwatched', heldOn: { server: 'sc-lon-2' }, release: null, unwatched: { operator: 'helpdesk' } });
  await waiting(dan, 'no Spooler Controller of bratislava reachable (sc-bts-1, tried in this order)');
  expect(summary(await waiting(ann, 'DHCP option 9 did not come: the client kept its last location, prague')).location).toBe('prague');
  await waiting(ben, 'the locations map set at installation names prague');
  await waiting(eva, 'the public FlexiSpooler Server flexi-public not reachable either');

  store.setDown('sc-bts-1', false); // Bratislava's controller is back
  store.moveClient('laptop-eva', 'public-wifi'); // the airport
  await Promise.all([heldOn(dan, 'sc-bts-1'), heldOn(eva, 'flexi-dc-1')]);
  store.moveClient('laptop-ann', 'office-bratislava'); // DHCP sends option 9 again
  await heldOn(ann, 'sc-bts-1');
  // Ben's client would wait for Prague as long as he stays: the operator sends the job to Bratislava,
  // after a slip of the pen that is refused naming the location and the rule.
  expect(await refusalWhileWaiting(ben, { type: 'operator.redirect', location: 'bratislawa', operator: 'helpdesk' })).toBe(
    `${ben} refused operator.redirect: "operator.redirect" is refused at step waitingForConnection: location: "bratislawa" is no location of the estate; a waiting job is redirected to one of its locations: prague, london, bratislava`,
  );
  await whileWaiting(ben, { type: 'operator.redirect', location: 'bratislava', operator: 'helpdesk', reason: 'ben is in Bratislava this week' });
  await heldOn(ben, 'sc-bts-1');

  network.authenticate('cleo', 'printer-lon-1');
  network.authenticate('eva', 'printer-lon-1'); // arrived in London: from the data center
  for (const user of ['dan', 'ann', 'ben']) network.authenticate(user, 'printer-bts-1');
  const results = (await Promise.all([cleo, dan, ann, ben, eva].map((id) => estate.spoolflow.result(id)))) as { outcome: string; heldOn: { server: string }; release: { printer: string } }[];
  expect(results.map((r) => [r.outcome, r.heldOn.server, r.release.printer])).toEqual([
    ['printed', 'sc-lon-2', 'printer-lon-1'],
    ['printed', 'sc-bts-1', 'printer-bts-1'],
    ['printed', 'sc-bts-1', 'printer-bts-1'],
    ['printed', 'sc-bts-1', 'printer-bts-1'],
    ['printed', 'flexi-dc-1', 'printer-lon-1'],
  ]);
  const record = network.record.read();
  const jobs = ['cleo-1', 'dan-1', 'ann-1', 'ben-1', 'eva-1'];
  for (const job of jobs) {
    expect({ job, taken: record.filter((e) => e.job === job && e.operation.startsWith('deliver-') && e.outcome === 'accepted').length }).toEqual({ job, taken: 1 });
    expect({ job, printed: record.filter((e) => e.job === job && e.operation === 'print' && e.outcome.startsWith('printed')).length }).toEqual({ job, printed: 1 });
  }
  // The job no longer watched was still held, and printed when Cleo came.
  expect(record.filter((e) => e.job === 'cleo-3' && e.operation === 'print').map((e) => [e.server, e.outcome])).toEqual([['sc-lon-2', 'printed at printer-lon-1 (london)']]);
  // The London failover: sc-lon-1 first, unreachable, then sc-lon-2.
  expect(record.filter((e) => e.job === 'cleo-1' && e.operation === 'deliver-to-spooler-controller').map((e) => [e.server, e.outcome])).toEqual([
    ['sc-lon-1', 'unreachable'],
    ['sc-lon-2', 'accepted'],
  ]);
  // Scenario 4: not spooled locally, only through the public server.
  expect(record.filter((e) => e.job === 'eva-1' && e.outcome !== 'unreachable').map((e) => e.operation)).toEqual(['deliver-through-public-server', 'print']);
}, 120_000);

test('kill -9 of the workers while a Spooler Controller takes a job: a new worker delivers it again with the same job id, and it is held and printed once', async () => {
  const { store } = network;
  store.moveClient('laptop-cleo', 'office-london');
  store.setDown('sc-lon-1', false);
  store.setSlowness('sc-lon-1', 20_000); // the controller takes the job, then its answer is slow
  const workflowId = await print('laptop-cleo', 'cleo-2');
  await waitUntil('sc-lon-1 took the job', () => network.record.read().some((e) => e.job === 'cleo-2' && e.outcome === 'accepted'), 60_000);
  await workerProcess.kill('SIGKILL');
  store.setSlowness('sc-lon-1', 0);
  await withFlexiSpoolerWorkers(estate.temporal, network, async () => {
    await heldOn(workflowId, 'sc-lon-1');
    network.authenticate('cleo', 'printer-lon-1');
    expect(await estate.spoolflow.result(workflowId)).toMatchObject({ outcome: 'printed', heldOn: { server: 'sc-lon-1' } });
  });
  const deliveries = network.record.read().filter((e) => e.job === 'cleo-2');
  expect(deliveries.map((e) => [e.operation, e.server, e.outcome])).toEqual([
    ['deliver-to-spooler-controller', 'sc-lon-1', 'accepted'],
    ['deliver-to-spooler-controller', 'sc-lon-1', 'already-held'],
    ['print', 'sc-lon-1', 'printed at printer-lon-1 (london)'],
  ]);
}, 120_000);
