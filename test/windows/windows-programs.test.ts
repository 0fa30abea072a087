/**
 * The agents run Windows' own programs from `%SystemRoot%\System32`, never a program of the same
 * name found on PATH or in the working folder: every production command builder asks its runner
 * for the full path, and the exec runner resolves a bare name the same way.
 */
import { createWindowsOsControl } from '../../activities/windows/os-control/windows-os-control';
import { createJobSchedulerWindowsService, jobSchedulerCmdCommand } from '../../activities/jobscheduler/jobscheduler-windows-service';
import { serviceCommandLine } from '../../activities/windows/service-control/sc-exe-service-config';
import { createExecCommandRunner } from '../../activities/windows/service-control/exec-command-runner';
import { createScExeServiceControl } from '../../activities/windows/service-control/sc-exe-service-control';
import type { CommandRunner } from '../../activities/windows/service-control/service-control';
import { resolveWindowsProgram, systemRoot, windowsProgram } from '../../activities/windows/service-control/windows-programs';
import { createSchedulerHostActivities } from '../../activities/jobscheduler/scheduler-host-activities';

/** Runs `body` with SystemRoot set to `value` (or unset), as the agent's environment would have it. */
async function withSystemRoot<T>(value: string | undefined, body: () => Promise<T> | T): Promise<T> {
  const saved = Object.keys(process.env).filter((k) => k.toLowerCase() === 'systemroot').map((k) => [k, process.env[k]] as const);
  for (const [k] of saved) delete process.env[k];
  if (value !== undefined) process.env.SystemRoot = value;
  try {
    return await body();
  } finally {
    delete process.env.SystemRoot;
    for (const [k, v] of saved) process.env[k] = v;
  }
}

function recorder(opts: { notInstalled?: boolean } = {}) {
  const files: string[] = [];
  const run: CommandRunner = async (file, args) => {
    files.push(file);
    if (opts.notInstalled && args[0] === 'query') return { exitCode: 1060, stdout: '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n', stderr: '' };
    if (args[0] === 'query') return { exitCode: 0, stdout: '        STATE              : 1  STOPPED \r\n', stderr: '' };
    if (args[0] === 'qc') return { exitCode: 1060, stdout: '[SC] OpenService FAILED 1060:\r\n', stderr: '' };
    if (args.includes('-Command')) return { exitCode: 0, stdout: '2026-11-22T03:59:12.0000000Z\r\n', stderr: '' };
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  return { files, run };
}

test('Windows programs are found under SystemRoot, C:\\Windows when it is not set', () => {
  expect(windowsProgram('sc.exe', {})).toBe('C:\\Windows\\System32\\sc.exe');
  expect(windowsProgram('shutdown.exe', { SystemRoot: 'D:\\WinNT\\' })).toBe('D:\\WinNT\\System32\\shutdown.exe');
  expect(windowsProgram('cmd.exe', { SYSTEMROOT: 'E:\\Windows' })).toBe('E:\\Windows\\System32\\cmd.exe');
  expect(windowsProgram('powershell.exe', {})).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
});

test.each(['Windows', '\\\\server\\share\\Windows', 'C:\\Windows\\..\\Temp'])('a SystemRoot of %j is refused, naming the variable', (value) => {
  expect(() => systemRoot({ SystemRoot: value })).toThrow(/SystemRoot/);
});

test('the sc.exe service control asks its runner for System32\\sc.exe', async () => {
  await withSystemRoot('D:\\WinNT', async () => {
    const { files, run } = recorder();
    await createScExeServiceControl(run).query('Spooler');
    await serviceCommandLine(run, 'sos_scheduler_x');
    expect(files).toEqual(['D:\\WinNT\\System32\\sc.exe', 'D:\\WinNT\\System32\\sc.exe']);
  });
});

test('the OS control asks for System32\\shutdown.exe and the System32 PowerShell', async () => {
  await withSystemRoot(undefined, async () => {
    const { files, run } = recorder();
    const osControl = createWindowsOsControl(run);
    await osControl.lastBootTime();
    await osControl.requestRestart(5, 'spoolflow');
    expect(files).toEqual(['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Windows\\System32\\shutdown.exe']);
  });
});

test("JobScheduler's service script runs under System32\\cmd.exe, and the scheduler host agent asks for System32\\sc.exe", async () => {
  await withSystemRoot('D:\\WinNT', async () => {
    expect(jobSchedulerCmdCommand('C:\\sos\\jobscheduler', 'install').file).toBe('D:\\WinNT\\System32\\cmd.exe');
    const notInstalled = recorder({ notInstalled: true });
    await createJobSchedulerWindowsService(notInstalled.run, { installDir: 'C:\\sos\\jobscheduler', serviceName: 'sos_scheduler_x' })
      .install()
      .catch(() => undefined);
    expect(notInstalled.files).toContain('D:\\WinNT\\System32\\cmd.exe');
    expect(notInstalled.files).toContain('D:\\WinNT\\System32\\sc.exe');

    const { files, run } = recorder();
    const activities = createSchedulerHostActivities({ host: 'js-1', run });
    const member = { step: 's', title: 't', host: 'js-1', member: 'js-1', os: 'windows', installDir: 'C:\\sos\\jobscheduler', database: 'db', jobSchedulerId: 'production' };
    await activities.removeSchedulerService({ ...member, action: 'remove-scheduler-service' } as never).catch(() => undefined);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((file) => file === 'D:\\WinNT\\System32\\sc.exe')).toBe(true);
  });
});

test('the exec runner runs a bare Windows program name from System32, never from PATH', async () => {
  expect(resolveWindowsProgram('sc.exe', {})).toBe('C:\\Windows\\System32\\sc.exe');
  expect(resolveWindowsProgram('SC', {})).toBe('C:\\Windows\\System32\\sc.exe');
  expect(resolveWindowsProgram('/bin/sh', {})).toBe('/bin/sh');
  expect(resolveWindowsProgram('ps', {})).toBe('ps');
  // On this (test) machine there is no such file: the refusal names the path that was tried.
  const run = createExecCommandRunner({ env: { SystemRoot: 'D:\\WinNT' } });
  await expect(run('sc.exe', ['query', 'Spooler'])).rejects.toThrow(/D:\\WinNT\\System32\\sc\.exe/);
});
