// Proves that the sc.exe service control answers from sc.exe's output in any display
// language, stays idempotent (a stop or start that cannot have an effect is never sent),
// and fails with the error class a retry policy can act on.
import {
  ServiceAccessDeniedError,
  ServiceBusyError,
  ServiceControlError,
  ServiceControlOutputError,
  ServiceHasDependentsError,
  ServiceLogonFailedError,
  ServiceNotInstalledError,
  ServiceStartTimeoutError,
} from '../../activities/windows/service-control/service-control-errors';
import { NON_RETRYABLE_ERRORS } from '../../activities/core/non-retryable-errors';
import { createScExeServiceControl } from '../../activities/windows/service-control/sc-exe-service-control';
import type { CommandResult, CommandRunner } from '../../activities/windows/service-control/service-control';
import { scFixture } from '../fixtures/sc-exe/read-sc-fixture';
import { serviceControlErrors } from '../helpers/service-control-cases';
import { windowsProgram } from '../../activities/windows/service-control/windows-programs';

const SPOC = 'YSoftSQ-SPOC';
const LANGS = ['en', 'de', 'fr'] as const;

type Verb = 'query' | 'stop' | 'start';

/**
 * A runner that answers each sc.exe call with the next scripted sample, refuses calls
 * that were not scripted, and records what was run.
 */
function scriptedSc(...script: Array<[Verb, string | CommandResult]>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const step = script[calls.length - 1];
    if (step === undefined || step[0] !== args[0]) {
      throw new Error(`unscripted call #${calls.length}: ${file} ${args.join(' ')} (expected ${step?.[0] ?? 'nothing'})`);
    }
    return typeof step[1] === 'string' ? scFixture(step[1]) : step[1];
  };
  return {
    control: createScExeServiceControl(run),
    calls,
    verbs: () => calls.map((call) => call[1]),
  };
}

describe('query', () => {
  it.each(LANGS)('reports the state of an installed service on a host in %s', async (lang) => {
    const sc = scriptedSc(['query', `query-running.${lang}.txt`]);
    await expect(sc.control.query(SPOC)).resolves.toBe('RUNNING');
  });

  it.each(LANGS)('reports NOT_INSTALLED when sc.exe answers 1060 in %s', async (lang) => {
    const sc = scriptedSc(['query', `query-1060-not-installed.${lang}.txt`]);
    await expect(sc.control.query('YSoftSQ-Nope')).resolves.toBe('NOT_INSTALLED');
  });

  it('runs sc.exe without a shell, with the key name as one argument', async () => {
    const calls: string[][] = [];
    const control = createScExeServiceControl(
      async (file, args) => {
        calls.push([file, ...args]);
        return scFixture('query-stopped.en.txt');
      },
      { scExe: 'C:\\Windows\\System32\\sc.exe' },
    );
    await control.query('Odd Name & more');
    expect(calls).toEqual([['C:\\Windows\\System32\\sc.exe', 'query', 'Odd Name & more']]);
  });

  it('fails with ServiceControlOutputError when sc.exe printed something else', async () => {
    const sc = scriptedSc(['query', 'garbage.txt']);
    await expect(sc.control.query(SPOC)).rejects.toMatchObject({
      name: 'ServiceControlOutputError',
      service: SPOC,
      operation: 'query',
    });
  });

  it('fails with ServiceControlOutputError when the exit code and the failure line disagree', async () => {
    const sc = scriptedSc(['query', { ...scFixture('query-1060-not-installed.en.txt'), exitCode: 5 }]);
    await expect(sc.control.query(SPOC)).rejects.toBeInstanceOf(ServiceControlOutputError);
  });

  it('trusts the exit code when a failure line is missing', async () => {
    const sc = scriptedSc(['query', { exitCode: 1060, stdout: '', stderr: '' }]);
    await expect(sc.control.query(SPOC)).resolves.toBe('NOT_INSTALLED');
  });

  it('refuses an empty or slashed name without running sc.exe, which would list every service', async () => {
    const sc = scriptedSc();
    await expect(sc.control.query('  ')).rejects.toBeInstanceOf(ServiceNotInstalledError);
    await expect(sc.control.stop('a\\b')).rejects.toBeInstanceOf(ServiceNotInstalledError);
    expect(sc.calls).toEqual([]);
  });
});

describe('stop', () => {
  it('sends the stop to a running service and reports it requested', async () => {
    const sc = scriptedSc(['query', 'query-running.en.txt'], ['stop', 'stop-accepted.en.txt']);
    await expect(sc.control.stop(SPOC)).resolves.toBe('stop-requested');
    expect(sc.calls).toEqual([
      [windowsProgram('sc.exe'), 'query', SPOC],
      [windowsProgram('sc.exe'), 'stop', SPOC],
    ]);
  });

  it.each(LANGS)('sends no stop to a service already stopped (%s host)', async (lang) => {
    const sc = scriptedSc(['query', `query-stopped.${lang}.txt`]);
    await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopped');
    expect(sc.verbs()).toEqual(['query']);
  });

  it('sends no stop to a service that is already stopping', async () => {
    const sc = scriptedSc(['query', 'query-stop-pending.en.txt']);
    await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopping');
    expect(sc.verbs()).toEqual(['query']);
  });

  it('does no harm when a stop that already took effect is retried', async () => {
    const sc = scriptedSc(
      ['query', 'query-running.en.txt'],
      ['stop', 'stop-accepted.en.txt'],
      ['query', 'query-stop-pending.en.txt'],
      ['query', 'query-stopped.en.txt'],
    );
    await expect(sc.control.stop(SPOC)).resolves.toBe('stop-requested');
    await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopping');
    await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopped');
    expect(sc.verbs()).toEqual(['query', 'stop', 'query', 'query']);
  });

  it.each(['stop-1062-not-started.en.txt', 'stop-1062-not-started.de.txt', 'stop-1062-not-started.fr.txt', 'stop-1062-not-started.fr-oem.txt'])(
    'reports already-stopped when the service stopped between query and stop (%s)',
    async (sample) => {
      const sc = scriptedSc(['query', 'query-running.en.txt'], ['stop', sample]);
      await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopped');
    },
  );

  it('reports already-stopping when sc.exe answers 1061 because the service began stopping', async () => {
    const sc = scriptedSc(
      ['query', 'query-running.en.txt'],
      ['stop', 'stop-1061-cannot-accept-control.en.txt'],
      ['query', 'query-stop-pending.en.txt'],
    );
    await expect(sc.control.stop(SPOC)).resolves.toBe('already-stopping');
  });

  it.each(LANGS)('fails with the retryable ServiceBusyError when a starting service cannot take the stop (%s)', async (lang) => {
    const sc = scriptedSc(
      ['query', 'query-start-pending.en.txt'],
      ['stop', `stop-1061-cannot-accept-control.${lang}.txt`],
      ['query', 'query-start-pending.en.txt'],
    );
    const error = await sc.control.stop(SPOC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceBusyError);
    expect(error).toMatchObject({ service: SPOC, operation: 'stop', win32Code: 1061 });
    expect(NON_RETRYABLE_ERRORS).not.toContain((error as Error).name);
  });

  it.each(LANGS)('fails with ServiceAccessDeniedError, keeping what sc.exe said (%s)', async (lang) => {
    const sample = `stop-5-access-denied.${lang}.txt`;
    const sc = scriptedSc(['query', 'query-running.en.txt'], ['stop', sample]);
    const error = await sc.control.stop(SPOC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceAccessDeniedError);
    expect(error).toMatchObject({ operation: 'stop', win32Code: 5, output: scFixture(sample).stdout });
  });

  it('fails with ServiceNotInstalledError and sends no stop when the host has no such service', async () => {
    const sc = scriptedSc(['query', 'query-1060-not-installed.de.txt']);
    await expect(sc.control.stop('YSoftSQ-Nope')).rejects.toMatchObject({
      name: 'ServiceNotInstalledError',
      operation: 'stop',
      win32Code: 1060,
    });
    expect(sc.verbs()).toEqual(['query']);
  });

  it('fails with ServiceHasDependentsError when running services depend on the one to stop', async () => {
    const sc = scriptedSc(['query', 'query-running.en.txt'], [
      'stop',
      { exitCode: 1051, stdout: '[SC] ControlService FAILED 1051:\r\n\r\nA stop control has been sent to a service that other running services are dependent on.\r\n', stderr: '' },
    ]);
    await expect(sc.control.stop(SPOC)).rejects.toBeInstanceOf(ServiceHasDependentsError);
  });
});

describe('start', () => {
  it('sends the start to a stopped service and reports it requested', async () => {
    const sc = scriptedSc(['query', 'query-stopped.en.txt'], ['start', 'start-accepted.en.txt']);
    await expect(sc.control.start(SPOC)).resolves.toBe('start-requested');
    expect(sc.verbs()).toEqual(['query', 'start']);
  });

  it.each(LANGS)('sends no start to a service already running (%s host)', async (lang) => {
    const sc = scriptedSc(['query', `query-running.${lang}.txt`]);
    await expect(sc.control.start(SPOC)).resolves.toBe('already-running');
    expect(sc.verbs()).toEqual(['query']);
  });

  it('sends no start to a service that is already starting', async () => {
    const sc = scriptedSc(['query', 'query-start-pending.en.txt']);
    await expect(sc.control.start(SPOC)).resolves.toBe('already-starting');
    expect(sc.verbs()).toEqual(['query']);
  });

  it('fails with ServicePausedError instead of calling a paused service running', async () => {
    const sc = scriptedSc(['query', 'query-paused.en.txt']);
    await expect(sc.control.start(SPOC)).rejects.toMatchObject({ name: 'ServicePausedError', state: 'PAUSED' });
    expect(sc.verbs()).toEqual(['query']);
  });

  it('fails with the retryable ServiceBusyError while the service is still stopping', async () => {
    const sc = scriptedSc(['query', 'query-stop-pending.en.txt']);
    await expect(sc.control.start(SPOC)).rejects.toMatchObject({ name: 'ServiceBusyError', state: 'STOP_PENDING' });
    expect(sc.verbs()).toEqual(['query']);
  });

  it.each(LANGS)('reports already-running when the service started between query and start (%s)', async (lang) => {
    const sc = scriptedSc(
      ['query', 'query-stopped.en.txt'],
      ['start', `start-1056-already-running.${lang}.txt`],
      ['query', 'query-running.en.txt'],
    );
    await expect(sc.control.start(SPOC)).resolves.toBe('already-running');
  });

  it('reports already-starting when the 1056 came from a start still in progress', async () => {
    const sc = scriptedSc(
      ['query', 'query-stopped.en.txt'],
      ['start', 'start-1056-already-running.en.txt'],
      ['query', 'query-start-pending.en.txt'],
    );
    await expect(sc.control.start(SPOC)).resolves.toBe('already-starting');
  });

  it.each(LANGS)('fails with ServiceDisabledError for a disabled service (%s)', async (lang) => {
    const sc = scriptedSc(['query', 'query-stopped.en.txt'], ['start', `start-1058-disabled.${lang}.txt`]);
    await expect(sc.control.start(SPOC)).rejects.toMatchObject({
      name: 'ServiceDisabledError',
      operation: 'start',
      win32Code: 1058,
    });
  });

  it.each(LANGS)('fails with ServiceStartTimeoutError when the service does not answer in time (%s)', async (lang) => {
    const sc = scriptedSc(['query', 'query-stopped.en.txt'], ['start', `start-1053-timeout.${lang}.txt`]);
    await expect(sc.control.start(SPOC)).rejects.toBeInstanceOf(ServiceStartTimeoutError);
  });

  it('fails with ServiceLogonFailedError when the service account cannot log on', async () => {
    const sc = scriptedSc(['query', 'query-stopped.en.txt'], [
      'start',
      { exitCode: 1069, stdout: '[SC] StartService FAILED 1069:\r\n\r\nThe service did not start due to a logon failure.\r\n', stderr: '' },
    ]);
    await expect(sc.control.start(SPOC)).rejects.toBeInstanceOf(ServiceLogonFailedError);
  });

  it('fails with a plain, retryable ServiceControlError for a code without its own class', async () => {
    const sc = scriptedSc(['query', 'query-stopped.en.txt'], ['start', { exitCode: 1455, stdout: '[SC] StartService FAILED 1455:\r\n', stderr: '' }]);
    const error = await sc.control.start(SPOC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceControlError);
    expect(error).toMatchObject({ name: 'ServiceControlError', win32Code: 1455 });
    expect((error as Error).message).toContain('net helpmsg 1455');
  });
});

describe('error names', () => {
  const { nonRetryable, retryable } = serviceControlErrors({ service: 's', operation: 'query', output: '' });
  const errors = [...retryable, ...nonRetryable];

  it('give each error the name of its class, the type Temporal carries across', () => {
    for (const error of errors) {
      expect(error.name).toBe(error.constructor.name);
      expect(error).toBeInstanceOf(ServiceControlError);
    }
  });

  it('list as non-retryable exactly the errors a retry cannot fix', () => {
    const names: readonly string[] = NON_RETRYABLE_ERRORS;
    for (const error of errors) {
      expect([error.name, names.includes(error.name)]).toEqual([error.name, nonRetryable.includes(error)]);
    }
    expect(names).not.toContain('ServiceBusyError');
    expect(names).not.toContain('ServiceStartTimeoutError');
  });
});
