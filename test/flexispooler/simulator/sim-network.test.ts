/**
 * The simulated FlexiSpooler network without Temporal: what a client reaches from where it is,
 * DHCP option 9 and its outage, the public server and the data center, the servers' dedupe on the
 * job id, the release at a printer (once; the order note across servers), and the operation record.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSimNetwork } from '../../../simulator/flexispooler/sim-flexispooler-agents';
import type { SimFlexiSpoolerNetwork } from '../../../simulator/flexispooler/sim-network';
import { simNetworkCommand } from '../../../cli/sim-network-actions';
import { operatorCommandFromArgs } from '../../../cli/operator-command';

const job = (jobId: string) => ({ jobId, user: 'ann', document: 'a.pdf' });
let network: SimFlexiSpoolerNetwork;

beforeEach(() => {
  network = openSimNetwork(path.join(mkdtempSync(path.join(os.tmpdir(), 'spoolflow-flexi-')), 'sim'));
});
afterEach(() => network.store.close());

test("in the Prague office a client gets option 9 and reaches Prague's Spooler Controller, not London's", async () => {
  expect(await network.dhcpOption9('laptop-ann')).toEqual(['sc-prg-1']);
  expect(network.reaches('laptop-ann', 'sc-prg-1')).toBe(true);
  expect(network.reaches('laptop-ann', 'sc-lon-1')).toBe(false);
  expect(await network.deliverToSpoolerController('laptop-ann', 'sc-lon-1', job('j-1'))).toEqual({ outcome: 'unreachable', heldBy: null });
});

test('on a network whose DHCP withholds option 9 the client gets none', async () => {
  network.store.moveClient('laptop-ann', 'office-bratislava');
  network.store.setOption9Withheld('office-bratislava', true);
  expect(await network.dhcpOption9('laptop-ann')).toBeNull();
  network.store.moveClient('laptop-ann', 'office-bratislava-no-option-9');
  network.store.setOption9Withheld('office-bratislava', false);
  expect(await network.dhcpOption9('laptop-ann')).toBeNull();
});

test('a server holds a job once: a second delivery of the same id, to it or another server, answers already-held', async () => {
  network.store.moveClient('laptop-cleo', 'office-london');
  expect(await network.deliverToSpoolerController('laptop-cleo', 'sc-lon-1', job('j-1'))).toEqual({ outcome: 'accepted', heldBy: 'sc-lon-1' });
  expect(await network.deliverToSpoolerController('laptop-cleo', 'sc-lon-1', job('j-1'))).toEqual({ outcome: 'already-held', heldBy: 'sc-lon-1' });
  expect(await network.deliverToSpoolerController('laptop-cleo', 'sc-lon-2', job('j-1'))).toEqual({ outcome: 'already-held', heldBy: 'sc-lon-1' });
  expect(network.store.heldJobs().map((j) => [j.jobId, j.server])).toEqual([['j-1', 'sc-lon-1']]);
});

test('a Spooler Controller that is down is unreachable; offline nothing is reachable; public wifi reaches the public server, which forwards to the first data-center server up', async () => {
  network.store.moveClient('laptop-cleo', 'office-london');
  network.store.setDown('sc-lon-1', true);
  expect((await network.deliverToSpoolerController('laptop-cleo', 'sc-lon-1', job('j-1'))).outcome).toBe('unreachable');
  network.store.moveClient('laptop-ann', 'offline');
  expect(await network.deliverThroughPublicServer('laptop-ann', 'flexi-public', job('j-2'))).toEqual({ outcome: 'unreachable', dataCenterServer: null });
  network.store.moveClient('laptop-ann', 'public-wifi');
  network.store.setDown('flexi-dc-1', true);
  expect(await network.deliverThroughPublicServer('laptop-ann', 'flexi-public', job('j-2'))).toEqual({ outcome: 'accepted', dataCenterServer: 'flexi-dc-2' });
  expect(await network.deliverThroughPublicServer('laptop-ann', 'flexi-public', job('j-2'))).toEqual({ outcome: 'already-held', dataCenterServer: 'flexi-dc-2' });
});

test('authenticating at a printer prints each held job once, in any office, and says the order is not kept across servers', async () => {
  network.store.moveClient('laptop-ann', 'office-london');
  await network.deliverToSpoolerController('laptop-ann', 'sc-lon-1', job('j-1'));
  await network.deliverToSpoolerController('laptop-ann', 'sc-lon-2', job('j-2'));
  const release = network.authenticate('ann', 'printer-bts-1');
  expect(release).toMatchObject({ office: 'bratislava', printed: ['j-1', 'j-2'], stillHeld: [], plan: { orderKept: false } });
  expect(await network.releaseOf('sc-lon-1', 'j-1')).toMatchObject({ printer: 'printer-bts-1', office: 'bratislava' });
  expect(network.authenticate('ann', 'printer-bts-1').printed).toEqual([]);
  const prints = network.record.read().filter((e) => e.operation === 'print');
  expect(prints.map((e) => [e.job, e.server, e.outcome])).toEqual([
    ['j-1', 'sc-lon-1', 'printed at printer-bts-1 (bratislava)'],
    ['j-2', 'sc-lon-2', 'printed at printer-bts-1 (bratislava)'],
  ]);
  expect(prints[0]?.note).toContain('the order of printed jobs is not guaranteed across servers');
});

test('a job on a server that is down stays held when its user authenticates', async () => {
  network.store.moveClient('laptop-ann', 'office-london');
  await network.deliverToSpoolerController('laptop-ann', 'sc-lon-2', job('j-1'));
  network.store.setDown('sc-lon-2', true);
  expect(network.authenticate('ann', 'printer-lon-1')).toMatchObject({ printed: [], stillHeld: [{ jobId: 'j-1', server: 'sc-lon-2' }] });
});

test('every delivery step is recorded with time, client, job, operation, server and outcome', async () => {
  await network.deliverToSpoolerController('laptop-ann', 'sc-prg-1', job('j-1'));
  const [entry] = network.record.read();
  expect(entry).toEqual({ time: expect.any(String) as string, client: 'laptop-ann', job: 'j-1', operation: 'deliver-to-spooler-controller', server: 'sc-prg-1', outcome: 'accepted' });
});

test('spoolflow sim network refuses an unknown server or network, naming the known ones', () => {
  const previous = process.env.SPOOLFLOW_DATA_DIR;
  process.env.SPOOLFLOW_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-flexi-cli-'));
  try {
    expect(() => simNetworkCommand(['down', 'sc-par-1'], {})).toThrow('no server "sc-par-1"; servers: sc-prg-1, sc-lon-1, sc-lon-2, sc-bts-1, flexi-public, flexi-dc-1, flexi-dc-2');
    expect(() => simNetworkCommand(['move', 'laptop-ann', 'mars'], {})).toThrow('no network "mars"');
    expect(simNetworkCommand(['down', 'sc-lon-1'], {})).toEqual({ server: 'sc-lon-1', state: 'down' });
    expect(simNetworkCommand(['status'], {})).toMatchObject({ serversDown: ['sc-lon-1'] });
  } finally {
    if (previous === undefined) delete process.env.SPOOLFLOW_DATA_DIR;
    else process.env.SPOOLFLOW_DATA_DIR = previous;
  }
});

test("an operator's redirect takes a location in its normal form, and is refused without one", () => {
  expect(operatorCommandFromArgs('redirect', { location: 'Bratislava ', operator: 'eva' })).toEqual({ type: 'operator.redirect', location: 'bratislava', operator: 'eva' });
  expect(() => operatorCommandFromArgs('redirect', {})).toThrow('location: a redirect needs the location whose Spooler Controllers the job goes to (--location <location>)');
  expect(operatorCommandFromArgs('cancel', { reason: 'printed again at the office' })).toEqual({ type: 'operator.cancel', reason: 'printed again at the office' });
});
