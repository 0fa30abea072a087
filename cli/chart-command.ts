/**
 * `spoolflow chart <id> [--svg | --mermaid] [--out <file>] [--workflow <workflowId>]`: a procedure's
 * state chart, as Mermaid text (the default, for pasting into a Markdown page) or as an SVG
 * statechart diagram (for documentation), on standard output or into a file. With `--workflow` the
 * running procedure's current state is highlighted (red when halted).
 */
import { writeFileSync } from 'node:fs';
import { procedureById } from '../machines/catalog';
import { mermaidChart } from '../client/state-chart';
import { activeStateIds, svgChart } from '../client/chart-svg';
import type { ProcedureStatus } from '../workflows/operator-messages';

export class ChartUsageError extends Error {}

type Flags = Record<string, string | true>;

/** Checks the flags before anything is read or connected to. */
function chartFormat(flags: Flags): 'svg' | 'mermaid' {
  if (flags.svg !== undefined && flags.mermaid !== undefined) throw new ChartUsageError('chart takes --svg or --mermaid, not both');
  if (flags.svg !== undefined && flags.svg !== true) throw new ChartUsageError('--svg takes no value (the file goes after --out)');
  if (flags.mermaid !== undefined && flags.mermaid !== true) throw new ChartUsageError('--mermaid takes no value (the file goes after --out)');
  if (flags.out === true) throw new ChartUsageError('--out needs a file');
  if (flags.workflow === true) throw new ChartUsageError('--workflow needs a workflow id');
  return flags.svg === true ? 'svg' : 'mermaid';
}

/**
 * Prints (or writes with `--out`) the chart of a procedure of the catalog. `readStatus` is called
 * only with `--workflow`, to highlight where that procedure is.
 */
export async function chartCommand(procedureId: string | undefined, flags: Flags, readStatus: (workflowId: string) => Promise<ProcedureStatus>): Promise<void> {
  if (!procedureId) throw new ChartUsageError('chart needs a procedure id (see spoolflow catalog)');
  const format = chartFormat(flags);
  const { machine } = procedureById(procedureId);
  const status = typeof flags.workflow === 'string' ? await readStatus(flags.workflow) : undefined;
  const active = status ? { value: status.state, halted: status.status === 'halted' } : undefined;
  const chart =
    format === 'svg'
      ? svgChart(machine, active ? { highlight: { stateIds: activeStateIds(machine, active.value), halted: active.halted } } : {})
      : mermaidChart(machine, active);
  if (typeof flags.out === 'string') writeFileSync(flags.out, chart);
  else process.stdout.write(chart);
}
