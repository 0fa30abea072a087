/**
 * `spoolflow sap sizing --release <r> [--frontend-printing] [--fro-max <n>] [--json]`: how many spool
 * work processes a spool server needs so that at least one is left for output requests at maximum
 * management load, with the reasoning line by line (docs/sap-spool-work-processes.md#sizing).
 * Needs no server; imports only the pure sizing rule, so it answers at once.
 */
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

/** Adds `sap` and its `sizing` to the program. */
export function registerSap(program: Command): void {
  const sap = program
    .command('sap')
    .description('SAP spool work processes (docs/sap-spool-work-processes.md)')
    .argument('[command]')
    .action((sub: string | undefined) => {
      throw new UsageError(sub === undefined ? 'sap needs a command: sizing' : `unknown sap command "${sub}" (sap sizing)`);
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
