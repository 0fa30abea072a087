/**
 * The operator commands a chart page offers: one form per command the procedure accepts now, each
 * with who sends it and why, and what the page's server checks before it sends anything.
 *
 * Cross-site requests: a page of another site can make the operator's browser post to this one,
 * so every form carries a token the server minted when it started (another site cannot read the
 * page, so it cannot know the token), compared in constant time. The server also refuses a POST
 * whose Origin names another site, and the page's policy lets forms post only to the page itself.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseOperatorCommand } from '../client/operator-command';
import { InvalidInputError } from '../machines/core/input-errors';
import { operatorCommandSchema, type OperatorCommand, type ProcedureStatus } from '../workflows/operator-messages';
import { escapeHtml } from './state-chart-html';

/** Every operator command by its short name (`retry`), in the schema's order. */
export const OPERATOR_COMMANDS: readonly string[] = operatorCommandSchema.options.map((o) => o.shape.type.value.replace(/^operator\./, ''));

/** Fields a command form may carry; anything else is refused rather than ignored. */
const FORM_FIELDS = ['token', 'command', 'operator', 'reason', 'chain', 'order'] as const;

/** A fresh token for one run of the page's server: 256 random bits. */
export function newPageToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a form's token is the server's; constant time whatever the given text's length. */
export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * The commands the procedure accepts now, by short name: what its status says it accepts (the
 * machine itself answers), and while halted the halt's options and abort. Only known commands.
 */
export function commandsAccepted(status: ProcedureStatus): string[] {
  if (status.status === 'done' || status.status === 'refused') return [];
  const accepts = Array.isArray(status.accepts) ? status.accepts.filter((a): a is string => typeof a === 'string').map((a) => a.replace(/^operator\./, '')) : [];
  const halt = status.halt && Array.isArray(status.halt.options) ? [...status.halt.options.filter((o): o is string => typeof o === 'string'), 'abort'] : [];
  return OPERATOR_COMMANDS.filter((c) => accepts.includes(c) || halt.includes(c));
}

/** What a command form asks for besides operator and reason. */
const EXTRA_FIELDS: Record<string, { name: string; label: string; pattern?: string }[]> = {
  submitOrder: [
    { name: 'chain', label: 'job chain' },
    { name: 'order', label: 'order id', pattern: '[A-Za-z0-9_.\\-]+' },
  ],
};

const input = (name: string, label: string, opts: { required?: boolean; pattern?: string; minlength?: number } = {}) =>
  `<label>${escapeHtml(label)} <input name="${name}"${opts.required ? ' required' : ''}${opts.pattern ? ` pattern="${escapeHtml(opts.pattern)}"` : ''}${opts.minlength ? ` minlength="${opts.minlength}"` : ''} maxlength="500"></label> `;

/** The form for one command, posting to the page's own server. */
export function commandForm(workflowId: string, command: string, token: string): string {
  const extra = (EXTRA_FIELDS[command] ?? []).map((f) => input(f.name, f.label, { required: true, ...(f.pattern ? { pattern: f.pattern } : {}) })).join('');
  const reasonRequired = command === 'overrideLoad';
  return (
    `<form class="command" method="post" action="/workflows/${escapeHtml(encodeURIComponent(workflowId))}/commands">` +
    `<input type="hidden" name="token" value="${escapeHtml(token)}"><input type="hidden" name="command" value="${escapeHtml(command)}">` +
    input('operator', 'operator', { required: true }) +
    input('reason', reasonRequired ? 'reason (at least 5 characters)' : 'reason', reasonRequired ? { required: true, minlength: 5 } : {}) +
    extra +
    `<button type="submit" name="send" value="${escapeHtml(command)}">${escapeHtml(command)}</button></form>`
  );
}

/** A command the page refuses, with the field and the rule it breaks. */
export class CommandFormError extends Error {
  override readonly name = 'CommandFormError';
}

/**
 * The operator command a posted form asks for, checked before anything is sent: the command is
 * one the procedure accepts now, an operator is named, and the payload passes the schema the
 * procedure checks it with. Throws CommandFormError naming the field and the rule.
 */
export function commandFromForm(form: URLSearchParams, accepted: readonly string[], step: string): OperatorCommand {
  const unknown = [...new Set(form.keys())].filter((k) => !(FORM_FIELDS as readonly string[]).includes(k) && k !== 'send');
  if (unknown.length) throw new CommandFormError(`${unknown.join(', ')}: not a field of a command form (it takes ${FORM_FIELDS.join(', ')})`);
  const command = form.get('command') ?? '';
  if (!OPERATOR_COMMANDS.includes(command)) throw new CommandFormError(`command: must be one of ${OPERATOR_COMMANDS.join(', ')} (got "${command}")`);
  if (!accepted.includes(command)) {
    throw new CommandFormError(`command: "${command}" is not accepted at step ${step} now; it accepts ${accepted.length ? accepted.join(', ') : 'no operator command'}`);
  }
  const operator = form.get('operator') ?? '';
  if (operator.trim() === '') throw new CommandFormError('operator: required: the name of who sends the command (recorded in the path and the result)');
  const payload: Record<string, string> = { type: `operator.${command}`, operator };
  for (const field of ['reason', 'chain', 'order'] as const) {
    const value = form.get(field);
    if (value !== null && value !== '') payload[field] = value;
  }
  try {
    return parseOperatorCommand(payload);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new CommandFormError(err.message);
    throw err;
  }
}
