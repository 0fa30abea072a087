/**
 * The state-chart page: every procedure's chart, the procedures that ran, and a running one's live
 * chart with its current step highlighted, red and with the reason when it is halted.
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { groupRestartExample } from '../../client/example-inputs';
import { SpoolflowClient } from '../../client/spoolflow-client';
import { PROCEDURES } from '../../machines/catalog';
import { createChartServer } from '../../web/chart-server';
import { waitForStatus } from '../helpers/procedure-status';
import { createTestFleet, testInventory, withWorkers } from '../helpers/sim-fleet';
import { startTestTemporal, TestTemporal } from '../helpers/temporal-server';

let temporal: TestTemporal;
let server: http.Server;
let base: string;
beforeAll(async () => {
  temporal = await startTestTemporal();
  server = createChartServer({ client: temporal.client, webUi: 'http://ui.example/namespaces/default' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temporal?.close();
});

async function get(path: string): Promise<{ code: number; html: string }> {
  const res = await fetch(`${base}${path}`);
  return { code: res.status, html: await res.text() };
}

test('every procedure of the catalog has a chart with each of its steps in a box', async () => {
  const index = await get('/');
  for (const p of PROCEDURES) expect(index.html).toContain(`href="/procedures/${p.id}"`);
  const chart = await get('/procedures/restart-os-of-group-members');
  expect(chart.code).toBe(200);
  for (const step of ['checkOthersOnline', 'noteRunningServices', 'restartOs', 'awaitHostRestarted', 'awaitSpocOnline', 'settle']) expect(chart.html).toContain(`<div class="name">${step}`);
  expect(chart.html).toContain('done → restartOs');
});

test("a halted procedure's page shows the halted step in red, the reason and the operator's options; it refreshes itself", async () => {
  const fleet = createTestFleet();
  fleet.managementServerDown = true;
  const workflowId = `chart-${randomUUID()}`;
  const spoolflow = new SpoolflowClient(temporal.client);
  await withWorkers(temporal, fleet, async () => {
    await spoolflow.start('restart-group-without-cache-deletion', groupRestartExample(testInventory(), 'london'), { workflowId });
    await waitForStatus(temporal.client, workflowId, (s) => s.status === 'halted');
    const page = await get(`/workflows/${encodeURIComponent(workflowId)}`);
    expect(page.code).toBe(200);
    expect(page.html).toMatch(/<div class="state step halted" id="[^"]*checkManagementServer">/);
    expect(page.html).toContain('is not reachable');
    expect(page.html).toContain('The operator may: retry, abort');
    expect(page.html).toContain('<meta http-equiv="refresh" content="2">');
    expect((await get('/')).html).toContain(`href="/workflows/${workflowId}"`);

    fleet.managementServerDown = false;
    await spoolflow.command(workflowId, { type: 'operator.abort', reason: 'chart test <done>' });
    await spoolflow.result(workflowId);
    const after = await get(`/workflows/${encodeURIComponent(workflowId)}`);
    expect(after.html).not.toContain('http-equiv="refresh"');
    expect(after.html).toContain('chart test &lt;done&gt;');
    expect(after.html).not.toContain('<done>');
  });
  fleet.stop();
});

test('an unknown procedure or page is a 404 that escapes what was asked', async () => {
  const missing = await get(`/workflows/${encodeURIComponent('<script>x</script>')}`);
  expect(missing.code).toBe(404);
  expect(missing.html).not.toContain('<script>');
  expect((await get('/procedures/reboot-everything')).code).toBe(404);
});
