/**
 * The static SVG chart of each procedure (`spoolflow chart <id> --svg`, nothing highlighted), laid
 * out once by `npm run build` into dist/charts/ rather than on every run: dagre takes 0.5 to 4 s
 * of CPU for the large SPOC machines. A chart's file is named by a hash of the machine's chart
 * graph (what the layout is computed from), so a changed machine finds no file and is laid out
 * again; the compiled CLI runs only when dist/ is not older than any source (cli/build-freshness.js),
 * so the layout and drawing code the files were made with is the code of the checkout. Run from the
 * sources (tsx) there is no such folder beside them, and every chart is laid out.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { chartGraph } from './chart-graph';

/** dist/charts when compiled (this file is dist/client/chart-cache.js); charts/ beside the sources, which the build never writes, otherwise. */
export const CHART_CACHE_DIR = path.join(__dirname, '..', 'charts');

/** The file of a machine's static chart: named by the sha-256 of its chart graph. */
export function chartCacheFile(machine: AnyStateMachine, dir = CHART_CACHE_DIR): string {
  const key = createHash('sha256').update(JSON.stringify(chartGraph(machine))).digest('hex');
  return path.join(dir, `${key}.svg`);
}

/** The machine's static SVG chart: laid out at build time when the build has it, else now. */
export async function staticSvgChart(machine: AnyStateMachine, dir = CHART_CACHE_DIR): Promise<string> {
  try {
    return readFileSync(chartCacheFile(machine, dir), 'utf8');
  } catch {
    const { svgChart } = await import('./chart-svg');
    return svgChart(machine);
  }
}

/** Lays out every machine's static chart into `dir` (the build's charts/); returns the files written. */
export async function writeChartCache(machines: readonly AnyStateMachine[], dir = CHART_CACHE_DIR): Promise<string[]> {
  const { svgChart } = await import('./chart-svg');
  mkdirSync(dir, { recursive: true });
  return machines.map((machine) => {
    const file = chartCacheFile(machine, dir);
    writeFileSync(file, svgChart(machine));
    return file;
  });
}
