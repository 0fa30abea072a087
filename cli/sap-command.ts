/**
 * `spoolflow sap sizing --release <r> [--frontend-printing] [--fro-max <n>] [--json]`: how many spool
 * work processes a spool server needs so that at least one is left for output requests at maximum
 * management load, with the reasoning line by line (docs/sap-spool-work-processes.md#sizing).
 * Needs no server; imports only the pure sizing rule, so it answers at once.
 *
 * `spoolflow sap status <system> <server>`, `spoolflow sap shutdown <system> <server> --to <server>
 * [--operator <name>] [--reason <text>]` and `spoolflow sap return <system> <server> [--operator
 * <name>] [--reason <text>] [--moved-requests-checked]` read a spool server's dispatcher, shut the server
 * down, its output requests reassigned (docs/sap-spool-work-processes.md#shutting-a-spool-server-down),
 * and bring it back into service; their work is in cli/sap-spool-actions.ts, loaded when one runs.
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { UnknownReleaseError } from '../machines/sap/spool-releases';
import { adviseSpoolWorkProcesses, SizingAdvice, SizingQuestionError } from '../machines/sap/spool-sizing';
import { UsageError } from './errors';

export interface SizingFlags {
  release?: string;
  frontendPrinting?: boolean;
  froMax?: string;
  json?: boolean;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

/** The advice for the flags; a bad flag is a UsageError naming it and the rule. */
export function sizingAdvice(flags: SizingFlags): SizingAdvice {
  if (flags.release === undefined || flags.release.trim() === '') throw new UsageError('sap sizing needs --release <release>, e.g. --release 4.6C');
  try {
    return adviseSpoolWorkProcesses({
      release: flags.release,
      frontendPrinting: flags.frontendPrinting === true,
      ...(flags.froMax !== undefined ? { froMax: wholeNumber('--fro-max', flags.froMax) } : {}),
    });
  } catch (err) {
    if (err instanceof UnknownReleaseError || err instanceof SizingQuestionError) throw new UsageError(err.message);
    throw err;
  }
}

/** What the command writes: the reasoning, a line each, or with --json the advice as one object. */
export function sizingOutput(flags: SizingFlags): string {
  const advice = sizingAdvice(flags);
  return flags.json ? `${JSON.stringify(advice, null, 2)}\n` : `${advice.reasoning.join('\n')}\n`;
}

/** Runs `fn` with a connected Temporal client (cli/program.ts). */
export type WithTemporalClient = <T>(fn: (client: Client) => Promise<T>) => Promise<T>;

/** The system and server a command names, or a UsageError naming what is missing. */
function spoolServerNamed(command: string, system: string | undefined, server: string | undefined): [string, string] {
  if (!system || !server) throw new UsageError(`sap ${command} needs <system> <server>, e.g. sap ${command} prd spool1`);
  return [system, server];
}

/** Adds `sap` and its `sizing`, `status`, `shutdown` and `return` to the program. */
export function registerSap(program: Command, withClient: WithTemporalClient, print: (value: unknown) => void): void {
  const actions = () => import('./sap-spool-actions');
  const sap = program
    .command('sap')
    .description('SAP spool work processes (docs/sap-spool-work-processes.md)')
    .argument('[command]')
    .action((sub: string | undefined) => {
      throw new UsageError(sub === undefined ? 'sap needs a command: sizing, status, shutdown, return' : `unknown sap command "${sub}" (sap sizing, sap status, sap shutdown, sap return)`);
    });
  sap
    .command('status')
    .usage('<system> <server>')
    .description("a spool server's dispatcher: its work processes, what waits, its latest outcomes, its shutdown")
    .argument('[system]', 'the SAP system (its SID in lower case)')
    .argument('[server]', 'the spool server')
    .action(async (system: string | undefined, server: string | undefined) => {
      const [sid, name] = spoolServerNamed('status', system, server);
      const work = await actions();
      // Checked before connecting: a system that is not a SID is named even when no server answers.
      work.checkSpoolServerAddress(sid, name);
      print(await withClient(async (client) => work.spoolServerView(client, sid, name)));
    });
  sap
    .command('shutdown')
    .usage('<system> <server> --to <server> [--operator <name>] [--reason <text>]')
    .description('shuts the spool server down: it starts nothing new, and its output requests go to the other server once no set-sequence request prints on it; then it refuses new tasks naming that server')
    .argument('[system]', 'the SAP system (its SID in lower case)')
    .argument('[server]', 'the spool server to shut down')
    .option('--to <server>', 'the spool server of the same system its output requests go to')
    .option('--operator <name>', 'who asks (kept in the status)')
    .option('--reason <text>', 'why (kept in the status)')
    .action(async (system: string | undefined, server: string | undefined, opts: { to?: string; operator?: string; reason?: string }) => {
      const [sid, name] = spoolServerNamed('shutdown', system, server);
      const to = opts.to;
      if (!to) throw new UsageError(`sap shutdown needs --to <server>: the spool server of ${sid} that ${name}'s output requests go to`);
      const work = await actions();
      // Checked before connecting: a bad name or flag is named even when the server cannot be reached.
      work.checkSpoolServerAddress(sid, name);
      const input = work.shutDownAskedByFlags(name, { ...opts, to });
      print(await withClient(async (client) => work.shutDownFromCli(client, sid, name, input)));
    });
  sap
    .command('return')
    .usage('<system> <server> [--operator <name>] [--reason <text>] [--moved-requests-checked]')
    .description('brings the spool server back into service after its shutdown: holding, it starts the tasks it kept; shut down, it takes tasks again')
    .argument('[system]', 'the SAP system (its SID in lower case)')
    .argument('[server]', 'the spool server to bring back')
    .option('--operator <name>', 'who asks (kept in the status)')
    .option('--reason <text>', 'why (kept in the status)')
    .option('--moved-requests-checked', 'requests went (or may have gone) to the target: you looked there, and this server prints what it kept')
    .action(async (system: string | undefined, server: string | undefined, opts: { operator?: string; reason?: string; movedRequestsChecked?: boolean }) => {
      const [sid, name] = spoolServerNamed('return', system, server);
      const work = await actions();
      // Checked before connecting: a bad name or flag is named even when the server cannot be reached.
      work.checkSpoolServerAddress(sid, name);
      const input = work.returnAskedByFlags(name, opts);
      print(await withClient(async (client) => work.returnFromCli(client, sid, name, input)));
    });
  sap
    .command('sizing')
    .usage('--release <release> [--frontend-printing] [--fro-max <n>] [--json]')
    .description('how many spool work processes a spool server needs so that one is left for output requests at maximum management load, with the reasoning')
    .option('--release <release>', 'the R/3 or SAP_BASIS release: 3.1I, 4.0A, 4.0B, 4.6C, 7.50, ...')
    .option('--frontend-printing', 'users print on their frontends through this server (counts as of 4.6A)')
    .option('--fro-max <n>', 'rdisp/wp_no_spo_Fro_max, the work processes frontend output may take (default 1)')
    .option('--json', 'the advice as JSON: {"workProcesses": n, ...}')
    .action((opts: SizingFlags) => {
      process.stdout.write(sizingOutput(opts));
    });
}
