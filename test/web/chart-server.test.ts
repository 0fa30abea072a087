/**
 * The state-chart page: every procedure's chart, the procedures that ran, and a running one's live
 * chart with its current step highlighted, red and with the reason when it is halted.
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { PROCEDURES } from '../../machines/catalog';
import { createChartServer, isLoopbackHost } from '../../web/chart-server';
import type { ProcedureStatus } from '../../workflows/operator-messages';
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

/** A form post as a browser sends it, the redirect not followed. */
async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}, to = base): Promise<{ code: number; headers: http.IncomingHttpHeaders; html: string }> {
  const body = new URLSearchParams(fields).toString();
  const url = new URL(path, to);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (html += chunk));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, html }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request exactly as given (fetch would normalise the path and refuses to set Host). */
function raw(opts: { path: string; method?: string; host?: string; to?: string }): Promise<{ code: number; headers: http.IncomingHttpHeaders; html: string }> {
  const url = new URL(opts.to ?? base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.host === undefined ? {} : { host: opts.host } }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (html += chunk));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, html }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every procedure of the catalog has a chart with each of its steps in a box', async () => {
  const index = await get('/');
  for (const p of PROCEDURES) expect(index.html).toContain(`href="/procedures/${p.id}"`);
  const chart = await get('/procedures/restart-os-of-group-members');
  expect(chart.code).toBe(200);
  for (const step of ['checkOthersOnline', 'noteRunningServices', 'restartOs', 'awaitHostRestarted', 'awaitSpocOnline', 'settle']) expect(chart.html).toContain(`<div class="name">${step}`);
  expect(chart.html).toContain('done → restartOs');
});

test("a procedure's page draws its statechart as inline SVG, a box per step, with no style element the page's policy would refuse", async () => {
  const chart = await get('/procedures/restart-os-of-group-members');
  const svg = /<figure class="chart-svg">(<svg [\s\S]*?<\/svg>)/.exec(chart.html)?.[1] ?? '';
  expect(svg).toContain('class="state-chart"');
  for (const step of ['checkOthersOnline', 'noteRunningServices', 'restartOs', 'awaitHostRestarted', 'awaitSpocOnline', 'settle']) expect(svg).toMatch(new RegExp(`data-state-id="[^"]*${step}"`));
  expect(svg).not.toContain('<style>');
  expect(chart.html).toContain('.state.halted > rect');
});

test('an unknown procedure or page is a 404 that escapes what was asked', async () => {
  const missing = await get(`/workflows/${encodeURIComponent('<script>x</script>')}`);
  expect(missing.code).toBe(404);
  expect(missing.html).not.toContain('<script>');
  expect((await get('/procedures/reboot-everything')).code).toBe(404);
});

test('an address that is not valid percent-encoding is a 400, and the page goes on answering', async () => {
  const bad = await raw({ path: '/workflows/%E0%A4%A' });
  expect(bad.code).toBe(400);
  expect((await raw({ path: '/%' })).code).toBe(400);
  expect((await get('/procedures/restart-os-of-group-members')).code).toBe(200);
});

test('anything but GET, HEAD and a command form POST is a 405 that says what is allowed', async () => {
  for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
    const res = await raw({ path: '/', method });
    expect(res.code).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
  }
  expect((await raw({ path: '/', method: 'POST' })).code).toBe(405);
  const head = await raw({ path: '/procedures/restart-os-of-group-members', method: 'HEAD' });
  expect(head.code).toBe(200);
  expect(head.html).toBe('');
});

test('a Host header other than a loopback name is refused (DNS rebinding); the loopback names are served', async () => {
  const port = new URL(base).port;
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${Number(port) + 1}`]) {
    expect([host, (await raw({ path: '/procedures/restart-os-of-group-members', host })).code]).toEqual([host, 421]);
  }
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
    expect([host, (await raw({ path: '/procedures/restart-os-of-group-members', host })).code]).toEqual([host, 200]);
  }
});

test('a page that listens on another interface (SPOOLFLOW_WEB_HOST) answers to that name too, and still to no other site', () => {
  expect(isLoopbackHost('spoolflow.ops.example:8234', 8234, ['spoolflow.ops.example'])).toBe(true);
  expect(isLoopbackHost('SPOOLFLOW.ops.example', 8234, ['spoolflow.ops.example'])).toBe(true);
  expect(isLoopbackHost('evil.example:8234', 8234, ['spoolflow.ops.example'])).toBe(false);
  expect(isLoopbackHost('spoolflow.ops.example:8234', 8234)).toBe(false);
});

test('every page carries a Content-Security-Policy that lets only its own style sheet in, and nosniff', async () => {
  for (const path of ['/procedures/restart-os-of-group-members', '/nothing-here', '/workflows/%E0%A4%A']) {
    const res = await raw({ path });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  }
  // The hash is the page's actual style sheet, so the browser applies it.
  const res = await raw({ path: '/procedures/restart-os-of-group-members' });
  const css = /<style>([\s\S]*?)<\/style>/.exec(res.html)?.[1] ?? '';
  const hash = createHash('sha256').update(css).digest('base64');
  expect(String(res.headers['content-security-policy'])).toContain(`'sha256-${hash}'`);
});

test("every value of a procedure's status is escaped, whatever type the answer gives it", async () => {
  const script = '<script>alert(1)</script>';
  const crafted = {
    procedure: 'restart-group-without-cache-deletion',
    state: 'checkManagementServer',
    step: script,
    status: 'halted',
    halt: { step: script, title: script, reason: script, options: [script] },
    accepts: [],
    summary: { note: script },
    path: [{ step: script, title: script, host: script, outcome: script, reason: script, startedAt: script }],
    stepsTaken: script,
    timers: [],
    inFlight: [],
  } as unknown as ProcedureStatus;
  const crafty = createChartServer({ client: temporal.client, readStatus: async () => crafted });
  await new Promise<void>((resolve) => crafty.listen(0, '127.0.0.1', resolve));
  try {
    const page = await raw({ path: '/workflows/anything', to: `http://127.0.0.1:${(crafty.address() as AddressInfo).port}` });
    expect(page.code).toBe(200);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; steps taken');
    expect(page.html).not.toContain('<script');
  } finally {
    await new Promise<void>((resolve) => crafty.close(() => resolve()));
  }
});

describe('operator commands posted to the page', () => {
  const token = 'the-page-token-of-this-test-0123456789abcdef';
  const halted = {
    procedure: 'restart-group-without-cache-deletion',
    state: { procedure: { memberStartTerminalServer: 'halted' } },
    step: 'memberStartTerminalServer',
    status: 'halted',
    halt: { step: 'memberStartTerminalServer', title: 'Start Terminal Server on spoc-lon-2', reason: 'did not reach RUNNING', options: ['retry'] },
    accepts: ['operator.retry', 'operator.abort'],
    summary: { member: 'spoc-lon-2', members: 2, memberIndex: 1, completedMembers: ['spoc-lon-1'] },
    path: [],
    stepsTaken: 30,
    timers: [],
    inFlight: [],
  } as unknown as ProcedureStatus;
  const sent: unknown[] = [];
  let pageServer: http.Server;
  let at: string;
  beforeAll(async () => {
    pageServer = createChartServer({ client: temporal.client, token, readStatus: async () => halted, sendCommand: async (id, command) => sent.push({ id, command }) });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    at = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => pageServer.close(() => resolve())));
  beforeEach(() => (sent.length = 0));
  const send = (fields: Record<string, string>, headers: Record<string, string> = {}) => post('/workflows/wf-1/commands', fields, headers, at);
  const good = { token, command: 'retry', operator: 'Olga', reason: 'fault cleared' };

  test('a command without the token, or with a wrong one, is a 403 and nothing is sent', async () => {
    const { token: _omitted, ...withoutToken } = good;
    for (const fields of [withoutToken, { ...good, token: 'guessed' }, { ...good, token: `${token}x` }, { ...good, token: '' }]) {
      const res = await send(fields);
      expect(res.code).toBe(403);
      expect(res.html).toContain('token: missing or not this page');
    }
    expect(sent).toEqual([]);
  });

  test("a command from another site's page (Origin) is a 403 and nothing is sent; the page's own origin is taken", async () => {
    const port = new URL(at).port;
    for (const origin of ['http://evil.example', 'null', `http://localhost:${Number(port) + 1}`, `https://127.0.0.1:${port}`]) {
      expect([origin, (await send(good, { origin })).code]).toEqual([origin, 403]);
    }
    expect(sent).toEqual([]);
    expect((await send(good, { origin: `http://127.0.0.1:${port}` })).code).toBe(303);
    expect(sent).toEqual([{ id: 'wf-1', command: { type: 'operator.retry', operator: 'Olga', reason: 'fault cleared' } }]);
  });

  test('bad input is a 400 naming the field and the rule, before anything is sent', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ ...good, operator: '' }, 'operator: required'],
      [{ ...good, operator: '   ' }, 'operator: required'],
      [{ ...good, command: 'reboot' }, 'command: must be one of retry, skip, abort'],
      [{ ...good, command: 'skip' }, 'command: &quot;skip&quot; is not accepted at step memberStartTerminalServer now; it accepts retry, abort'],
      [{ ...good, reason: 'x'.repeat(501) }, 'reason'],
      [{ ...good, chain: 'c1' }, 'chain'],
      [{ ...good, admin: 'yes' }, 'admin: not a field of a command form'],
    ];
    for (const [fields, message] of cases) {
      const res = await send(fields);
      expect([fields, res.code]).toEqual([fields, 400]);
      expect(res.html).toContain(message);
    }
    expect(sent).toEqual([]);
  });

  test('a good command is sent once, with who and why, and answered by a redirect back to the page', async () => {
    const res = await send(good);
    expect(res.code).toBe(303);
    expect(res.headers.location).toBe('/workflows/wf-1');
    expect(sent).toEqual([{ id: 'wf-1', command: { type: 'operator.retry', operator: 'Olga', reason: 'fault cleared' } }]);
  });

  test("a halted procedure's page shows the halted step in red, the reason, a form per command it accepts, and does not reload (what the operator types stays)", async () => {
    const page = await raw({ path: '/workflows/wf-1', to: at });
    expect(page.code).toBe(200);
    expect(page.html).toMatch(/<div class="state step halted" id="memberStartTerminalServer">/);
    expect(page.html).toMatch(/<g class="state state-atomic halted" data-state-id="[^"]*memberStartTerminalServer\.halted">/);
    expect(page.html).toContain('did not reach RUNNING');
    expect(page.html).toContain('The operator may: retry, abort');
    expect(page.html).not.toContain('http-equiv="refresh"');
    expect(page.html).toMatch(/<button type="submit" name="send" value="retry">retry<\/button>/);
    expect(page.html).toMatch(/<button type="submit" name="send" value="abort">abort<\/button>/);
  });

  test('a running procedure\'s page reloads itself and links each command it accepts to a page of its own that does not reload; a finished one neither reloads nor offers commands', async () => {
    const running = { ...halted, state: { procedure: 'memberStartSpoc' }, step: 'memberStartSpoc', status: 'running', halt: null, accepts: ['operator.abort'] } as unknown as ProcedureStatus;
    const done = { ...halted, state: 'completed', step: 'completed', status: 'done', halt: null, accepts: [] } as unknown as ProcedureStatus;
    const statuses = [running, running, done];
    const other = createChartServer({ client: temporal.client, token, readStatus: async () => statuses.shift() ?? done });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const to = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const live = await raw({ path: '/workflows/wf-1', to });
      expect(live.html).toContain('<meta http-equiv="refresh" content="2">');
      expect(live.html).not.toContain('<form');
      expect(live.html).toContain('<a href="/workflows/wf-1/commands/abort">abort</a>');
      const form = await raw({ path: '/workflows/wf-1/commands/abort', to });
      expect(form.html).not.toContain('http-equiv="refresh"');
      expect(form.html.match(/<form class="command"/g)).toHaveLength(1);
      const finished = await raw({ path: '/workflows/wf-1', to });
      expect(finished.html).not.toContain('http-equiv="refresh"');
      expect(finished.html).not.toContain('<form');
      expect(finished.html).not.toContain('/commands/');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  test("the halted page embeds the token in a form per accepted command, shows the member loop, and its policy lets forms post only to the page", async () => {
    const page = await raw({ path: '/workflows/wf-1', to: at });
    expect(page.html.match(/<form class="command" method="post" action="\/workflows\/wf-1\/commands">/g)).toHaveLength(2);
    expect(page.html.match(new RegExp(`name="token" value="${token}"`, 'g'))).toHaveLength(2);
    expect(page.html).toContain('member 2 of 2: spoc-lon-2 · done: spoc-lon-1');
    expect(page.html).toMatch(/<g class="member-note" data-state-id="memberStartTerminalServer">/);
    expect(String(page.headers['content-security-policy'])).toContain("form-action 'self'");
    expect(String(page.headers['content-security-policy'])).not.toContain('script-src');
  });
});
