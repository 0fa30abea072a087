/**
 * The fleet configuration: the example of the README is accepted, and each broken rule is refused
 * with the field it breaks, before anything starts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fleetWarnings, loadFleetConfig, managementServerOptions, resolveFleetConfig } from '../../../worker/fleet-config';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'deploy', 'fleet.example.json');
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-fleet-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const minimal = () => ({
  managementServer: { url: 'https://dp-mgmt.example.com/' },
  siteServers: [{ host: 'spoc-a' }, { host: 'spoc-b' }],
});

/** The message resolving `config` (as if read from a file in the test's folder) fails with. */
function refusal(config: unknown): string {
  try {
    resolveFleetConfig(config, path.join(dir, 'fleet.json'));
  } catch (err) {
    expect((err as Error).name).toBe('FleetConfigError');
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

test('the example of a real estate is accepted once its CA file and cluster folder exist', () => {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { jobScheduler: { clusterDatabaseDir: string } };
  writeFileSync(path.join(dir, 'corp-root-ca.pem'), PEM);
  mkdirSync(path.join(dir, 'clusters'));
  example.jobScheduler.clusterDatabaseDir = 'clusters';
  writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify(example));
  const fleet = loadFleetConfig(path.join(dir, 'fleet.json'));
  expect(fleet.spoc?.groups).toEqual({ london: ['spoc-lon-1', 'spoc-lon-2'], prague: ['spoc-prg-1', 'spoc-prg-2', 'spoc-prg-3'] });
  expect(fleet.clusterDatabaseDir).toBe(path.join(dir, 'clusters'));
  expect(fleet.spoc?.managementServer.ca?.toString()).toBe(PEM);
  expect(fleet.spoc?.loadSource).toMatchObject({ maxAgeMs: 60_000, requireAsOf: true });
  expect(fleet.hosts).toContain('js-berlin-2');
  expect(fleet.hosts).toContain('spoc-bts-1.branch.corp.example.com');
});

test('defaults: the vendor ports, the host name as the address, the load-balancer guide probe, no load source warned about', () => {
  const fleet = resolveFleetConfig({ ...minimal(), siteServers: [{ host: 'SPOC-A.' }, { host: 'spoc-b', address: '10.0.0.2', terminalServerPort: 6022 }] }, path.join(dir, 'f.json'));
  const options = managementServerOptions(fleet.spoc!);
  expect(options.siteServers).toEqual([
    { host: 'spoc-a', address: 'spoc-a', ports: [5555, 5022] },
    { host: 'spoc-b', address: '10.0.0.2', ports: [5555, 6022] },
  ]);
  expect(options.liveness).toMatchObject({ intervalMs: 5000, failuresBeforeDown: 3 });
  expect(options.webInterface.timeoutMs).toBe(10_000);
  expect(options.loadSource).toBeUndefined();
  expect(fleetWarnings(fleet).join('\n')).toContain('no load source is configured');
});

test('insecure TLS is accepted with a loud warning, never together with a CA file', () => {
  const fleet = resolveFleetConfig({ ...minimal(), managementServer: { url: 'https://dp-mgmt/', insecure: true } }, path.join(dir, 'f.json'));
  expect(fleet.spoc?.managementServer.insecure).toBe(true);
  expect(fleetWarnings(fleet).join('\n')).toMatch(/WARNING: the Management Server \(https:\/\/dp-mgmt\/\) is reached with insecure: true: its certificate is NOT checked/);
  expect(refusal({ ...minimal(), managementServer: { url: 'https://dp-mgmt/', insecure: true, caFile: 'ca.pem' } })).toContain('managementServer.insecure: caFile and insecure: true exclude each other');
});

test('unknown fields are refused at every level, named as the field they would be', () => {
  expect(refusal({ ...minimal(), managmentServer: {} })).toContain('managmentServer: unknown field "managmentServer"');
  expect(refusal({ ...minimal(), siteServers: [{ host: 'spoc-a', spocport: 5555 }] })).toContain('siteServers.0.spocport: unknown field');
});

test('each field is checked with its rule named', () => {
  expect(refusal({ ...minimal(), managementServer: { url: 'dp-mgmt.example.com' } })).toContain('managementServer.url: must be an http:// or https:// URL');
  expect(refusal({ ...minimal(), managementServer: { url: 'https://admin:secret@dp-mgmt/' } })).toContain('without user or password');
  expect(refusal({ ...minimal(), siteServers: [{ host: 'spoc a' }] })).toContain('siteServers.0.host: must be a DNS host name');
  expect(refusal({ ...minimal(), siteServers: [{ host: 'spoc-a', spocPort: 70000 }] })).toContain('siteServers.0.spocPort: must be a TCP port, 1-65535');
  expect(refusal({ ...minimal(), siteServers: [] })).toContain('siteServers: must list at least one SPOC site server');
  expect(refusal({ ...minimal(), spocProbe: { intervalSeconds: 0 } })).toContain('spocProbe.intervalSeconds: must be at least 1 s');
  expect(refusal({ ...minimal(), loadSource: { url: 'ftp://x/' } })).toContain('loadSource.url: must be an http:// or https:// URL');
});

describe('the parts of an estate: SPOCs, JobScheduler clusters, or both', () => {
  const jobSchedulerOnly = () => ({ jobScheduler: { hosts: ['js-berlin-1', 'JS-BERLIN-2.'] } });

  test('a JobScheduler-only estate needs no Management Server: no SPOC part, its hosts for fleet status, no SPOC warnings', () => {
    const fleet = resolveFleetConfig(jobSchedulerOnly(), path.join(dir, 'f.json'));
    expect(fleet.spoc).toBeUndefined();
    expect(fleet.hosts).toEqual(['js-berlin-1', 'js-berlin-2']);
    expect(fleet.clusterDatabaseDir).toBeUndefined();
    expect(fleetWarnings(fleet)).toEqual([]);
  });

  test('a JobScheduler-only estate may name the cluster database folder of the supervisors', () => {
    mkdirSync(path.join(dir, 'clusters'));
    const fleet = resolveFleetConfig({ jobScheduler: { clusterDatabaseDir: 'clusters', hosts: ['js-1'] } }, path.join(dir, 'f.json'));
    expect(fleet.clusterDatabaseDir).toBe(path.join(dir, 'clusters'));
  });

  test('a SPOC-only estate and a mixed one are both accepted, each with its hosts', () => {
    expect(resolveFleetConfig(minimal(), path.join(dir, 'f.json')).hosts).toEqual(['spoc-a', 'spoc-b']);
    const both = resolveFleetConfig({ ...minimal(), ...jobSchedulerOnly() }, path.join(dir, 'f.json'));
    expect(both.spoc?.siteServers.map((s) => s.host)).toEqual(['spoc-a', 'spoc-b']);
    expect(both.hosts).toEqual(['spoc-a', 'spoc-b', 'js-berlin-1', 'js-berlin-2']);
  });

  test('a configuration with neither part is refused, saying what to give', () => {
    expect(refusal({})).toContain('(input): the fleet configuration describes no part of the estate: give the SPOC part (managementServer and siteServers');
    expect(refusal({})).toContain('a jobScheduler section, a spoolCleaning section, or several of them');
  });

  test('the SPOC part comes whole: a Management Server without site servers, or the reverse, is refused', () => {
    expect(refusal({ managementServer: { url: 'https://m/' }, ...jobSchedulerOnly() })).toContain('siteServers: is required with managementServer');
    expect(refusal({ siteServers: [{ host: 'spoc-a' }], ...jobSchedulerOnly() })).toContain('managementServer: is required with siteServers');
  });

  test('SPOC settings without the SPOC part are refused, each named', () => {
    const message = refusal({ ...jobSchedulerOnly(), spocGroups: {}, spocProbe: {}, loadSource: { url: 'https://l/' } });
    for (const field of ['spocGroups', 'spocProbe', 'loadSource']) {
      expect(message).toContain(`${field}: belongs to the SPOC part, which this configuration does not have: add managementServer and siteServers, or remove ${field}`);
    }
  });
});

describe('the load source must say how fresh its answer is', () => {
  test('defaults: answers at most 60 s old, and a time (asOf) required', () => {
    const fleet = resolveFleetConfig({ ...minimal(), loadSource: { url: 'https://l/' } }, path.join(dir, 'f.json'));
    expect(managementServerOptions(fleet.spoc!).loadSource).toMatchObject({ url: 'https://l/', maxAgeMs: 60_000, requireAsOf: true, timeoutMs: 5000 });
    expect(fleetWarnings(fleet).join('\n')).not.toContain('requireAsOf');
  });

  test('answers without a time are accepted only when said so, with a warning at every start', () => {
    const fleet = resolveFleetConfig({ ...minimal(), loadSource: { url: 'https://l/', requireAsOf: false, maxAgeSeconds: 30 } }, path.join(dir, 'f.json'));
    expect(fleet.spoc?.loadSource).toMatchObject({ maxAgeMs: 30_000, requireAsOf: false });
    expect(fleetWarnings(fleet).join('\n')).toContain('WARNING: loadSource.requireAsOf is false: an answer without asOf is taken as current');
  });

  test('a maximum age out of bounds is refused with its rule', () => {
    expect(refusal({ ...minimal(), loadSource: { url: 'https://l/', maxAgeSeconds: 0 } })).toContain('loadSource.maxAgeSeconds: must be at least 1 s');
    expect(refusal({ ...minimal(), loadSource: { url: 'https://l/', requireAsOf: 'no' } })).toContain('loadSource.requireAsOf: ');
  });
});

test('the state folder is taken relative to the configuration, and not created by reading it', () => {
  const fleet = resolveFleetConfig({ ...minimal(), stateFolder: 'state' }, path.join(dir, 'f.json'));
  expect(fleet.stateFolder).toBe(path.join(dir, 'state'));
  expect(existsSync(path.join(dir, 'state'))).toBe(false);
  expect(resolveFleetConfig(minimal(), path.join(dir, 'f.json')).stateFolder).toBeUndefined();
});

test('a host is listed once, in any spelling of its name', () => {
  expect(refusal({ ...minimal(), siteServers: [{ host: 'spoc-a' }, { host: 'SPOC-A.' }] })).toContain('siteServers.1.host: "spoc-a" is listed twice (also siteServers.0.host');
});

test('groups: members are configured site servers, at least two, each in one group only, names in one normal form', () => {
  const three = { ...minimal(), siteServers: [{ host: 'spoc-a' }, { host: 'spoc-b' }, { host: 'spoc-c' }] };
  expect(refusal({ ...three, spocGroups: { london: ['spoc-a', 'spoc-x'] } })).toContain('spocGroups.london.1: "spoc-x" is not a site server of siteServers');
  expect(refusal({ ...three, spocGroups: { london: ['spoc-a'] } })).toContain('spocGroups.london: a SPOC group has at least two SPOC servers');
  expect(refusal({ ...three, spocGroups: { london: ['spoc-a', 'spoc-b'], paris: ['spoc-c', 'spoc-b'] } })).toContain('spocGroups.paris.1: "spoc-b" is already a member of group "london"');
  expect(refusal({ ...three, spocGroups: { london: ['spoc-a', 'spoc-b'], 'London.': ['spoc-c', 'spoc-a'] } })).toContain('spocGroups.London.: names the same group as "london"');
});

test('files and folders are looked for beside the configuration, and a missing one is named', () => {
  expect(refusal({ ...minimal(), managementServer: { url: 'https://m/', caFile: 'missing-ca.pem' } })).toMatch(/managementServer\.caFile: cannot read .*missing-ca\.pem \(ENOENT\)/);
  writeFileSync(path.join(dir, 'not-pem.pem'), 'binary');
  expect(refusal({ ...minimal(), loadSource: { url: 'https://l/', caFile: 'not-pem.pem' } })).toContain('loadSource.caFile: ');
  expect(refusal({ ...minimal(), jobScheduler: { clusterDatabaseDir: 'nowhere' } })).toMatch(/jobScheduler\.clusterDatabaseDir: .*nowhere is not a folder/);
});

test('a file that is not JSON is refused, naming the file', () => {
  writeFileSync(path.join(dir, 'fleet.json'), '{ "managementServer": ');
  expect(() => loadFleetConfig(path.join(dir, 'fleet.json'))).toThrow(/the fleet configuration .*fleet\.json is not valid JSON/);
});
