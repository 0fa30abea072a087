/**
 * The operators' web page: every procedure of the catalog as a state chart, the procedures that
 * ran or run on this Temporal server, and each one's live state chart: current step highlighted,
 * red when halted with the reason, steps done ticked, the path taken drawn along the arrows (a
 * loop's count on its arrow), the member loop's current and done members; and the operator
 * commands the procedure accepts now, as forms.
 *
 * Refreshing without a script: while a procedure runs, its page reloads every two seconds and
 * offers its commands as links to a page of their own (one form, never reloaded); while it is
 * halted, the page does not reload (nothing changes until someone acts) and shows the forms
 * inline, so a half-typed command is never lost. A stale page is harmless: the server checks the
 * command against the procedure's state when it is posted. The page thus runs no script at all.
 *
 * A posted command is checked (same-site Origin, the page's token, the fields) before the operator
 * Update goes out through the typed client; the answer is a redirect back to the page (POST,
 * redirect, GET), so reloading it never sends the command twice.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { PROCEDURES, procedureById } from '../machines/catalog';
import { OperatorCommandRefusedError, SpoolflowClient } from '../client/spoolflow-client';
import { CHART_CSS, escapeHtml, htmlChart, svgFigure } from './state-chart-html';
import { memberLines, memberLoopOf, memberStripHtml } from './member-loop';
import { isRolloutAnswer, rolloutCommandFromForm, rolloutCommandPageBody, rolloutCommandsAccepted, rolloutPageBody } from './rollout-page';
import { commandRollout } from '../client/fleet-rollout-client';
import type { RolloutCommand } from '../workflows/fleet/rollout-messages';
import { STARTABLE } from '../machines/startable';
import { CommandFormError, commandForm, commandFromForm, commandsAccepted, newPageToken, tokenMatches } from './operator-forms';
import type { OperatorCommand, ProcedureStatus } from '../workflows/operator-messages';

export interface ChartServerOptions {
  client: Client;
  /** Link to the Temporal Web UI, shown beside each procedure. */
  webUi?: string;
  /**
   * Reads a procedure's status; default: its `status` query. Any workflow on the server can answer
   * a query of that name, so the page treats every value of the answer as untrusted text.
   */
  readStatus?: (workflowId: string) => Promise<ProcedureStatus>;
  /** Sends an operator command; default: the operator Update through the typed client. */
  sendCommand?: (workflowId: string, command: OperatorCommand) => Promise<unknown>;
  /** Pauses or resumes a fleet rollout; default: its operator Update through the rollout's client. */
  sendRolloutCommand?: (workflowId: string, command: RolloutCommand) => Promise<unknown>;
  /**
   * The token every command form carries; default: 256 random bits minted as the server is
   * created. Given only by a caller that must know it (a test posting as another site would).
   */
  token?: string;
  /** Host names the page answers to besides the loopback ones (when it listens on another interface). */
  hostNames?: readonly string[];
}

const page = (title: string, body: string, refreshSeconds?: number) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<style>${CHART_CSS}</style></head><body>${body}</body></html>`;

async function indexPage(client: Client): Promise<string> {
  const procedures = PROCEDURES.map((p) => `<li><a href="/procedures/${escapeHtml(p.id)}">${escapeHtml(p.id)}</a>: ${escapeHtml(p.description)}</li>`).join('');
  const rows: string[] = [];
  for await (const wf of client.workflow.list({ pageSize: 50 })) {
    if (!STARTABLE.some((p) => p.workflowType === wf.type)) continue;
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

/** The commands a procedure accepts now: forms inline while halted, links to a form page of their own while it runs. */
function commandsSection(workflowId: string, status: ProcedureStatus, token: string): string {
  const accepted = commandsAccepted(status);
  if (accepted.length === 0) return '';
  const base = `/workflows/${encodeURIComponent(workflowId)}`;
  if (status.status === 'halted') {
    return `<section class="commands"><h2>Commands</h2><p>This page does not reload while the procedure is halted, so what you type stays (<a href="${escapeHtml(base)}">reload</a>).</p>${accepted.map((c) => commandForm(workflowId, c, token)).join('')}</section>`;
  }
  const links = accepted.map((c) => `<a href="${escapeHtml(`${base}/commands/${c}`)}">${escapeHtml(c)}</a>`).join(' · ');
  return `<section class="commands"><p>Commands it accepts now (each on a page of its own that does not reload): ${links}</p></section>`;
}

function workflowPage(workflowId: string, status: ProcedureStatus, token: string, webUi?: string): string {
  const procedure = procedureById(status.procedure);
  const path = Array.isArray(status.path) ? status.path : [];
  const done = new Set(path.filter((e) => e.outcome === 'done').map((e) => e.step));
  const progress = { value: status.state, halted: status.status === 'halted', done };
  const halt = status.halt
    ? `<p class="halted"><b>Halted</b> at "${escapeHtml(status.halt.title)}": ${escapeHtml(status.halt.reason)}<br>The operator may: ${escapeHtml([...status.halt.options, 'abort'].join(', '))} (below, or <code>spoolflow operator ${escapeHtml(workflowId)} &lt;command&gt;</code>)</p>`
    : '';
  const loop = memberLoopOf(status);
  const rows = path
    .slice(-25)
    .map((e) => `<tr><td>${escapeHtml(e.startedAt)}</td><td>${escapeHtml(e.host ?? '')}</td><td>${escapeHtml(e.title)}</td><td>${escapeHtml(e.outcome)}</td><td>${escapeHtml(e.reason ?? '')}</td></tr>`)
    .join('');
  const ui = webUi ? ` · <a href="${escapeHtml(`${webUi}/workflows/${encodeURIComponent(workflowId)}`)}">Temporal Web UI</a>` : '';
  const body =
    `<p><a href="/">spoolflow</a>${ui}</p><h1>${escapeHtml(workflowId)}</h1>` +
    `<p class="status status-${escapeHtml(status.status)}">${escapeHtml(status.procedure)}: <b>${escapeHtml(status.status)}</b> at step <b>${escapeHtml(status.step)}</b> (${escapeHtml(status.stepsTaken)} steps taken)</p>${halt}` +
    commandsSection(workflowId, status, token) +
    (loop ? memberStripHtml(loop) : '') +
    `<details><summary>summary</summary><pre>${escapeHtml(JSON.stringify(status.summary, null, 2))}</pre></details>` +
    svgFigure(procedure.machine, progress, { path, ...(loop ? { note: memberLines(loop) } : {}) }) +
    `<h2>Steps</h2>${htmlChart(procedure.machine, progress)}` +
    `<h2>Path (latest last)</h2><table><tr><th>started</th><th>host</th><th>step</th><th>outcome</th><th>reason</th></tr>${rows}</table>`;
  const reloads = status.status !== 'done' && status.status !== 'refused' && status.status !== 'halted';
  return page(workflowId, body, reloads ? 2 : undefined);
}

/** One command's form on a page that never reloads, for a procedure that is not halted (the running page reloads). */
function commandPage(workflowId: string, command: string, status: ProcedureStatus, token: string): string {
  const back = `<p><a href="/workflows/${escapeHtml(encodeURIComponent(workflowId))}">back to ${escapeHtml(workflowId)}</a></p>`;
  const accepted = commandsAccepted(status);
  const body = accepted.includes(command)
    ? `<section class="commands"><h2>${escapeHtml(command)}</h2>${commandForm(workflowId, command, token)}</section>`
    : `<p class="refused">${escapeHtml(workflowId)} does not accept ${escapeHtml(command)} at step ${escapeHtml(status.step)} now; it accepts ${escapeHtml(accepted.join(', ') || 'no operator command')}.</p>`;
  return page(`${command} ${workflowId}`, `${back}<h1>${escapeHtml(workflowId)}</h1>${body}`);
}

/**
 * The page's only inline content is its style sheet, allowed by its hash; nothing else may load,
 * run, submit a form or frame the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CHART_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Same-origin, not no-referrer: under no-referrer a browser posts a form with `Origin: null`,
  // and the server could no longer tell the page's own forms from another site's.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

/** The names a browser on this machine uses for a loopback listener; anything else is another site (DNS rebinding). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the Host header names this server by a loopback name (any case, optional trailing dot
 * for `localhost`), with the port it listens on or none. A page of another site that made its
 * name resolve to 127.0.0.1 still sends its own name here, so it is refused.
 */
export function isLoopbackHost(host: string | undefined, port: number | undefined, alsoNamed: readonly string[] = []): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const name = match[1] === 'localhost.' ? 'localhost' : match[1];
  if (name === undefined || !(LOOPBACK_HOSTS.has(name) || alsoNamed.some((n) => n.toLowerCase() === name))) return false;
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

/** A POST body larger than this is not a command form. */
const MAX_FORM_BYTES = 16 * 1024;

type Answer = { code: number; html: string; headers?: Record<string, string> };

function readForm(req: http.IncomingMessage): Promise<URLSearchParams | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_FORM_BYTES ? 'too large' : new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export function createChartServer(opts: ChartServerOptions): http.Server {
  const spoolflow = new SpoolflowClient(opts.client);
  const readStatus = opts.readStatus ?? ((id: string) => spoolflow.status(id));
  const sendCommand = opts.sendCommand ?? ((id: string, command: OperatorCommand) => spoolflow.command(id, command));
  const sendRolloutCommand = opts.sendRolloutCommand ?? ((id: string, command: RolloutCommand) => commandRollout(opts.client, id, command));
  const token = opts.token ?? newPageToken();
  const hostNames = opts.hostNames ?? [];
  const notFound = (what: string) => page('not found', `<p><a href="/">spoolflow</a></p><p>${what}</p>`);
  const refused = (code: number, title: string, why: string, workflowId?: string): Answer => ({
    code,
    html: page(title, `<p><a href="${workflowId === undefined ? '/' : escapeHtml(`/workflows/${encodeURIComponent(workflowId)}`)}">back</a></p><p class="refused">${escapeHtml(why)}</p>`),
  });

  async function statusOf(id: string): Promise<ProcedureStatus | Answer> {
    try {
      return await readStatus(id);
    } catch (err) {
      return { code: 404, html: notFound(`No procedure ${escapeHtml(id)} answers: ${escapeHtml(err instanceof Error ? err.message : String(err))}`) };
    }
  }
  const isAnswer = (x: ProcedureStatus | Answer): x is Answer => 'code' in x && 'html' in x;

  /** A posted command: every check passes before the Update is sent; the answer redirects back to the page. */
  async function command(req: http.IncomingMessage, workflowId: string): Promise<Answer> {
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${String(req.headers.host).toLowerCase()}`) {
      return refused(403, 'refused', `Commands are taken only from this page's own forms: the request comes from ${origin}, not from http://${String(req.headers.host)}.`);
    }
    const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return refused(415, 'unsupported', 'content-type: a command is a form post (application/x-www-form-urlencoded).');
    const form = await readForm(req);
    if (form === 'too large') return refused(413, 'too large', `A command form is at most ${MAX_FORM_BYTES} bytes.`);
    if (!tokenMatches(form.get('token'), token)) {
      return refused(403, 'refused', "token: missing or not this page's: send the command from the page's own form (reload the page if the server was restarted).", workflowId);
    }
    const status = await statusOf(workflowId);
    if (isAnswer(status)) return status;
    if (isRolloutAnswer(status)) return rolloutCommand(form, workflowId, status);
    let parsed: OperatorCommand;
    try {
      parsed = commandFromForm(form, commandsAccepted(status), status.step);
    } catch (err) {
      if (err instanceof CommandFormError) return refused(400, 'bad command', err.message, workflowId);
      throw err;
    }
    try {
      await sendCommand(workflowId, parsed);
    } catch (err) {
      if (err instanceof OperatorCommandRefusedError) return refused(409, 'refused', err.message, workflowId);
      throw err;
    }
    return { code: 303, html: page('sent', `<p>Sent; <a href="/workflows/${escapeHtml(encodeURIComponent(workflowId))}">back</a>.</p>`), headers: { location: `/workflows/${encodeURIComponent(workflowId)}` } };
  }

  /** A fleet rollout's pause or resume, checked as a procedure's command is. */
  async function rolloutCommand(form: URLSearchParams, workflowId: string, status: unknown): Promise<Answer> {
    try {
      await sendRolloutCommand(workflowId, rolloutCommandFromForm(form, rolloutCommandsAccepted(status)));
    } catch (err) {
      if (err instanceof CommandFormError) return refused(400, 'bad command', err.message, workflowId);
      if (err instanceof Error && err.cause instanceof WorkflowUpdateFailedError) return refused(409, 'refused', err.message, workflowId);
      throw err;
    }
    return { code: 303, html: page('sent', `<p>Sent; <a href="/workflows/${escapeHtml(encodeURIComponent(workflowId))}">back</a>.</p>`), headers: { location: `/workflows/${encodeURIComponent(workflowId)}` } };
  }

  async function answer(req: http.IncomingMessage): Promise<Answer> {
    if (!isLoopbackHost(req.headers.host, req.socket.localPort, hostNames)) {
      return { code: 421, html: page('refused', '<p>This page answers only to localhost, 127.0.0.1 or [::1] (the Host header names another site).</p>') };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      return { code: 405, html: page('method not allowed', '<p>This page takes GET and HEAD, and POST of its command forms.</p>'), headers: { allow: 'GET, HEAD, POST' } };
    }
    const segments = pathSegments(req.url);
    if (!segments) return { code: 400, html: page('bad request', '<p><a href="/">spoolflow</a></p><p>The address is not a valid path (bad percent-encoding).</p>') };
    const [kind = '', id = '', ...rest] = segments;
    if (req.method === 'POST') {
      if (kind === 'workflows' && id && rest.length === 1 && rest[0] === 'commands') return command(req, id);
      return { code: 405, html: page('method not allowed', '<p>Only command forms are posted, to /workflows/&lt;id&gt;/commands.</p>'), headers: { allow: 'GET, HEAD' } };
    }
    if (segments.length === 1 && kind === '') return { code: 200, html: await indexPage(opts.client) };
    if (rest.length === 0 && kind === 'procedures' && PROCEDURES.some((p) => p.id === id)) return { code: 200, html: procedurePage(id) };
    if (kind === 'workflows' && id && (rest.length === 0 || (rest.length === 2 && rest[0] === 'commands'))) {
      const status = await statusOf(id);
      if (isAnswer(status)) return status;
      if (isRolloutAnswer(status)) {
        if (rest.length > 0) return { code: 200, html: page(`${rest[1] ?? ''} ${id}`, rolloutCommandPageBody(id, rest[1] ?? '', status, token)) };
        const { body, reloads } = rolloutPageBody(id, status, opts.webUi);
        return { code: 200, html: page(id, body, reloads ? 2 : undefined) };
      }
      return { code: 200, html: rest.length === 0 ? workflowPage(id, status, token, opts.webUi) : commandPage(id, rest[1] ?? '', status, token) };
    }
    return { code: 404, html: notFound(`Nothing at ${escapeHtml(`/${segments.join('/')}`)}.`) };
  }

  return http.createServer((req, res) => {
    const send = ({ code, html, headers }: Answer) => {
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
