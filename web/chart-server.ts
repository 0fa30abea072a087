/**
 * The operators' web page: every procedure of the catalog as a state chart, the procedures that
 * ran or run on this Temporal server, and each one's live state chart (current step highlighted,
 * red when halted with the reason and what the operator may do, steps done ticked, the path
 * taken). The page of a running procedure refreshes itself every two seconds. Read-only: commands
 * go through `spoolflow operator` or the Temporal Web UI.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { PROCEDURES, procedureById } from '../machines/catalog';
import { SpoolflowClient } from '../client/spoolflow-client';
import { CHART_CSS, escapeHtml, htmlChart, svgFigure } from './state-chart-html';
import type { ProcedureStatus } from '../workflows/operator-messages';

export interface ChartServerOptions {
  client: Client;
  /** Link to the Temporal Web UI, shown beside each procedure. */
  webUi?: string;
  /**
   * Reads a procedure's status; default: its `status` query. Any workflow on the server can answer
   * a query of that name, so the page treats every value of the answer as untrusted text.
   */
  readStatus?: (workflowId: string) => Promise<ProcedureStatus>;
}

const page = (title: string, body: string, refreshSeconds?: number) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<style>${CHART_CSS}</style></head><body>${body}</body></html>`;

async function indexPage(client: Client): Promise<string> {
  const procedures = PROCEDURES.map((p) => `<li><a href="/procedures/${escapeHtml(p.id)}">${escapeHtml(p.id)}</a>: ${escapeHtml(p.description)}</li>`).join('');
  const rows: string[] = [];
  for await (const wf of client.workflow.list({ pageSize: 50 })) {
    if (!PROCEDURES.some((p) => p.workflowType === wf.type)) continue;
    rows.push(`<tr><td><a href="/workflows/${encodeURIComponent(wf.workflowId)}">${escapeHtml(wf.workflowId)}</a></td><td>${escapeHtml(wf.type)}</td><td>${escapeHtml(wf.status.name)}</td><td>${escapeHtml(wf.startTime.toISOString())}</td></tr>`);
    if (rows.length >= 50) break;
  }
  const runs = rows.length ? `<table><tr><th>workflow</th><th>type</th><th>status</th><th>started</th></tr>${rows.join('')}</table>` : '<p>None yet: start one with <code>spoolflow start</code> or from the Temporal Web UI.</p>';
  return page('spoolflow', `<h1>spoolflow</h1><h2>Procedures</h2><ul>${procedures}</ul><h2>Recent procedures</h2>${runs}`);
}

function procedurePage(id: string): string {
  const procedure = procedureById(id);
  return page(id, `<p><a href="/">spoolflow</a></p><h1>${escapeHtml(id)}</h1><p>${escapeHtml(procedure.description)}</p>${svgFigure(procedure.machine)}<h2>Steps</h2>${htmlChart(procedure.machine)}`);
}

function workflowPage(workflowId: string, status: ProcedureStatus, webUi?: string): string {
  const procedure = procedureById(status.procedure);
  const done = new Set(status.path.filter((e) => e.outcome === 'done').map((e) => e.step));
  const progress = { value: status.state, halted: status.status === 'halted', done };
  const halt = status.halt
    ? `<p class="halted"><b>Halted</b> at "${escapeHtml(status.halt.title)}": ${escapeHtml(status.halt.reason)}<br>The operator may: ${escapeHtml([...status.halt.options, 'abort'].join(', '))} (<code>spoolflow operator ${escapeHtml(workflowId)} &lt;command&gt;</code>)</p>`
    : '';
  const path = status.path
    .slice(-25)
    .map((e) => `<tr><td>${escapeHtml(e.startedAt)}</td><td>${escapeHtml(e.host ?? '')}</td><td>${escapeHtml(e.title)}</td><td>${escapeHtml(e.outcome)}</td><td>${escapeHtml(e.reason ?? '')}</td></tr>`)
    .join('');
  const ui = webUi ? ` · <a href="${escapeHtml(`${webUi}/workflows/${encodeURIComponent(workflowId)}`)}">Temporal Web UI</a>` : '';
  const body =
    `<p><a href="/">spoolflow</a>${ui}</p><h1>${escapeHtml(workflowId)}</h1>` +
    `<p>${escapeHtml(status.procedure)}: <b>${escapeHtml(status.status)}</b> at step <b>${escapeHtml(status.step)}</b> (${escapeHtml(status.stepsTaken)} steps taken)</p>${halt}` +
    `<details><summary>summary</summary><pre>${escapeHtml(JSON.stringify(status.summary, null, 2))}</pre></details>` +
    svgFigure(procedure.machine, progress) +
    `<h2>Steps</h2>${htmlChart(procedure.machine, progress)}` +
    `<h2>Path (latest last)</h2><table><tr><th>started</th><th>host</th><th>step</th><th>outcome</th><th>reason</th></tr>${path}</table>`;
  return page(workflowId, body, status.status === 'done' ? undefined : 2);
}

/**
 * The page's only inline content is its style sheet, allowed by its hash; nothing else may load,
 * run, submit a form or frame the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CHART_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** The names a browser on this machine uses for a loopback listener; anything else is another site (DNS rebinding). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the Host header names this server by a loopback name (any case, optional trailing dot
 * for `localhost`), with the port it listens on or none. A page of another site that made its
 * name resolve to 127.0.0.1 still sends its own name here, so it is refused.
 */
export function isLoopbackHost(host: string | undefined, port: number | undefined): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const name = match[1] === 'localhost.' ? 'localhost' : match[1];
  if (name === undefined || !LOOPBACK_HOSTS.has(name)) return false;
  return match[2] === undefined || port === undefined || Number(match[2]) === port;
}

/** The path's segments, percent-decoded; undefined when the request target is not a decodable path. */
function pathSegments(target: string | undefined): string[] | undefined {
  if (!target || !target.startsWith('/')) return undefined;
  const pathname = target.split(/[?#]/, 1)[0] ?? '';
  try {
    return pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

export function createChartServer(opts: ChartServerOptions): http.Server {
  const spoolflow = new SpoolflowClient(opts.client);
  const readStatus = opts.readStatus ?? ((id: string) => spoolflow.status(id));
  const notFound = (what: string) => page('not found', `<p><a href="/">spoolflow</a></p><p>${what}</p>`);

  async function answer(req: http.IncomingMessage): Promise<{ code: number; html: string; headers?: Record<string, string> }> {
    if (!isLoopbackHost(req.headers.host, req.socket.localPort)) {
      return { code: 421, html: page('refused', '<p>This page answers only to localhost, 127.0.0.1 or [::1] (the Host header names another site).</p>') };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { code: 405, html: page('method not allowed', '<p>This page is read-only: GET and HEAD only.</p>'), headers: { allow: 'GET, HEAD' } };
    }
    const segments = pathSegments(req.url);
    if (!segments) return { code: 400, html: page('bad request', '<p><a href="/">spoolflow</a></p><p>The address is not a valid path (bad percent-encoding).</p>') };
    const [kind = '', id = '', ...rest] = segments;
    if (segments.length === 1 && kind === '') return { code: 200, html: await indexPage(opts.client) };
    if (rest.length === 0 && kind === 'procedures' && PROCEDURES.some((p) => p.id === id)) return { code: 200, html: procedurePage(id) };
    if (rest.length === 0 && kind === 'workflows' && id) {
      let status: ProcedureStatus;
      try {
        status = await readStatus(id);
      } catch (err) {
        return { code: 404, html: notFound(`No procedure ${escapeHtml(id)} answers: ${escapeHtml(err instanceof Error ? err.message : String(err))}`) };
      }
      return { code: 200, html: workflowPage(id, status, opts.webUi) };
    }
    return { code: 404, html: notFound(`Nothing at ${escapeHtml(`/${segments.join('/')}`)}.`) };
  }

  return http.createServer((req, res) => {
    const send = ({ code, html, headers }: { code: number; html: string; headers?: Record<string, string> }) => {
      const body = Buffer.from(html, 'utf8');
      res.writeHead(code, { ...SECURITY_HEADERS, ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    // Nothing a request carries may throw outside this handler: an exception here would end the
    // whole process (`npm start` runs the workers and the dev server beside this page).
    answer(req)
      .catch((err: unknown) => ({ code: 500, html: page('error', `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`) }))
      .then(send)
      .catch(() => res.destroy());
  });
}
