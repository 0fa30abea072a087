// Proves that the Windows service steps around a change of cluster options run
// `.\bin\jobscheduler.cmd remove|install` from the install folder through cmd.exe, decide from what
// the Service Control Manager says before and after (not from the script's output), do nothing
// when there is nothing to do, and refuse to remove a service that still runs.
//
// The jobscheduler.cmd outputs below are reconstructions (the engine prints Windows errors as
// `MSWIN-<8 hex digits>`), not captures from a host; the sc.exe outputs are the shared samples.
import type { CommandResult, CommandRunner } from '../../../activities/windows/service-control/service-control';
import {
  createJobSchedulerWindowsService,
  JobSchedulerServiceError,
  JobSchedulerServiceNotStoppedError,
  jobSchedulerCmdCommand,
  jobSchedulerServiceName,
  UnsafeInstallFolderError,
  win32CodeInOutput,
} from '../../../activities/jobscheduler/jobscheduler-windows-service';
import { scFixture } from '../../fixtures/sc-exe/read-sc-fixture';
import { windowsProgram } from '../../../activities/windows/service-control/windows-programs';

const INSTALL = 'C:\\Program Files (x86)\\sos-berlin.com\\jobscheduler\\production';
const SERVICE = 'sos_scheduler_production_backup';

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const NOT_INSTALLED = 'query-1060-not-installed.en.txt';

/** A runner that answers each call with the next scripted answer and records what was run. */
function scripted(...script: Array<[string, CommandResult | string]>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const step = script[calls.length - 1];
    const what = file === windowsProgram('cmd.exe') ? `cmd ${args[args.length - 1]}` : `sc ${args[0]}`;
    if (step === undefined || step[0] !== what) throw new Error(`unscripted call #${calls.length}: ${what} (expected ${step?.[0] ?? 'nothing'})`);
    return typeof step[1] === 'string' ? scFixture(step[1]) : step[1];
  };
  const service = createJobSchedulerWindowsService(run, { installDir: INSTALL, serviceName: SERVICE });
  return { service, calls, what: () => calls.map((c) => (c[0] === windowsProgram('cmd.exe') ? `cmd ${c[c.length - 1]}` : `sc ${c[1]}`)) };
}

describe('the command line', () => {
  test('runs the script from the install folder, as the runbook does, with the folder as one argument', () => {
    expect(jobSchedulerCmdCommand(`${INSTALL}\\`, 'remove')).toEqual({
      file: windowsProgram('cmd.exe'),
      args: ['/d', '/v:off', '/c', 'cd', '/d', INSTALL, '&&', 'call', '.\\bin\\jobscheduler.cmd', 'remove'],
    });
    expect(jobSchedulerCmdCommand('D:/js/production', 'install', 'C:\\Windows\\System32\\cmd.exe').args.slice(4, 6)).toEqual(['/d', 'D:\\js\\production']);
  });

  test.each([
    ['C:\\R&D\\jobscheduler', 'contains one of " % ^ ! & | < >, which cmd.exe would interpret'],
    ['C:\\%TEMP%\\js', 'contains one of " % ^ ! & | < >, which cmd.exe would interpret'],
    ['/opt/jobscheduler', 'is not an absolute Windows path with a drive letter'],
    ['C:\\js\\..\\..', 'contains ".."'],
  ])('refuses install folder %j, which cmd.exe would misread', (dir, why) => {
    expect(() => jobSchedulerCmdCommand(dir, 'install')).toThrow(UnsafeInstallFolderError);
    expect(() => jobSchedulerCmdCommand(dir, 'install')).toThrow(`the install folder "${dir}" ${why}; jobscheduler.cmd install was not run`);
  });

  test('reads the Win32 code from a JobScheduler error line', () => {
    expect(win32CodeInOutput('SCHEDULER-999  MSWIN-00000431  The specified service already exists. [CreateService]')).toBe(1073);
    expect(win32CodeInOutput('nothing to see')).toBeUndefined();
  });

  test('names the service as JobScheduler 1.x does, with _backup for a backup', () => {
    expect(jobSchedulerServiceName('production', { role: 'primary' })).toBe('sos_scheduler_production');
    expect(jobSchedulerServiceName('production', { role: 'backup', precedence: 2, precedenceGiven: true })).toBe('sos_scheduler_production_backup');
    expect(jobSchedulerServiceName('production', { role: 'distributed' })).toBe('sos_scheduler_production');
  });
});

describe('remove', () => {
  test('removes a stopped service and confirms with the SCM that it is gone', async () => {
    const sc = scripted(['sc query', 'query-stopped.en.txt'], ['cmd remove', ok()], ['sc query', NOT_INSTALLED]);
    await expect(sc.service.remove()).resolves.toBe('removed');
    expect(sc.what()).toEqual(['sc query', 'cmd remove', 'sc query']);
  });

  test('refuses to remove a running service, and runs nothing', async () => {
    const sc = scripted(['sc query', 'query-running.en.txt']);
    await expect(sc.service.remove()).rejects.toThrow(JobSchedulerServiceNotStoppedError);
    expect(sc.what()).toEqual(['sc query']);
  });

  test('refuses while the service is still stopping (a retry after the stop settles succeeds)', async () => {
    const sc = scripted(['sc query', 'query-stop-pending.en.txt']);
    await expect(sc.service.remove()).rejects.toThrow(`service "${SERVICE}" is STOP_PENDING; it must be stopped before`);
  });

  test('a retried remove still runs the script (it knows its own service name) and reports already-removed', async () => {
    const failed: CommandResult = { exitCode: 1, stdout: 'MSWIN-00000424  The specified service does not exist as an installed service. [OpenService]\r\n', stderr: '' };
    const sc = scripted(['sc query', NOT_INSTALLED], ['cmd remove', failed], ['sc query', NOT_INSTALLED]);
    await expect(sc.service.remove()).resolves.toBe('already-removed');
  });

  test('fails, keeping the output, when the service is still registered afterwards', async () => {
    const sc = scripted(['sc query', 'query-stopped.en.txt'], ['cmd remove', ok('done\r\n')], ['sc query', 'query-stopped.en.txt']);
    const error = await sc.service.remove().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JobSchedulerServiceError);
    expect(error).toMatchObject({ name: 'JobSchedulerServiceError', verb: 'remove', service: SERVICE, output: 'done\r\n' });
    expect((error as Error).message).toBe(
      `service "${SERVICE}" is still registered after \`.\\bin\\jobscheduler.cmd remove\` (jobscheduler.cmd exited with 0). ` +
        'Windows deletes a service only when no program holds it open: close services.msc and the Event Viewer on the host, then retry.',
    );
  });
});

describe('install', () => {
  test('installs the service and confirms with the SCM that it is there', async () => {
    const sc = scripted(['sc query', NOT_INSTALLED], ['cmd install', ok()], ['sc query', 'query-stopped.en.txt']);
    await expect(sc.service.install()).resolves.toBe('installed');
    expect(sc.calls[1]).toEqual([windowsProgram('cmd.exe'), '/d', '/v:off', '/c', 'cd', '/d', INSTALL, '&&', 'call', '.\\bin\\jobscheduler.cmd', 'install']);
  });

  test('does nothing when the service is installed already (a retried step)', async () => {
    const sc = scripted(['sc query', 'query-stopped.en.txt']);
    await expect(sc.service.install()).resolves.toBe('already-installed');
    expect(sc.what()).toEqual(['sc query']);
  });

  test('fails with the Win32 code when the service is not registered afterwards', async () => {
    const exists: CommandResult = { exitCode: 1, stdout: '', stderr: 'SCHEDULER-999  MSWIN-00000431  The specified service already exists. [CreateService]' };
    const sc = scripted(['sc query', NOT_INSTALLED], ['cmd install', exists], ['sc query', NOT_INSTALLED]);
    const error = await sc.service.install().catch((err: unknown) => err);
    expect(error).toMatchObject({ verb: 'install', win32Code: 1073 });
    expect((error as Error).message).toContain('(jobscheduler.cmd exited with 1, win32 error 1073). A service already exists under another name');
  });
});

describe('stop and start', () => {
  test('are the sc.exe service control on the member service', async () => {
    const sc = scripted(['sc query', 'query-running.en.txt'], ['sc stop', 'stop-accepted.en.txt'], ['sc query', 'query-stopped.en.txt'], ['sc start', 'start-accepted.en.txt']);
    await expect(sc.service.stop()).resolves.toBe('stop-requested');
    await expect(sc.service.start()).resolves.toBe('start-requested');
    expect(sc.calls.map((c) => c.slice(1))).toEqual([
      ['query', SERVICE],
      ['stop', SERVICE],
      ['query', SERVICE],
      ['start', SERVICE],
    ]);
  });
});
