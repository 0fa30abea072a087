/**
 * `spoolflow chart <id> [--workflow <workflowId>] [--mermaid] [--out <file>]`: the state chart of a
 * procedure as Mermaid, with a running procedure's current step highlighted (red when halted).
 * The command registers itself here, options and all, so a new output format touches this file only.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { mermaidChart } from '../client/state-chart';
import { procedureById } from '../machines/catalog';

export interface ChartOptions {
  /** A running procedure whose current step is highlighted. */
  workflow?: string;
  /** Mermaid (today's only format; the flag says so explicitly). */
  mermaid?: boolean;
  /** Written to this file instead of standard output. */
  out?: string;
}

export type WithClient = <T>(fn: (client: SpoolflowClient) => Promise<T>) => Promise<T>;

export async function chartCommand(id: string, opts: ChartOptions, withClient: WithClient): Promise<void> {
  const { machine } = procedureById(id);
  const chart =
    opts.workflow === undefined
      ? mermaidChart(machine)
      : await withClient(async (c) => {
          const status = await c.status(opts.workflow as string);
          return mermaidChart(machine, { value: status.state, halted: status.status === 'halted' });
        });
  if (opts.out !== undefined) writeFileSync(opts.out, chart);
  else process.stdout.write(chart);
}

/** Adds `chart` to the program; `needId` turns a missing id into the usage error of today. */
export function registerChart(program: Command, withClient: WithClient, needId: (id: string | undefined) => string): void {
  program
    .command('chart')
    .description('the state chart of a procedure (Mermaid); with --workflow, its current step highlighted (red when halted)')
    .argument('[id]', 'the procedure id (see spoolflow catalog)')
    .option('--workflow <workflowId>', 'highlight where this running procedure is')
    .option('--mermaid', 'Mermaid stateDiagram-v2 text (the default)')
    .option('--out <file>', 'write the chart to this file instead of standard output')
    .action((id: string | undefined, opts: ChartOptions) => chartCommand(needId(id), opts, withClient));
}
