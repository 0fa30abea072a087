/**
 * What `spoolflow list` asks Temporal and how it shows each procedure: found by the search
 * attributes every procedure keeps up to date (workflows/search-attributes.ts), the newest first.
 * Loaded by the command's action only (cli/list-command.ts registers it), with the ids it checks
 * `--procedure` against (machines/startable-ids.ts: no machine, no schema).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { startableId } from '../machines/startable-ids';
import { HALTED_KEY, HOSTS_KEY, PROCEDURE_KEY, STEP_KEY } from '../workflows/search-attributes';
import { listLimit, type ListOptions } from './list-command';

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

/**
 * The visibility query: spoolflow's procedures only (those that carry SpoolflowProcedure), then
 * the filters given. The procedure id is checked against the startable ids, so it is safe to quote.
 */
export function listQuery(opts: Pick<ListOptions, 'halted' | 'procedure'>): string {
  const clauses = [opts.procedure !== undefined ? `${PROCEDURE_KEY.name} = '${startableId(opts.procedure)}'` : `${PROCEDURE_KEY.name} IS NOT NULL`];
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
