/**
 * A fleet rollout on the live chart page: how many groups are done, running, halted and waiting,
 * and which, each linked to its child procedure's own page; the page reloads until the rollout is
 * done; pause and resume as forms checked before anything is sent; what the workflow answers is escaped.
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { createChartServer } from '../../web/chart-server';
import type { ProcedureStatus } from '../../workflows/operator-messages';
import type { RolloutStatus } from '../../workflows/fleet/rollout-messages';
import { midRolloutStatus } from '../helpers/rollout-status';

let answer: RolloutStatus = midRolloutStatus();
let server: http.Server;
let base = '';
const token = 'page-token-of-this-test';
const sent: { id: string; command: unknown }[] = [];

beforeAll(async () => {
  // The rollout's page reads only its status (readStatus); the Temporal client serves the index page, not asked here.
  server = createChartServer({ client: {} as Client, token, readStatus: async () => answer as unknown as ProcedureStatus, sendRolloutCommand: async (id, command) => sent.push({ id, command }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function page(path: string): Promise<{ code: number; html: string }> {
  const res = await fetch(`${base}${path}`);
  return { code: res.status, html: await res.text() };
}

test('the rollout page says how many groups are in each state and which, each linked to its procedure\'s page, and reloads while it runs', async () => {
  answer = midRolloutStatus();
  const { code, html } = await page('/workflows/rollout-1');
  expect(code).toBe(200);
  expect(html).toContain('fleet-rollout of restart-group-without-cache-deletion: <b>running</b>');
  expect(html).toContain('<tr class="halted"><td>halted</td><td>1</td><td><a href="/workflows/spoc-group-paris">paris</a></td></tr>');
  expect(html).toContain('<tr class="current"><td>running</td><td>1</td><td><a href="/workflows/spoc-group-london">london</a></td></tr>');
  expect(html).toContain('<tr><td>done</td><td>1</td><td><a href="/workflows/spoc-group-prague">prague</a></td></tr>');
  expect(html).toContain('<tr><td>waiting</td><td>1</td><td><a href="/workflows/spoc-group-berlin">berlin</a></td></tr>');
  expect(html).toContain('Stop the SPOC: the service did not stop within 60 s');
  expect(html).toContain('Nothing more starts now: at the limits: 2 group(s) at a time, 1 per site');
  expect(html).toContain('<a href="/workflows/rollout-1/commands/pause">pause</a>');
  expect(html).toContain('<meta http-equiv="refresh" content="2">');
});

test('a done rollout\'s page does not reload', async () => {
  answer = midRolloutStatus({ status: 'done', accepts: [] });
  const { html } = await page('/workflows/rollout-1');
  expect(html).not.toContain('http-equiv="refresh"');
});

test('what the workflow answers is escaped, links included', async () => {
  const mid = midRolloutStatus();
  answer = { ...mid, runs: '<script>x</script>', perGroup: [{ ...mid.perGroup[0]!, name: '<b>', workflowId: 'a"b', state: 'done' }] };
  const { html } = await page('/workflows/rollout-1');
  expect(html).not.toContain('<script>x');
  expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  expect(html).toContain('<a href="/workflows/a%22b">&lt;b&gt;</a>');
});

/** A form post as a browser sends it, the redirect not followed. */
function post(path: string, fields: Record<string, string>): Promise<{ code: number; location?: string; html: string }> {
  const body = new URLSearchParams(fields).toString();
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (html += chunk));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), html }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('pause is a form on a page of its own; posted with the page\'s token and an operator, it is sent to the rollout; one it does not accept now is refused before sending', async () => {
  answer = midRolloutStatus();
  sent.length = 0;
  expect((await page('/workflows/rollout-1/commands/pause')).html).toContain('<input type="hidden" name="command" value="pause">');
  expect(await post('/workflows/rollout-1/commands', { token, command: 'pause', operator: 'jdoe', reason: 'printers busy' })).toMatchObject({ code: 303, location: '/workflows/rollout-1' });
  expect(sent).toEqual([{ id: 'rollout-1', command: { type: 'operator.pause', operator: 'jdoe', reason: 'printers busy' } }]);
  const resume = await post('/workflows/rollout-1/commands', { token, command: 'resume', operator: 'jdoe' });
  expect(resume.code).toBe(400);
  expect(resume.html).toContain('command: &quot;resume&quot; is not accepted by the rollout now; it accepts pause');
  expect((await post('/workflows/rollout-1/commands', { token, command: 'pause', operator: ' ' })).code).toBe(400);
  expect((await post('/workflows/rollout-1/commands', { token: 'another', command: 'pause', operator: 'jdoe' })).code).toBe(403);
  expect(sent).toHaveLength(1);
});
