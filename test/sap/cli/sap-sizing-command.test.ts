/**
 * `spoolflow sap sizing`: the advice and its reasoning, as text or JSON; a release that is not one,
 * and flags that do not fit, end with exit code 2 and say why.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { UsageError } from '../../../cli/errors';
import { sizingOutput, SizingFlags } from '../../../cli/sap-command';

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'spoolflow.js');

/** The command's standard output, or the error it ended with. */
function sizing(args: string[]): { stdout: string; err?: unknown } {
  const flags: SizingFlags = {};
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--release') flags.release = args[(i += 1)];
    else if (args[i] === '--fro-max') flags.froMax = args[(i += 1)];
    else if (args[i] === '--frontend-printing') flags.frontendPrinting = true;
    else if (args[i] === '--json') flags.json = true;
  }
  try {
    return { stdout: sizingOutput(flags) };
  } catch (err) {
    return { stdout: '', err };
  }
}

describe('spoolflow sap sizing', () => {
  test('prints the reasoning line by line, ending with the number', () => {
    const { stdout, err } = sizing(['--release', '4.0B']);
    expect(err).toBeUndefined();
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Release 4.0B has the spool tasks of release 4.0B.');
    expect(lines).toContain('So 4 spool work processes on the server: one more than the 3 that management may take.');
  });

  test('--json prints the advice with workProcesses', () => {
    const advice = JSON.parse((sizing(['--release', '4.6A', '--frontend-printing', '--json'])).stdout) as { workProcesses: number; atMost: unknown; reasoning: string[] };
    expect(advice.workProcesses).toBe(5);
    expect(advice.atMost).toEqual({ globalManagement: 1, localManagement: 2, frontendOutput: 1 });
    expect(JSON.parse(sizingOutput({ release: '7.50', frontendPrinting: true, froMax: '3', json: true }))).toMatchObject({ workProcesses: 7 });
  });

  test.each([
    [['--release', '4.0'], /--release "4\.0": ambiguous without its letter/],
    [['--release', 'S/4HANA'], /--release "S\/4HANA": not a release name/],
    [[], /sap sizing needs --release <release>/],
    [['--release', '4.6C', '--fro-max', '2'], /--fro-max .* counts only with --frontend-printing/],
    [['--release', '4.6C', '--frontend-printing', '--fro-max', 'two'], /--fro-max must be a whole number, not "two"/],
  ])('%j is a usage error (exit code 2) saying why', (args, why) => {
    const { err } = sizing(args);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(why);
  });

  test('as a process: an unknown release exits 2 with the message on standard error, nothing on standard output', () => {
    const run = spawnSync(process.execPath, [CLI, 'sap', 'sizing', '--release', '9'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^spoolflow: --release "9": not a release name/);
  });
});
