/**
 * `spoolflow list [--halted] [--procedure <id>] [--limit <n>]`: the running and recent procedures,
 * found by the search attributes every procedure keeps up to date (workflows/search-attributes.ts),
 * the newest first.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { startableById } from '../machines/startable';
import { HALTED_KEY, HOSTS_KEY, PROCEDURE_KEY, STEP_KEY } from '../workflows/search-attributes';
import type { WithClient } from './chart-command';
import { UsageError } from './errors';

export interface ListOptions {
  halted?: boolean;
  procedure?: string;
  limit?: string;
}

/** One row of `spoolflow list`. */
export interface ListedProcedure {
  workflowId: string;
  procedure: string | null;
  /** Temporal's word for the run, in lower case: running, completed, failed, terminated, … */
  status: string;
  step: string | null;
  halted: boolean;
  hosts: string[];
  startTime: string;
  closeTime: string | null;
}

export const DEFAULT_LIST_LIMIT = 50;

/** The limit asked for; a usage error names the flag and the rule. */
export function listLimit(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${limit}"`);
  return n;
}

/**
 * The visibility query: spoolflow's procedures only (those that carry SpoolflowProcedure), then
 * the filters given. The procedure id is checked against the catalog, so it is safe to quote.
 */
export function listQuery(opts: Pick<ListOptions, 'halted' | 'procedure'>): string {
  const clauses = [opts.procedure !== undefined ? `${PROCEDURE_KEY.name} = '${startableById(opts.procedure).id}'` : `${PROCEDURE_KEY.name} IS NOT NULL`];
  if (opts.halted) clauses.push(`${HALTED_KEY.name} = true`, `ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

export function listedProcedure(info: WorkflowExecutionInfo): ListedProcedure {
  const attrs = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    procedure: attrs.get(PROCEDURE_KEY) ?? null,
    status: info.status.name.toLowerCase(),
    step: attrs.get(STEP_KEY) ?? null,
    halted: attrs.get(HALTED_KEY) ?? false,
    hosts: attrs.get(HOSTS_KEY) ?? [],
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
  };
}

export async function listProcedures(client: Client, opts: ListOptions): Promise<ListedProcedure[]> {
  const limit = listLimit(opts.limit);
  const rows: ListedProcedure[] = [];
  for await (const info of client.workflow.list({ query: listQuery(opts), pageSize: Math.min(limit, 100) })) {
    rows.push(listedProcedure(info));
    if (rows.length >= limit) break;
  }
  return rows.sort((a, b) => b.startTime.localeCompare(a.startTime));
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
      listQuery(opts);
      print(await withClient((c) => listProcedures(c.client, opts)));
    });
}
