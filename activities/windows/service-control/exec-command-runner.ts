/**
 * A {@link CommandRunner} over `child_process.execFile`: no shell, so service names are
 * passed to the program as they are, never interpreted by cmd.exe. Windows' own programs
 * asked for by bare name (`sc.exe`, `shutdown.exe`, `cmd.exe`, `powershell.exe`) are run
 * from `%SystemRoot%\System32`, never from PATH or the working folder.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { CommandResult, CommandRunner } from './service-control';
import { resolveWindowsProgram } from './windows-programs';

/** Options for {@link createExecCommandRunner}. */
export interface ExecCommandRunnerOptions {
  /**
   * Kill the program after this many milliseconds. Default 60 000: `sc.exe` itself
   * returns within seconds, but a starting service can hold the SCM lock for up to 30 s.
   */
  timeoutMs?: number;
  /** Largest stdout or stderr accepted, in bytes. Default 1 MiB. */
  maxBufferBytes?: number;
  /** Where `SystemRoot` is read from; default the agent's own environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A runner that resolves with the exit code, stdout and stderr of the program, also when
 * the exit code is not zero (sc.exe reports its errors that way).
 *
 * It rejects only when there is no exit code to report: the program could not be started
 * (for example `sc.exe` on a host that is not Windows), it ran past the timeout, it wrote
 * more than the buffer holds, or it was killed by a signal. Those rejections are plain
 * errors, so Temporal retries them.
 *
 * Output is decoded as UTF-8. On localised Windows sc.exe writes in the OEM code page, so
 * accented letters may arrive as U+FFFD; the sc.exe readers depend on ASCII only.
 */
export function createExecCommandRunner(options: ExecCommandRunnerOptions = {}): CommandRunner {
  const timeout = options.timeoutMs ?? 60_000;
  const maxBuffer = options.maxBufferBytes ?? 1024 * 1024;
  return (asked, args) =>
    new Promise<CommandResult>((resolve, reject) => {
      let file: string;
      try {
        file = resolveWindowsProgram(asked, options.env);
      } catch (err) {
        reject(err);
        return;
      }
      execFile(
        file,
        args,
        { windowsHide: true, timeout, maxBuffer, encoding: 'buffer' },
        (error, stdoutBuffer, stderrBuffer) => {
          const stdout = stdoutBuffer.toString('utf8');
          const stderr = stderrBuffer.toString('utf8');
          if (!error) {
            resolve({ exitCode: 0, stdout, stderr });
            return;
          }
          // A program that ended by itself with a non-zero code: execFile puts the number in `code`.
          if (typeof error.code === 'number' && !error.killed) {
            resolve({ exitCode: error.code, stdout, stderr });
            return;
          }
          const command = [file, ...args].join(' ');
          reject(new Error(`\`${command}\` ${whyNoExitCode(error, file, timeout, maxBuffer)}`, { cause: error }));
        },
      );
    });
}

/** The second half of the message for a program that left no exit code: what happened, what to do. */
function whyNoExitCode(error: ExecFileException, file: string, timeout: number, maxBuffer: number): string {
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return `wrote more than ${maxBuffer} bytes and was stopped. Raise maxBufferBytes if that much output is expected.`;
  }
  if (error.killed) {
    return (
      `did not finish within ${timeout} ms and was stopped. ` +
      'The host may be overloaded or its service database locked; retry, or raise timeoutMs for slow hosts.'
    );
  }
  if (error.signal) {
    return `was killed by ${error.signal} before it finished. Retry; if it recurs, find what kills it on the host.`;
  }
  return (
    `could not be run: ${error.message}. ` +
    `Check that "${file}" exists on the worker's host${/[\\/]/.test(file) ? '' : ' and is on its PATH'} (sc.exe needs a Windows worker).`
  );
}
