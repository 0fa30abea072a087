/**
 * `spoolflow list [--halted] [--procedure <id>] [--limit <n>]`: the running and recent procedures,
 * the newest first (cli/list-procedures.ts asks Temporal; loaded by the action, so registering the
 * command costs nothing).
 */
import type { Command } from 'commander';
import type { WithClient } from './chart-command';
import { UsageError } from './errors';

export interface ListOptions {
  halted?: boolean;
  procedure?: string;
  limit?: string;
}

export const DEFAULT_LIST_LIMIT = 50;

/** The limit asked for; a usage error names the flag and the rule. */
export function listLimit(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${limit}"`);
  return n;
}

export function registerList(program: Command, withClient: WithClient, print: (value: unknown) => void): void {
  program
    .command('list')
    .description('running and recent procedures, the newest first, from their search attributes')
    .option('--halted', 'only running procedures that are halted and wait for an operator')
    .option('--procedure <id>', 'only this procedure (see spoolflow catalog)')
    .option('--limit <n>', `at most this many (default ${DEFAULT_LIST_LIMIT})`)
    .action(async (opts: ListOptions) => {
      // Checked before connecting.
      listLimit(opts.limit);
      const { listProcedures, listQuery } = await import('./list-procedures');
      listQuery(opts);
      print(await withClient((c) => listProcedures(c.client, opts)));
    });
}
