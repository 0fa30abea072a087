/**
 * The host agent's own checks, with the production sc.exe service control reading emulated
 * sc.exe output: protected services refused whatever name they are asked by (also after the name
 * is resolved on the host), only the vendor's services stopped or started, step 3's survey of the
 * vendor services that run, and the preflight's checks, each failure naming the host and what is
 * missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHostAgentActivities, HostAgentDeps } from '../../../activities/spoc/spoc-host-activities';
import type { ServiceState } from '../../../activities/windows/service-control/service-control';
import { createScExeServiceControl } from '../../../activities/windows/service-control/sc-exe-service-control';
import { GROUP_SERVICE, ROLE_SERVICES, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../../machines/spoc/spoc-services';
import { emulateScExe, EmulatedServiceTable } from '../../../simulator/windows/sc-exe-emulator';
import { localPathOf } from '../../../simulator/windows/sim-host-files';

const INSTALL = 'C:\\DP';

interface Service {
  key: string;
  display: string;
  state: ServiceState;
}

/** A host whose services change state at once; it keeps every control it received. */
class Host implements EmulatedServiceTable {
  readonly controls: string[] = [];
  constructor(readonly services: Service[]) {}
  private get(key: string): Service | undefined {
    return this.services.find((s) => s.key.toLowerCase() === key.toLowerCase());
  }
  state(key: string) {
    return this.get(key)?.state;
  }
  requestStop(key: string) {
    const s = this.get(key) as Service;
    this.controls.push(`stop ${s.key}`);
    if (s.state === 'STOPPED') return 'not-started' as const;
    s.state = 'STOPPED';
    return 'accepted' as const;
  }
  requestStart(key: string) {
    const s = this.get(key) as Service;
    this.controls.push(`start ${s.key}`);
    if (s.state === 'RUNNING') return 'already-running' as const;
    s.state = 'RUNNING';
    return 'accepted' as const;
  }
  list() {
    return this.services.map(({ key, display }) => ({ key, display }));
  }
}

function siteServer(): Service[] {
  return [
    { key: 'YSoftSQ-SPOC', display: SPOC_SERVICE, state: 'RUNNING' },
    { key: 'YSoftSQ-SPOCGS', display: GROUP_SERVICE, state: 'RUNNING' },
    { key: 'YSoftSQ-TS', display: TERMINAL_SERVER_SERVICE, state: 'RUNNING' },
    { key: 'YSoftSQ-FSP', display: 'Dispatcher Paragon FlexiSpooler', state: 'RUNNING' },
    { key: 'YSoftSQ-MPS', display: 'Dispatcher Paragon Mobile Print Server', state: 'STOPPED' },
    { key: 'YSoftSQ-WPS', display: 'Dispatcher Paragon Workflow Processing System', state: 'RUNNING' },
    { key: 'YSoftSQ-Management', display: 'Dispatcher Paragon Management Service', state: 'RUNNING' },
    { key: 'YSoftSQ-PGSQL', display: 'Dispatcher Paragon Bundled PostgreSQL 12', state: 'RUNNING' },
    { key: 'YSoftPGSQL', display: 'YSoft SafeQ Bundled PostgreSQL 9.4', state: 'RUNNING' },
    { key: 'YSoftEtcd', display: 'YSoft SafeQ Bundled Etcd', state: 'RUNNING' },
    { key: 'SQMgmt', display: 'YSoft SafeQ Management Service', state: 'RUNNING' },
    // A key no rule knows: only its display name says it is protected.
    { key: 'SQDB94', display: 'Dispatcher Paragon  Bundled\u00a0PostgreSQL 9.4', state: 'RUNNING' },
    // Other releases name their databases with a dash before the version, or an architecture after it.
    { key: 'YSoftSQ-PGSQL-9.4', display: 'Dispatcher Paragon Bundled PostgreSQL 9.4 (x64)', state: 'RUNNING' },
    { key: 'YSoftSQ-Etcd-3.4', display: 'Dispatcher Paragon Bundled etcd-3.4', state: 'RUNNING' },
    { key: 'Spooler', display: 'Print Spooler', state: 'RUNNING' },
    { key: 'WinRM', display: 'Windows Remote Management (WS-Management)', state: 'RUNNING' },
  ];
}

function agent(services: Service[] = siteServer(), opts: { files?: boolean; vendorServices?: HostAgentDeps['vendorServices'] } = {}) {
  const host = new Host(services);
  const root = mkdtempSync(path.join(os.tmpdir(), 'agent-services-'));
  const local = (win: string) => localPathOf(root, win);
  if (opts.files !== false) {
    mkdirSync(local(`${INSTALL}\\SPOC\\logs`), { recursive: true });
    writeFileSync(local(`${INSTALL}\\SPOC\\logs\\spoc_lifecycle.log`), '');
    writeFileSync(local(`${INSTALL}\\SPOC\\logs\\spoc.log`), '');
  }
  const deps: HostAgentDeps = {
    host: 'spoc-1',
    services: createScExeServiceControl(async (_file, args) => emulateScExe(args, host)),
    localPath: local,
    pollMs: 1,
    os: { lastBootTime: async () => 0, requestRestart: async () => 'scheduled' },
    stateDir: path.join(root, 'agent'),
    ...(opts.vendorServices ? { vendorServices: opts.vendorServices } : {}),
  };
  const activities = createHostAgentActivities(deps);
  const env = new MockActivityEnvironment();
  return { host, local, activities, run: <A, R>(fn: (a: A) => Promise<R>, arg: A) => env.run(fn, arg) };
}

const base = { step: 's', title: 't', host: 'spoc-1' };

describe('protected services on the host', () => {
  test.each([
    'YSoftSQ-Management',
    'YSoftSQ-PGSQL',
    'YSoftPGSQL',
    'YSoftEtcd',
    'Dispatcher Paragon Management Service',
    'Dispatcher Paragon Bundled PostgreSQL 12',
    'YSoft SafeQ Management Service',
    'YSoft SafeQ Bundled PostgreSQL 9.4',
    'YSoft SafeQ Bundled Etcd',
    'Dispatcher Paragon  Management Service',
    'Dispatcher\u00a0Paragon Management Service',
    'PGSQL94',
    'SQDB94',
    'pgsql94',
    'YSoftSQ-PGSQL-9.4',
    'YSoftSQ-PostgreSQL-12',
    'YSoftSQ-Etcd-3.4',
    'Dispatcher Paragon Bundled PostgreSQL 9.4 (x64)',
    'Dispatcher Paragon Bundled etcd-3.4',
    'Dispatcher Paragon Management Service (x64)',
  ])('stopping or starting %j is refused and nothing reaches the service', async (name) => {
    const a = agent();
    await expect(a.run(a.activities.stopService, { ...base, action: 'stop-service' as const, service: name, timeoutSeconds: 5 })).rejects.toMatchObject({ type: 'ProtectedServiceError' });
    await expect(a.run(a.activities.startService, { ...base, action: 'start-service' as const, service: name, timeoutSeconds: 5 })).rejects.toMatchObject({ type: 'ProtectedServiceError' });
    await expect(a.run(a.activities.stopServices, { ...base, action: 'stop-services' as const, services: ['Dispatcher Paragon FlexiSpooler', name], timeoutSeconds: 5 })).rejects.toMatchObject({
      type: 'ProtectedServiceError',
    });
    expect(a.host.controls).toEqual([]);
  });

  test('a key no rule knows is refused once it is resolved to a protected display name, and the refusal names both', async () => {
    const a = agent();
    await expect(a.run(a.activities.stopService, { ...base, action: 'stop-service' as const, service: 'SQDB94', timeoutSeconds: 5 })).rejects.toThrow(
      /"SQDB94" on spoc-1 is the protected service SQDB94 \("Dispatcher Paragon {2}Bundled\u00a0PostgreSQL 9.4"\)/,
    );
  });
});

describe('only the vendor services are controlled', () => {
  test.each(['Print Spooler', 'Spooler', 'WinRM'])('stopping %j is refused: it is not a Dispatcher Paragon / YSoft service', async (name) => {
    const a = agent();
    await expect(a.run(a.activities.stopServices, { ...base, action: 'stop-services' as const, services: ['Dispatcher Paragon FlexiSpooler', name], timeoutSeconds: 5 })).rejects.toMatchObject({
      type: 'NotVendorServiceError',
      message: expect.stringContaining(`"${name}" on spoc-1`),
    });
    expect(a.host.controls).toEqual([]);
  });

  test('a vendor service is found by its key or its display name in any spacing', async () => {
    const a = agent();
    await a.run(a.activities.stopServices, { ...base, action: 'stop-services' as const, services: ['YSoftSQ-FSP', 'dispatcher  paragon workflow processing system'], timeoutSeconds: 5 });
    expect(a.host.controls).toEqual(['stop YSoftSQ-FSP', 'stop YSoftSQ-WPS']);
  });
});

describe("step 3's survey", () => {
  const survey = { ...base, action: 'survey-other-services' as const };

  test('without a list: the vendor services that run, less the role and protected ones; never Print Spooler or WinRM', async () => {
    const a = agent();
    await expect(a.run(a.activities.surveyOtherServices, survey)).resolves.toEqual({
      running: ['Dispatcher Paragon FlexiSpooler', 'Dispatcher Paragon Workflow Processing System'],
    });
    expect(a.host.controls).toEqual([]);
  });

  test('a list narrows it to the services named that run', async () => {
    const a = agent();
    await expect(a.run(a.activities.surveyOtherServices, { ...survey, only: ['YSoftSQ-FSP', 'Dispatcher Paragon Mobile Print Server'] })).resolves.toEqual({ running: ['YSoftSQ-FSP'] });
  });

  test.each([
    ['Dispatcher Paragon FlexiSpooer', /"Dispatcher Paragon FlexiSpooer" is not installed/],
    ['Print Spooler', /"Print Spooler" is Spooler \("Print Spooler"\), not a Dispatcher Paragon \/ YSoft service/],
    ['WinRM', /"WinRM" is WinRM .* not a Dispatcher Paragon \/ YSoft service/],
    ['YSoftSQ-TS', /which its own step controls/],
  ])('a list naming %j is refused, naming the host and the service', async (name, message) => {
    const a = agent();
    const refused = a.run(a.activities.surveyOtherServices, { ...survey, only: ['Dispatcher Paragon FlexiSpooler', name] });
    await expect(refused).rejects.toMatchObject({ type: 'NotVendorServiceError', message: expect.stringMatching(/^spoc-1: /) });
    await expect(refused).rejects.toThrow(message);
  });

  test('the vendor prefixes are the agent configuration', async () => {
    const a = agent([...siteServer(), { key: 'AcmeSpool', display: 'Acme Spool Bridge', state: 'RUNNING' }], { vendorServices: { keyPrefixes: ['Acme'], displayPrefixes: [] } });
    await expect(a.run(a.activities.surveyOtherServices, survey)).resolves.toEqual({ running: ['Acme Spool Bridge'] });
  });

  test('the OS restart notes the role services and, without a list, every other vendor service that runs', async () => {
    const a = agent();
    await expect(a.run(a.activities.queryServices, { ...base, action: 'query-services' as const, services: [...ROLE_SERVICES], otherVendorServices: true })).resolves.toEqual({
      running: [...ROLE_SERVICES, 'Dispatcher Paragon FlexiSpooler', 'Dispatcher Paragon Workflow Processing System'],
    });
  });
});

describe('preflight', () => {
  const preflight = { ...base, action: 'preflight' as const, installDir: INSTALL, services: [...ROLE_SERVICES] };

  test('passes on a host with its services, install folder and logs, and changes nothing', async () => {
    const a = agent();
    const out = (await a.run(a.activities.preflight, { ...preflight, otherServices: ['Dispatcher Paragon FlexiSpooler'] })) as { checked: string[] };
    expect(out.checked).toEqual(expect.arrayContaining([...ROLE_SERVICES, 'Dispatcher Paragon FlexiSpooler', 'C:\\DP\\SPOC\\logs\\spoc_lifecycle.log', 'C:\\DP\\SPOC\\logs\\spoc.log']));
    expect(a.host.controls).toEqual([]);
  });

  test.each<[string, (a: ReturnType<typeof agent>) => void, Partial<typeof preflight> & { otherServices?: string[] }, RegExp]>([
    ['a role service is missing', (a) => a.host.services.splice(2, 1), {}, /the service "Dispatcher Paragon Terminal Server" is not installed/],
    ['a listed other service is misspelt', () => undefined, { otherServices: ['Dispatcher Paragon FlexiSpooer'] }, /the other service "Dispatcher Paragon FlexiSpooer" is not installed/],
    ['Print Spooler is listed', () => undefined, { otherServices: ['Print Spooler'] }, /the other service "Print Spooler" is Spooler \("Print Spooler"\), not a Dispatcher Paragon \/ YSoft service/],
    ['the install folder is a drive root in disguise', () => undefined, { installDir: 'C:\\.' }, /the install folder "C:\\\." contains "\."/],
    ['the install folder is absent', (a) => rmSync(a.local(INSTALL), { recursive: true }), {}, /the install folder C:\\DP does not exist/],
    ['the lifecycle log is absent', (a) => rmSync(a.local(`${INSTALL}\\SPOC\\logs\\spoc_lifecycle.log`)), {}, /the SPOC lifecycle log C:\\DP\\SPOC\\logs\\spoc_lifecycle\.log does not exist/],
    ['the main log is absent', (a) => rmSync(a.local(`${INSTALL}\\SPOC\\logs\\spoc.log`)), {}, /the SPOC main log C:\\DP\\SPOC\\logs\\spoc\.log does not exist/],
  ])('fails when %s, naming the host and what is missing', async (_what, breakIt, change, message) => {
    const a = agent();
    breakIt(a);
    const failed = a.run(a.activities.preflight, { ...preflight, ...change });
    await expect(failed).rejects.toMatchObject({ type: 'PreflightFailedError', message: expect.stringMatching(/^preflight on spoc-1 failed, nothing was changed: /) });
    await expect(failed).rejects.toThrow(message);
    expect(a.host.controls).toEqual([]);
  });

  test('reports every problem of the host at once', async () => {
    const a = agent(siteServer().filter((s) => s.key !== 'YSoftSQ-SPOCGS'), { files: false });
    await expect(a.run(a.activities.preflight, { ...preflight, otherServices: ['WinRM'] })).rejects.toThrow(
      /Group Service" is not installed; the other service "WinRM" is WinRM .*; the install folder C:\\DP does not exist/,
    );
  });
});

test('a wait for the restart whose request time is not a time is refused at once, naming the field, rather than wait its whole timeout', async () => {
  const a = agent();
  const started = Date.now();
  await expect(a.run(a.activities.awaitHostRestarted, { ...base, action: 'await-host-restarted' as const, since: 'yesterday', services: [], timeoutSeconds: 60 })).rejects.toMatchObject({
    type: 'InvalidEffectError',
    message: expect.stringMatching(/since: must be an ISO 8601 time/),
  });
  expect(Date.now() - started).toBeLessThan(5_000);
});
