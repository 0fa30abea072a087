/**
 * `spoolflow chart <id> [--svg | --mermaid] [--out <file>] [--workflow <workflowId>]`: a procedure's
 * state chart, as Mermaid text (the default, for pasting into a Markdown page) or as an SVG
 * statechart diagram (for documentation), on standard output or into a file. With `--workflow` the
 * running procedure's current state is highlighted (red when halted). The command registers itself
 * here, options and all, so a new output format touches this file only.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { UsageError } from './errors';

export interface ChartOptions {
  /** A running procedure whose current state is highlighted. */
  workflow?: string;
  /** The SVG statechart diagram. */
  svg?: boolean;
  /** Mermaid stateDiagram-v2 text (the default). */
  mermaid?: boolean;
  /** Written to this file instead of standard output. */
  out?: string;
}

export type WithClient = <T>(fn: (client: SpoolflowClient) => Promise<T>) => Promise<T>;

export async function chartCommand(id: string, opts: ChartOptions, withClient: WithClient): Promise<void> {
  if (opts.svg && opts.mermaid) throw new UsageError('chart takes --svg or --mermaid, not both');
  // Loaded here, not at the top, so that registering the command costs the other commands nothing;
  // this procedure's machine alone, and the SVG layout (dagre) only when an SVG must be laid out.
  const { procedureMachine } = await import('../client/procedure-modules');
  const { machine } = await procedureMachine(id);
  const status = opts.workflow === undefined ? undefined : await withClient((c) => c.status(opts.workflow as string));
  const active = status ? { value: status.state, halted: status.status === 'halted' } : undefined;
  let chart: string;
  if (opts.svg && active) {
    const { activeStateIds, svgChart } = await import('../client/chart-svg');
    chart = svgChart(machine, { highlight: { stateIds: activeStateIds(machine, active.value), halted: active.halted } });
  } else if (opts.svg) {
    // Laid out by the build when it can be (dagre takes seconds for the large machines).
    chart = await (await import('../client/chart-cache')).staticSvgChart(machine);
  } else {
    chart = (await import('../client/state-chart')).mermaidChart(machine, active);
  }
  if (opts.out !== undefined) writeFileSync(opts.out, chart);
  else process.stdout.write(chart);
}

/** Adds `chart` to the program; `needId` turns a missing id into the usage error of today. */
export function registerChart(program: Command, withClient: WithClient, needId: (id: string | undefined) => string): void {
  program
    .command('chart')
    .description('the state chart of a procedure (Mermaid, or an SVG diagram); with --workflow, its current state highlighted (red when halted)')
    .argument('[id]', 'the procedure id (see spoolflow catalog)')
    .option('--workflow <workflowId>', 'highlight where this running procedure is')
    .option('--svg', 'an SVG statechart diagram (states as boxes, transitions as labelled arrows)')
    .option('--mermaid', 'Mermaid stateDiagram-v2 text (the default)')
    .option('--out <file>', 'write the chart to this file instead of standard output')
    .action((id: string | undefined, opts: ChartOptions) => chartCommand(needId(id), opts, withClient));
}
