// Proves that the readers behind the cluster-option steps tell what a host printed, or refuse to
// guess: the cluster options on a JobScheduler command line (ps, sc.exe qc), the exit codes of
// `jobscheduler.sh status`, and the command that runs the script from its install folder.
// The outputs below are written after the programs' documented shapes, not captured from hosts.
import { jobSchedulerShCommand, JOBSCHEDULER_SH_LINE, JobSchedulerStatusUnknownError, readJobSchedulerStatus, UnsafeUnixInstallFolderError } from '../../../activities/jobscheduler/jobscheduler-unix-script';
import { clusterOptionsInCommandLine } from '../../../activities/jobscheduler/running-cluster-options';
import { parseScQcBinaryPath, serviceCommandLine, ServiceConfigUnreadableError } from '../../../activities/windows/service-control/sc-exe-service-config';
import { windowsProgram } from '../../../activities/windows/service-control/windows-programs';

describe('cluster options on a command line', () => {
  test.each([
    ['/opt/js/bin/scheduler -sos.ini=/opt/js/config/sos.ini -id=production -exclusive', '-exclusive'],
    ['"C:\\Program Files\\js\\bin\\scheduler.exe" -service -sos.ini="C:\\Program Files\\js\\config\\sos.ini" -backup -exclusive -backup-precedence=2', '-exclusive -backup -backup-precedence=2'],
    ['/opt/js/bin/scheduler -id=production -exclusive -distributed-orders', '-exclusive -distributed-orders'],
    ['/opt/js/bin/scheduler -id=production', ''],
  ])('reads %j as %j', (line, options) => {
    expect(clusterOptionsInCommandLine(line)).toEqual({ ok: true, options });
  });

  test('refuses a combination no member can start with', () => {
    expect(clusterOptionsInCommandLine('scheduler -exclusive -backup -distributed-orders')).toMatchObject({ ok: false, problem: expect.stringContaining('do not go together') });
  });
});

describe('jobscheduler.sh status', () => {
  const status = (exitCode: number, stdout = '') => readJobSchedulerStatus({ exitCode, stdout, stderr: '' });

  test('0 is running, with the pid when the output gives one', () => {
    expect(status(0, 'JobScheduler is running (pid 4711)\n')).toEqual({ running: true, pid: 4711 });
    expect(status(0, 'JobScheduler PID: 815\n')).toEqual({ running: true, pid: 815 });
    expect(status(0, 'running\n')).toEqual({ running: true });
  });

  test.each([1, 2, 3])('%i is not running (LSB)', (code) => {
    expect(status(code)).toEqual({ running: false });
  });

  test('anything else is not guessed at', () => {
    expect(() => status(4, 'cannot read pid file')).toThrow(JobSchedulerStatusUnknownError);
  });

  test('runs the script from the install folder, the folder passed as a parameter, never parsed by the shell', () => {
    expect(jobSchedulerShCommand("/opt/it's here/js/", 'stop')).toEqual({ file: '/bin/sh', args: ['-c', JOBSCHEDULER_SH_LINE, 'jobscheduler.sh', "/opt/it's here/js", 'stop'] });
    expect(() => jobSchedulerShCommand('opt/js', 'stop')).toThrow(UnsafeUnixInstallFolderError);
    expect(() => jobSchedulerShCommand('/opt/../etc', 'start')).toThrow('contains ".."');
  });
});

describe('sc.exe qc', () => {
  const qc = (binaryLabel: string) =>
    ['[SC] QueryServiceConfig SUCCESS', '', 'SERVICE_NAME: sos_scheduler_production', `        ${binaryLabel.padEnd(19)}: "C:\\js\\bin\\scheduler.exe" -service -exclusive`, '        DISPLAY_NAME       : SOS JobScheduler', ''].join('\r\n');

  test('reads BINARY_PATH_NAME, and on a host that translates the label the field that names an .exe', () => {
    expect(parseScQcBinaryPath(qc('BINARY_PATH_NAME'))).toBe('"C:\\js\\bin\\scheduler.exe" -service -exclusive');
    expect(parseScQcBinaryPath(qc('BINÄRPFADNAME'))).toBe('"C:\\js\\bin\\scheduler.exe" -service -exclusive');
  });

  test('a service that does not exist is NOT_INSTALLED; a small buffer is asked again with a bigger one', async () => {
    const calls: string[][] = [];
    const answers = [
      { exitCode: 122, stdout: '[SC] QueryServiceConfig FAILED 122:\r\n\r\nThe data area passed to a system call is too small.\r\n', stderr: '' },
      { exitCode: 0, stdout: qc('BINARY_PATH_NAME'), stderr: '' },
      { exitCode: 1060, stdout: '[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n', stderr: '' },
    ];
    const run = async (file: string, args: string[]) => {
      calls.push([file, ...args]);
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected call');
      return answer;
    };
    await expect(serviceCommandLine(run, 'sos_scheduler_production')).resolves.toBe('"C:\\js\\bin\\scheduler.exe" -service -exclusive');
    await expect(serviceCommandLine(run, 'sos_scheduler_gone')).resolves.toBe('NOT_INSTALLED');
    expect(calls).toEqual([
      [windowsProgram('sc.exe'), 'qc', 'sos_scheduler_production'],
      [windowsProgram('sc.exe'), 'qc', 'sos_scheduler_production', '8192'],
      [windowsProgram('sc.exe'), 'qc', 'sos_scheduler_gone'],
    ]);
  });

  test('an answer without a command line is refused', async () => {
    await expect(serviceCommandLine(async () => ({ exitCode: 0, stdout: 'garbage', stderr: '' }), 'x')).rejects.toThrow(ServiceConfigUnreadableError);
  });
});
