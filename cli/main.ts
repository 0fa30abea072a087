/**
 * spoolflow: the command line of the client contract. The commands are in cli/program.ts
 * (`spoolflow --help`, `spoolflow <command> --help`); how each ends, in cli/exit-codes.ts.
 *
 * Output is JSON on stdout. Exit codes: 0 done, 1 failure, 2 invalid input or usage (the message
 * names the field and the rule).
 */
import { exitOf } from './exit-codes';
import { buildProgram } from './program';

// A reader that stops early (`spoolflow catalog | head`) closes the pipe: that is the reader's choice,
// not a failure of the command, so it ends quietly instead of with an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildProgram()
  .parseAsync(process.argv.slice(2), { from: 'user' })
  .catch((err: unknown) => {
    const { code, message } = exitOf(err);
    process.stderr.write(message);
    process.exit(code);
  });
