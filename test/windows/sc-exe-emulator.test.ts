// Proves the sc.exe emulator prints what English sc.exe prints, byte for byte, and that
// the production service control, reading that output, sees the simulated host's true
// states and outcomes.
import { createScExeServiceControl } from '../../activities/windows/service-control/sc-exe-service-control';
import type { ServiceControl, ServiceState } from '../../activities/windows/service-control/service-control';
import { emulateScExe, type EmulatedServiceTable } from '../../simulator/windows/sc-exe-emulator';
import { scFixture } from '../fixtures/sc-exe/read-sc-fixture';
import { SERVICE_STATES } from '../helpers/service-control-cases';
import { windowsProgram } from '../../activities/windows/service-control/windows-programs';

const SPOC = 'YSoftSQ-SPOC';

interface FakeService {
  state: ServiceState;
  disabled?: boolean;
  accessDenied?: boolean;
}

/**
 * A host whose services move one step per request, the way the SCM reports them:
 * an accepted stop leaves STOP_PENDING, an accepted start START_PENDING; `settle`
 * finishes the pending moves. Counts the requests that reached it.
 */
class FakeHost implements EmulatedServiceTable {
  readonly requests: string[] = [];
  constructor(private readonly services: Record<string, FakeService>) {}

  state(service: string): ServiceState | undefined {
    return this.services[service]?.state;
  }

  requestStop(service: string): ReturnType<EmulatedServiceTable['requestStop']> {
    this.requests.push(`stop ${service}`);
    const s = this.get(service);
    if (s.accessDenied) return 'access-denied';
    if (s.state === 'STOPPED') return 'not-started';
    if (s.state.endsWith('_PENDING')) return 'busy';
    s.state = 'STOP_PENDING';
    return 'accepted';
  }

  requestStart(service: string): ReturnType<EmulatedServiceTable['requestStart']> {
    this.requests.push(`start ${service}`);
    const s = this.get(service);
    if (s.accessDenied) return 'access-denied';
    if (s.disabled) return 'disabled';
    if (s.state === 'STOP_PENDING') return 'busy';
    if (s.state !== 'STOPPED') return 'already-running';
    s.state = 'START_PENDING';
    return 'accepted';
  }

  settle(): void {
    for (const s of Object.values(this.services)) {
      if (s.state === 'STOP_PENDING') s.state = 'STOPPED';
      if (s.state === 'START_PENDING') s.state = 'RUNNING';
    }
  }

  private get(service: string): FakeService {
    const s = this.services[service];
    if (s === undefined) throw new Error(`the emulator asked for ${service}, which it should have reported as not installed`);
    return s;
  }
}

/** The production control, reading emulated sc.exe output of `host`. */
function controlOver(host: EmulatedServiceTable): ServiceControl {
  return createScExeServiceControl(async (file, args) => {
    expect(file).toBe(windowsProgram('sc.exe'));
    return emulateScExe(args, host);
  });
}

describe('emulateScExe output', () => {
  it.each<[string, string[], FakeService]>([
    ['query-running.en.txt', ['query', SPOC], { state: 'RUNNING' }],
    ['stop-accepted.en.txt', ['stop', SPOC], { state: 'RUNNING' }],
    ['stop-1062-not-started.en.txt', ['stop', SPOC], { state: 'STOPPED' }],
    ['stop-1061-cannot-accept-control.en.txt', ['stop', SPOC], { state: 'START_PENDING' }],
    ['stop-5-access-denied.en.txt', ['stop', SPOC], { state: 'RUNNING', accessDenied: true }],
    ['start-1056-already-running.en.txt', ['start', SPOC], { state: 'RUNNING' }],
    ['start-1058-disabled.en.txt', ['start', SPOC], { state: 'STOPPED', disabled: true }],
  ])('matches the sample %s byte for byte, exit code included', (sample, args, service) => {
    const host = new FakeHost({ [SPOC]: service });
    expect(emulateScExe(args, host)).toEqual(scFixture(sample));
  });

  it('matches the not-installed sample of sc.exe query byte for byte', () => {
    const host = new FakeHost({});
    expect(emulateScExe(['query', SPOC], host)).toEqual(scFixture('query-1060-not-installed.en.txt'));
  });

  it('matches the accepted-start sample apart from the process id', () => {
    const host = new FakeHost({ [SPOC]: { state: 'STOPPED' } });
    const result = emulateScExe(['start', SPOC], host);
    const expected = scFixture('start-accepted.en.txt');
    const withoutPid = (text: string) => text.replace(/(PID\s+: )\d+/, '$1#');
    expect(result.exitCode).toBe(0);
    expect(withoutPid(result.stdout)).toBe(withoutPid(expected.stdout));
    expect(result.stdout).toMatch(/PID {16}: \d+\r\n/);
  });

  it('answers a stop or start of a missing service with OpenService FAILED 1060', () => {
    const host = new FakeHost({});
    for (const verb of ['stop', 'start']) {
      const result = emulateScExe([verb, 'Nope'], host);
      expect(result.exitCode).toBe(1060);
      expect(result.stdout.startsWith('[SC] OpenService FAILED 1060:\r\n')).toBe(true);
    }
    expect(host.requests).toEqual([]);
  });

  it('writes CRLF line endings only, as sc.exe does', () => {
    const host = new FakeHost({ [SPOC]: { state: 'PAUSED' } });
    const { stdout } = emulateScExe(['query', SPOC], host);
    expect(stdout).toContain('\r\n');
    expect(stdout.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('refuses command lines it does not emulate instead of answering wrongly', () => {
    const host = new FakeHost({ [SPOC]: { state: 'RUNNING' } });
    expect(() => emulateScExe(['queryex', SPOC], host)).toThrow(/query\|stop\|start/);
    expect(() => emulateScExe(['query'], host)).toThrow(/query\|stop\|start/);
    expect(() => emulateScExe(['\\\\other-host', 'query', SPOC], host)).toThrow(/query\|stop\|start/);
  });
});

describe('the production service control over emulated sc.exe', () => {
  it('reads every state a simulated service can be in', async () => {
    for (const state of SERVICE_STATES) {
      await expect(controlOver(new FakeHost({ [SPOC]: { state } })).query(SPOC)).resolves.toBe(state);
    }
  });

  it('reads a service the simulated host lacks as NOT_INSTALLED', async () => {
    await expect(controlOver(new FakeHost({})).query(SPOC)).resolves.toBe('NOT_INSTALLED');
  });

  it('stops a running service once, however often the step is retried', async () => {
    const host = new FakeHost({ [SPOC]: { state: 'RUNNING' } });
    const control = controlOver(host);
    await expect(control.stop(SPOC)).resolves.toBe('stop-requested');
    await expect(control.stop(SPOC)).resolves.toBe('already-stopping');
    host.settle();
    await expect(control.stop(SPOC)).resolves.toBe('already-stopped');
    expect(host.requests).toEqual([`stop ${SPOC}`]);
  });

  it('starts a stopped service once, however often the step is retried', async () => {
    const host = new FakeHost({ [SPOC]: { state: 'STOPPED' } });
    const control = controlOver(host);
    await expect(control.start(SPOC)).resolves.toBe('start-requested');
    await expect(control.start(SPOC)).resolves.toBe('already-starting');
    host.settle();
    await expect(control.start(SPOC)).resolves.toBe('already-running');
    expect(host.requests).toEqual([`start ${SPOC}`]);
  });

  it('fails a start of a disabled service with ServiceDisabledError', async () => {
    const control = controlOver(new FakeHost({ [SPOC]: { state: 'STOPPED', disabled: true } }));
    await expect(control.start(SPOC)).rejects.toMatchObject({ name: 'ServiceDisabledError', win32Code: 1058 });
  });

  it('fails a stop or start the host refuses with ServiceAccessDeniedError', async () => {
    const running = controlOver(new FakeHost({ [SPOC]: { state: 'RUNNING', accessDenied: true } }));
    await expect(running.stop(SPOC)).rejects.toMatchObject({ name: 'ServiceAccessDeniedError', win32Code: 5 });
    const stopped = controlOver(new FakeHost({ [SPOC]: { state: 'STOPPED', accessDenied: true } }));
    await expect(stopped.start(SPOC)).rejects.toMatchObject({ name: 'ServiceAccessDeniedError', win32Code: 5 });
  });

  it('fails a stop the host is too busy to take with the retryable ServiceBusyError', async () => {
    const control = controlOver(new FakeHost({ [SPOC]: { state: 'CONTINUE_PENDING' } }));
    await expect(control.stop(SPOC)).rejects.toMatchObject({ name: 'ServiceBusyError', win32Code: 1061 });
  });

  it('fails a stop or start of a service the host lacks with ServiceNotInstalledError', async () => {
    const control = controlOver(new FakeHost({}));
    await expect(control.stop(SPOC)).rejects.toMatchObject({ name: 'ServiceNotInstalledError' });
    await expect(control.start(SPOC)).rejects.toMatchObject({ name: 'ServiceNotInstalledError' });
  });
});
