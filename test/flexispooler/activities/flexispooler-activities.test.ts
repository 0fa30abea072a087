/**
 * The FlexiSpooler activities against a network port: they act only for their own client, carry
 * the job id to the server (which dedupes on it), and the release watch reports a print or, after
 * its watch period, that the job is still held.
 */
import { createFlexiSpoolerClientActivities, createJobReleaseActivities, FlexiSpoolerNetwork, PrintJob } from '../../../activities/flexispooler/flexispooler-activities';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { planProcedure } from '../../../machines/core/plan';
import { procedureById } from '../../../machines/catalog';

const effect = { step: 's', title: 't', host: 'laptop-ann', jobId: 'ann-1', user: 'ann', document: 'a.pdf' };

function recordingNetwork(): FlexiSpoolerNetwork & { sent: [string, string, PrintJob][] } {
  const held = new Set<string>();
  const sent: [string, string, PrintJob][] = [];
  return {
    sent,
    dhcpOption9: () => Promise.resolve(['sc-lon-1', 'sc-lon-2']),
    deliverToSpoolerController: (client, server, job) => {
      sent.push([client, server, job]);
      const outcome = held.has(job.jobId) ? 'already-held' : 'accepted';
      held.add(job.jobId);
      return Promise.resolve({ outcome, heldBy: server });
    },
    deliverThroughPublicServer: () => Promise.resolve({ outcome: 'unreachable', dataCenterServer: null }),
  };
}

test('a delivery names the job id, and delivering it again finds it already held', async () => {
  const network = recordingNetwork();
  const activities = createFlexiSpoolerClientActivities('laptop-ann', network);
  const deliver = { ...effect, action: 'deliver-to-spooler-controller' as const, server: 'sc-lon-1' };
  expect(await activities.deliverToSpoolerController(deliver)).toEqual({ outcome: 'accepted', heldBy: 'sc-lon-1' });
  expect(await activities.deliverToSpoolerController(deliver)).toEqual({ outcome: 'already-held', heldBy: 'sc-lon-1' });
  expect(network.sent.map(([, server, job]) => [server, job.jobId])).toEqual([
    ['sc-lon-1', 'ann-1'],
    ['sc-lon-1', 'ann-1'],
  ]);
  expect(await activities.discoverSpoolerControllers({ step: 's', title: 't', action: 'discover-spooler-controllers', host: 'LAPTOP-ANN.' })).toEqual({ option9: ['sc-lon-1', 'sc-lon-2'] });
});

test("a client's agent refuses a step meant for another client, sending nothing", async () => {
  const network = recordingNetwork();
  const activities = createFlexiSpoolerClientActivities('laptop-ann', network);
  await expect(activities.deliverToSpoolerController({ ...effect, host: 'laptop-ben', action: 'deliver-to-spooler-controller', server: 'sc-lon-1' })).rejects.toThrow(
    'this agent runs on laptop-ann, not laptop-ben: refusing to act for another client',
  );
  expect(network.sent).toEqual([]);
});

test('the release watch answers the print once it happened, and "still held" after its watch period', async () => {
  let printed = false;
  const { awaitJobRelease } = createJobReleaseActivities({ releaseOf: () => Promise.resolve(printed ? { printer: 'printer-lon-1', office: 'london', printedAt: '2026-12-05T10:00:00.000Z' } : null) }, { pollMs: 5 });
  const watch = { step: 's', title: 't', action: 'await-job-release' as const, server: 'sc-lon-1', jobId: 'ann-1', user: 'ann', document: 'a.pdf', maxWatchMs: 30 };
  expect(await awaitJobRelease(watch)).toEqual({ released: false, printer: null, office: null, printedAt: null });
  printed = true;
  expect(await awaitJobRelease(watch)).toEqual({ released: true, printer: 'printer-lon-1', office: 'london', printedAt: '2026-12-05T10:00:00.000Z' });
});

test("the catalog's example plans: DHCP option 9, the first Prague Spooler Controller, the release", () => {
  const entry = catalogEntries().find((e) => e.id === 'deliver-print-job');
  const procedure = procedureById('deliver-print-job');
  const plan = planProcedure(procedure.machine, procedure.inputSchema.parse(entry?.exampleInput));
  expect(plan.map((s) => [s.action, s.target])).toEqual([
    ['discover-spooler-controllers', 'DHCP option 9'],
    ['deliver-to-spooler-controller', 'sc-prg-1'],
    ['await-job-release', 'sc-prg-1'],
  ]);
});
