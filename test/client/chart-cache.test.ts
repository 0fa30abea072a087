/**
 * `spoolflow chart <id> --svg` reads the static chart the build laid out (client/chart-cache.ts)
 * instead of laying it out again, and a machine that changed since finds no file and is laid out
 * now: the file is named by a hash of the machine's chart graph.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMachine } from 'xstate';
import { chartCacheFile, staticSvgChart, writeChartCache } from '../../client/chart-cache';
import { svgChart } from '../../client/chart-svg';
import { procedureById } from '../../machines/catalog';

const machine = procedureById('supervise-active-cluster').machine;
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-charts-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the build writes each machine's static chart, the one svgChart draws, into a file named by its graph", async () => {
  const [file] = await writeChartCache([machine], dir);
  expect(readdirSync(dir)).toEqual([path.basename(chartCacheFile(machine, dir))]);
  expect(file).toBe(chartCacheFile(machine, dir));
  expect(await staticSvgChart(machine, dir)).toBe(svgChart(machine));
});

test('a static chart is read from its file, not laid out again', async () => {
  writeFileSync(chartCacheFile(machine, dir), '<svg>laid out by the build</svg>');
  expect(await staticSvgChart(machine, dir)).toBe('<svg>laid out by the build</svg>');
});

test('a machine that changed since the build finds no file and is laid out now', async () => {
  const before = createMachine({ id: 'door', initial: 'closed', states: { closed: { on: { open: 'opened' } }, opened: {} } });
  const after = createMachine({ id: 'door', initial: 'closed', states: { closed: { on: { open: 'opened' } }, opened: { on: { close: 'closed' } } } });
  await writeChartCache([before], dir);
  expect(chartCacheFile(after, dir)).not.toBe(chartCacheFile(before, dir));
  expect(await staticSvgChart(after, dir)).toBe(svgChart(after));
  expect(await staticSvgChart(after, dir)).not.toBe(svgChart(before));
});
