// Proves the execFile runner reports exit codes instead of throwing, passes arguments
// without a shell, and rejects with a how-to-fix message only when no exit code exists.
// Node itself stands in for sc.exe so the test runs on any OS.
import { createExecCommandRunner } from '../../activities/windows/service-control/exec-command-runner';

const node = process.execPath;

describe('createExecCommandRunner', () => {
  it('resolves with the exit code, stdout and stderr of a program that fails', async () => {
    const run = createExecCommandRunner();
    const result = await run(node, [
      '-e',
      'process.stdout.write("[SC] OpenService FAILED 5:\\r\\n"); process.stderr.write("err"); process.exit(5)',
    ]);
    expect(result).toEqual({ exitCode: 5, stdout: '[SC] OpenService FAILED 5:\r\n', stderr: 'err' });
  });

  it('resolves with exit code 0 for a program that succeeds', async () => {
    const run = createExecCommandRunner();
    await expect(run(node, ['-e', 'console.log("ok")'])).resolves.toEqual({ exitCode: 0, stdout: 'ok\n', stderr: '' });
  });

  it('hands each argument over as it is, with no shell to interpret it', async () => {
    const run = createExecCommandRunner();
    const tricky = 'YSoft SQ & echo injected | more';
    const result = await run(node, ['-e', 'process.stdout.write(process.argv[1])', tricky]);
    expect(result.stdout).toBe(tricky);
  });

  it('rejects with a message naming the program when it cannot be started', async () => {
    const run = createExecCommandRunner();
    await expect(run('definitely-not-sc.exe', ['query', 'x'])).rejects.toThrow(/definitely-not-sc\.exe.*PATH/s);
  });

  it('rejects with a message about the timeout when the program runs too long', async () => {
    const run = createExecCommandRunner({ timeoutMs: 200 });
    await expect(run(node, ['-e', 'setTimeout(() => {}, 10000)'])).rejects.toThrow(/within 200 ms/);
  });

  it('rejects when the program writes more than the buffer holds', async () => {
    const run = createExecCommandRunner({ maxBufferBytes: 16 });
    await expect(run(node, ['-e', 'process.stdout.write("x".repeat(1000))'])).rejects.toThrow(/maxBufferBytes/);
  });
});
