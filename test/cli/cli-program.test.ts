/**
 * The commands of `spoolflow` on commander: each has its own help, and a usage error exits with
 * code 2 and says what is wrong, before anything connects.
 */
import { Command, CommanderError } from 'commander';
import { exitOf } from '../../cli/exit-codes';
import { buildProgram } from '../../cli/program';
import { ConnectionConfigError } from '../../engine/connection-config';

const COMMANDS = ['catalog', 'plan', 'start', 'status', 'result', 'operator', 'retry', 'skip', 'abort', 'chart', 'list', 'watch', 'sim', 'scheduler', 'sap', 'worker', 'fleet', 'agent'];

/** Parses the arguments without running anything that connects; resolves with the error, if any. */
async function parseError(args: string[]): Promise<unknown> {
  const program = buildProgram();
  const quiet = (command: Command): void => {
    command.configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return undefined;
  } catch (err) {
    return err;
  }
}

test('the help lists every command', () => {
  const help = buildProgram().helpInformation();
  for (const command of COMMANDS) expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
});

test.each(COMMANDS)('%s has a help of its own', (name) => {
  const command = buildProgram().commands.find((c) => c.name() === name);
  expect(command?.helpInformation()).toContain(`Usage: spoolflow ${name}`);
});

test('--help ends with exit code 0', async () => {
  expect(exitOf(await parseError(['watch', '--help']))).toEqual({ code: 0, message: '' });
});

test('a flag a command does not take is a usage error naming the flag, exit code 2', async () => {
  const err = await parseError(['retry', 'spoc-group-london', '--reson', 'typo']);
  expect(err).toBeInstanceOf(CommanderError);
  expect(exitOf(err)).toMatchObject({ code: 2, message: expect.stringContaining("unknown option '--reson'") });
});

test('a missing argument, a bad limit or interval is refused with code 2 and the rule', async () => {
  expect(exitOf(await parseError(['watch']))).toMatchObject({ code: 2, message: expect.stringContaining('watch needs a workflow id') });
  expect(exitOf(await parseError(['retry']))).toMatchObject({ code: 2, message: expect.stringContaining('retry needs a workflow id') });
  expect(exitOf(await parseError(['list', '--limit', '0']))).toMatchObject({ code: 2, message: expect.stringContaining('--limit must be a whole number from 1 to 1000') });
  expect(exitOf(await parseError(['watch', 'w', '--interval', 'soon']))).toMatchObject({ code: 2, message: expect.stringContaining('--interval must be a whole number of milliseconds') });
  expect(exitOf(await parseError(['list', '--procedure', 'reboot-everything']))).toMatchObject({ code: 2, message: expect.stringContaining('unknown procedure "reboot-everything"') });
  expect(exitOf(await parseError([]))).toMatchObject({ code: 2, message: expect.stringContaining('a command is required') });
});

test('the short forms check --operator and --reason as operator does, before connecting', async () => {
  expect(exitOf(await parseError(['abort', 'spoc-group-london', '--reason', ' ']))).toMatchObject({ code: 2, message: expect.stringContaining('reason: must not be blank') });
});

test('a failure that is not the caller\'s is exit code 1', () => {
  expect(exitOf(new Error('connection refused'))).toEqual({ code: 1, message: 'spoolflow: connection refused\n' });
});

test('a message that already names spoolflow is not prefixed twice', () => {
  expect(exitOf(new ConnectionConfigError([{ variable: 'TEMPORAL_TLS', message: 'must be true, false, 1 or 0 (got "yes")' }]))).toEqual({
    code: 2,
    message: expect.stringMatching(/^spoolflow: invalid Temporal connection settings:\n/),
  });
  expect(exitOf(new Error('spoolflow: cannot read the CA')).message).toBe('spoolflow: cannot read the CA\n');
});
