/**
 * A fleet rollout on the chart page: how many groups are done, running, halted, waiting, failed
 * and not started, and which; each group with its site, procedure, times and reason, linked to its
 * child procedure's own live page; why nothing starts now; the limits and the window. The answer
 * is a workflow's, so every value is checked for its type and escaped: a workflow that answers
 * `status` with `procedure: "fleet-rollout"` may be anything.
 */
import { InvalidInputError, describeIssues } from '../machines/core/input-errors';
import type { RolloutGroupState } from '../machines/fleet/rollout-plan';
import { RolloutCommand, rolloutCommandSchema } from '../workflows/fleet/rollout-messages';
import { CommandFormError, commandForm } from './operator-forms';
import { escapeHtml } from './state-chart-html';

const STATES: { state: RolloutGroupState; label: string }[] = [
  { state: 'done', label: 'done' },
  { state: 'running', label: 'running' },
  { state: 'halted', label: 'halted' },
  { state: 'waiting', label: 'waiting' },
  { state: 'failed', label: 'failed' },
  { state: 'not-started', label: 'not started' },
];

interface GroupRow {
  name: string;
  site: string;
  procedure: string;
  workflowId: string;
  state: string;
  startedAt: string;
  endedAt: string;
  reason: string;
}

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** Whether a status answer is a fleet rollout's (the `status` query has one name for procedures and rollouts). */
export function isRolloutAnswer(status: unknown): boolean {
  return typeof status === 'object' && status !== null && (status as { procedure?: unknown }).procedure === 'fleet-rollout';
}

function rowsOf(status: Record<string, unknown>): GroupRow[] {
  const perGroup = Array.isArray(status.perGroup) ? (status.perGroup as unknown[]) : [];
  return perGroup.flatMap((g) => {
    if (typeof g !== 'object' || g === null) return [];
    const r = g as Record<string, unknown>;
    return [{ name: text(r.name), site: text(r.site), procedure: text(r.procedure), workflowId: text(r.workflowId), state: text(r.state), startedAt: text(r.startedAt), endedAt: text(r.endedAt), reason: text(r.reason) }];
  });
}

const childLink = (row: GroupRow) => (row.workflowId ? `<a href="${escapeHtml(`/workflows/${encodeURIComponent(row.workflowId)}`)}">${escapeHtml(row.name)}</a>` : escapeHtml(row.name));

/** The rollout's own commands it accepts now, by short name: pause, resume. */
export function rolloutCommandsAccepted(answer: unknown): string[] {
  const accepts = (answer as { accepts?: unknown }).accepts;
  const names = Array.isArray(accepts) ? accepts.map(text).map((a) => a.replace(/^operator\./, '')) : [];
  return ['pause', 'resume'].filter((c) => names.includes(c));
}

const ROLLOUT_FORM_FIELDS = ['token', 'command', 'operator', 'reason', 'send'];

/**
 * The pause or resume a posted form asks for, checked before anything is sent: a command the
 * rollout accepts now, an operator named, the payload as the rollout's schema takes it. Throws
 * CommandFormError naming the field and the rule.
 */
export function rolloutCommandFromForm(form: URLSearchParams, accepted: readonly string[]): RolloutCommand {
  const unknown = [...new Set(form.keys())].filter((k) => !ROLLOUT_FORM_FIELDS.includes(k));
  if (unknown.length) throw new CommandFormError(`${unknown.join(', ')}: not a field of a rollout's command form (it takes token, command, operator, reason)`);
  const command = form.get('command') ?? '';
  if (!accepted.includes(command)) throw new CommandFormError(`command: "${command}" is not accepted by the rollout now; it accepts ${accepted.length ? accepted.join(', ') : 'nothing (no group waits)'}`);
  const operator = form.get('operator') ?? '';
  if (operator.trim() === '') throw new CommandFormError('operator: required: the name of who sends the command (recorded in the rollout\'s status and result)');
  const reason = form.get('reason');
  const parsed = rolloutCommandSchema.safeParse({ type: `operator.${command}`, operator, ...(reason ? { reason } : {}) });
  if (!parsed.success) throw new CommandFormError(new InvalidInputError('rollout command', describeIssues(parsed.error.issues)).message);
  return parsed.data;
}

/** The rollout's page body, and whether it reloads (while it is not done). */
export function rolloutPageBody(workflowId: string, answer: unknown, webUi?: string): { body: string; reloads: boolean } {
  const status = answer as Record<string, unknown>;
  const rows = rowsOf(status);
  const ui = webUi ? ` · <a href="${escapeHtml(`${webUi}/workflows/${encodeURIComponent(workflowId)}`)}">Temporal Web UI</a>` : '';
  const tally = STATES.map(({ state, label }) => {
    const these = rows.filter((r) => r.state === state);
    const cls = state === 'halted' && these.length > 0 ? ' class="halted"' : state === 'running' && these.length > 0 ? ' class="current"' : '';
    return `<tr${cls}><td>${label}</td><td>${these.length}</td><td>${these.map(childLink).join(', ')}</td></tr>`;
  }).join('');
  const groupRows = rows
    .map((r) => {
      const cls = r.state === 'halted' || r.state === 'failed' ? 'halted' : r.state === 'running' ? 'current' : r.state === 'done' ? 'done' : '';
      return `<tr${cls ? ` class="${cls}"` : ''}><td>${childLink(r)}</td><td>${escapeHtml(r.site)}</td><td>${escapeHtml(r.procedure)}</td><td>${escapeHtml(r.state)}</td><td>${escapeHtml(r.startedAt)}</td><td>${escapeHtml(r.endedAt)}</td><td>${escapeHtml(r.reason)}</td></tr>`;
    })
    .join('');
  const limits = (status.limits ?? {}) as Record<string, unknown>;
  const window = (status.window ?? null) as Record<string, unknown> | null;
  const holding = text(status.holding);
  const accepted = rolloutCommandsAccepted(status);
  const base = `/workflows/${encodeURIComponent(workflowId)}`;
  const commands =
    accepted.length > 0
      ? `<section class="commands"><p>The rollout accepts now: ${accepted.map((c) => `<a href="${escapeHtml(`${base}/commands/${c}`)}">${escapeHtml(c)}</a>`).join(' · ')} (each on a page of its own that does not reload), or <code>spoolflow rollout ${escapeHtml(accepted[0] ?? '')} ${escapeHtml(workflowId)} --operator &lt;name&gt;</code></p></section>`
      : '';
  const handedOver = Number(status.continuedAsNew) > 0 ? ` · continued as new ${escapeHtml(text(status.continuedAsNew))} time(s)` : '';
  const body =
    `<p><a href="/">spoolflow</a>${ui}</p><h1>${escapeHtml(workflowId)}</h1>` +
    `<p class="status status-${escapeHtml(text(status.status))}">fleet-rollout of ${escapeHtml(text(status.runs))}: <b>${escapeHtml(text(status.status))}</b>${handedOver}</p>` +
    (holding ? `<p>Nothing more starts now: ${escapeHtml(holding)}</p>` : '') +
    `<p>At most ${escapeHtml(text(limits.maxGroupsAtOnce))} group(s) at a time, ${escapeHtml(text(limits.maxGroupsPerSite))} per site; no new group once ${escapeHtml(text(limits.failureBudget))} halted or failed${window ? `; maintenance window ${escapeHtml(text(window.start))} to ${escapeHtml(text(window.end))}` : ''}.</p>` +
    commands +
    `<h2>Groups</h2><table><tr><th>state</th><th>how many</th><th>which (each links to its procedure)</th></tr>${tally}</table>` +
    `<h2>Each group, in the order they start</h2><table><tr><th>group</th><th>site</th><th>procedure</th><th>state</th><th>started</th><th>ended</th><th>reason</th></tr>${groupRows}</table>`;
  return { body, reloads: text(status.status) !== 'done' };
}

/** One rollout command's form on a page that never reloads (the rollout's page reloads while it runs). */
export function rolloutCommandPageBody(workflowId: string, command: string, answer: unknown, token: string): string {
  const back = `<p><a href="/workflows/${escapeHtml(encodeURIComponent(workflowId))}">back to ${escapeHtml(workflowId)}</a></p>`;
  const accepted = rolloutCommandsAccepted(answer);
  const body = accepted.includes(command)
    ? `<section class="commands"><h2>${escapeHtml(command)}</h2>${commandForm(workflowId, command, token)}</section>`
    : `<p class="refused">${escapeHtml(workflowId)} does not accept ${escapeHtml(command)} now; it accepts ${escapeHtml(accepted.join(', ') || 'nothing (no group waits)')}.</p>`;
  return `${back}<h1>${escapeHtml(workflowId)}</h1>${body}`;
}
