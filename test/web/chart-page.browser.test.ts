/**
 * The chart page in a real browser (headless Chromium, Debian's package, driven by
 * playwright-core): a procedure on the simulated estate halts on an injected fault; the page
 * highlights the state `status` reports, shows the halt in red with the member loop, and a retry
 * typed and clicked on the page, after the fault is cleared, lets the procedure finish. Screenshots
 * of the page running, halted and done go to test-output/screenshots/.
 *
 * In CI a missing browser fails the test; only locally does it skip, saying why (test/helpers/browser.ts).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { TERMINAL_SERVER_SERVICE } from '../../machines/spoc/spoc-services';
import type { SpocProcedureOutput } from '../../machines/spoc/spoc-procedure-output';
import { groupRestartExample } from '../../simulator/example-inputs';
import { createChartServer } from '../../web/chart-server';
import { openBrowser, requireBrowser, screenshot as saveScreenshot } from '../helpers/browser';
import { useSimulatedEstate } from '../helpers/integration-estate';
import { testInventory } from '../helpers/sim-fleet';

const browserTest = requireBrowser();
const browser = openBrowser();
const estate = useSimulatedEstate();
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = createChartServer({ client: estate.client });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A full-page screenshot with the chart scrolled to its highlighted state (the chart scrolls inside its frame). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(`document.querySelector('svg.state-chart g.state.current, svg.state-chart g.state.halted')?.scrollIntoView({ block: 'center' })`);
  await saveScreenshot(page, name);
}

/** The state the page's SVG highlights (current or halted) and how it is painted. */
async function highlighted(page: Page): Promise<{ id: string; kind: string; fill: string }[]> {
  // Runs in the page (the project's type-check has no DOM library, hence a string).
  return page.evaluate(`[...document.querySelectorAll('svg.state-chart g.state.current, svg.state-chart g.state.halted')].map((g) => ({
    id: g.getAttribute('data-state-id') ?? '',
    kind: g.classList.contains('halted') ? 'halted' : 'current',
    fill: getComputedStyle(g.querySelector('rect')).fill,
  }))`);
}

browserTest('the chart page shows the state status reports, the halt in red, and a retry clicked on the page finishes the procedure', async () => {
  const page = browser.page;
  await page.setViewportSize({ width: 1400, height: 1000 });

  const fleet = estate.fleet();
  fleet.host('spoc-lon-2').setFaults({ services: { [TERMINAL_SERVER_SERVICE]: 'wont-start' } });
  const input = groupRestartExample(testInventory(), 'london');
  const workflowId = `chart-browser-${randomUUID()}`;
  const url = `${base}/workflows/${encodeURIComponent(workflowId)}`;

  const output = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', { ...input, waits: { ...input.waits, serviceTimeoutSeconds: 5, rescueTimeoutSeconds: 5, convergenceSeconds: 0 } }, { workflowId });

    // Running: the highlighted state is the step status reports, read just before and after the page.
    const before = await estate.waitForStatus(workflowId, (s) => s.status === 'running' && s.path.some((e) => e.host === 'spoc-lon-1'));
    await page.goto(url);
    const after = await estate.spoolflow.status(workflowId);
    const seen = new Set([before.step, ...after.path.slice(before.path.length - 1).map((e) => e.step), after.step]);
    expect(await page.$$eval('meta[http-equiv="refresh"]', (metas) => metas.length)).toBe(1);
    const running = await highlighted(page);
    expect(running).toHaveLength(1);
    expect([...seen].some((step) => running[0]?.id === step || running[0]?.id.endsWith(`.${step}`) || running[0]?.id.includes(`${step}.`))).toBe(true);
    await screenshot(page, 'running');

    // Halted: exactly the state status reports, in red, with the member loop and the commands.
    const halted = await estate.halted(workflowId, 90_000);
    expect(halted.step).toBe('memberStartTerminalServer');
    await page.goto(url);
    expect(await page.$$eval('meta[http-equiv="refresh"]', (metas) => metas.length)).toBe(0);
    const red = await highlighted(page);
    expect(red).toHaveLength(1);
    expect(red[0]).toMatchObject({ kind: 'halted', fill: 'rgb(239, 154, 154)' });
    expect(red[0]?.id).toMatch(new RegExp(`(^|\\.)${halted.step}\\.halted$`));
    expect(await page.textContent('.member-loop')).toContain('member 2 of 2: spoc-lon-2 · done: spoc-lon-1');
    expect(await page.textContent('p.halted')).toContain('Terminal Server on spoc-lon-2 did not reach RUNNING');
    await screenshot(page, 'halted');

    // The operator clears the fault, then types who and why and clicks retry on the page.
    fleet.host('spoc-lon-2').setFaults({});
    const retry = page.locator('form.command', { has: page.locator('button[value="retry"]') });
    await retry.locator('input[name="operator"]').fill('Olga');
    await retry.locator('input[name="reason"]').fill('terminal server fixed');
    await Promise.all([page.waitForURL(url), retry.locator('button[value="retry"]').click()]);

    // The page reloads itself while the procedure runs, until it shows the procedure done.
    await page.waitForSelector('p.status-done', { timeout: 90_000 });
    expect((await highlighted(page)).map((h) => h.id)).toEqual(['restartGroupWithoutCacheDeletion.completed']);
    expect(await page.$$eval('svg.state-chart path.transition.taken', (arrows) => arrows.length)).toBeGreaterThan(10);
    await screenshot(page, 'done');
    return (await estate.spoolflow.result(workflowId)) as SpocProcedureOutput & { operatorCommands: { type: string; operator?: string; reason?: string }[] };
  });
  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'] });
  expect(output.operatorCommands).toEqual([expect.objectContaining({ type: 'operator.retry', operator: 'Olga', reason: 'terminal server fixed' })]);
});
