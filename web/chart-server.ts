/**
 * The operators' web page: every procedure of the catalog as a state chart, the procedures that
 * ran or run on this Temporal server, and each one's live state chart (current step highlighted,
 * red when halted with the reason and what the operator may do, steps done ticked, the path
 * taken). The page of a running procedure refreshes itself every two seconds. Read-only: commands
 * go through `spoolflow operator` or the Temporal Web UI.
 */
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { PROCEDURES, procedureById } from '../machines/catalog';
import { SpoolflowClient } from '../client/spoolflow-client';
import { CHART_CSS, escapeHtml, htmlChart } from '../client/state-chart-html';
import type { ProcedureStatus } from '../workflows/operator-messages';

export interface ChartServerOptions {
  client: Client;
  /** Link to the Temporal Web UI, shown beside each procedure. */
  webUi?: string;
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
  return page(id, `<p><a href="/">spoolflow</a></p><h1>${escapeHtml(id)}</h1><p>${escapeHtml(procedure.description)}</p>${htmlChart(procedure.machine)}`);
}

function workflowPage(workflowId: string, status: ProcedureStatus, webUi?: string): string {
  const procedure = procedureById(status.procedure);
  const done = new Set(status.path.filter((e) => e.outcome === 'done').map((e) => e.step));
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
    `<p>${escapeHtml(status.procedure)}: <b>${escapeHtml(status.status)}</b> at step <b>${escapeHtml(status.step)}</b> (${status.stepsTaken} steps taken)</p>${halt}` +
    `<details><summary>summary</summary><pre>${escapeHtml(JSON.stringify(status.summary, null, 2))}</pre></details>` +
    htmlChart(procedure.machine, { value: status.state, halted: status.status === 'halted', done }) +
    `<h2>Path (latest last)</h2><table><tr><th>started</th><th>host</th><th>step</th><th>outcome</th><th>reason</th></tr>${path}</table>`;
  return page(workflowId, body, status.status === 'done' ? undefined : 2);
}

export function createChartServer(opts: ChartServerOptions): http.Server {
  const spoolflow = new SpoolflowClient(opts.client);
  return http.createServer((req, res) => {
    const send = (code: number, html: string) => {
      res.writeHead(code, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, kind, rawId] = url.pathname.split('/');
    const id = rawId ? decodeURIComponent(rawId) : '';
    void (async () => {
      try {
        if (url.pathname === '/') return send(200, await indexPage(opts.client));
        if (kind === 'procedures' && PROCEDURES.some((p) => p.id === id)) return send(200, procedurePage(id));
        if (kind === 'workflows' && id) {
          let status: ProcedureStatus;
          try {
            status = await spoolflow.status(id);
          } catch (err) {
            return send(404, page('not found', `<p><a href="/">spoolflow</a></p><p>No procedure ${escapeHtml(id)} answers: ${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));
          }
          return send(200, workflowPage(id, status, opts.webUi));
        }
        return send(404, page('not found', `<p><a href="/">spoolflow</a></p><p>Nothing at ${escapeHtml(url.pathname)}.</p>`));
      } catch (err) {
        return send(500, page('error', `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));
      }
    })();
  });
}
