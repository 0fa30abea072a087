/**
 * What `spoolflow watch` shows, computed from the status query's answer and the plan alone (no
 * I/O, no clock of its own): the steps done, the current one with its host and elapsed time, the
 * steps to come, a progress bar, and when halted the reason and the exact commands to type.
 */
import type { CompletedRun } from '../client/completed-run';
import type { PlannedStep } from '../machines/core/plan';
import type { PathEntry, ProcedureStatus } from '../workflows/operator-messages';

/** How a watched procedure stands; `failed` when its run failed or was terminated. */
export type WatchState = ProcedureStatus['status'] | 'failed';

/** One change, as `watch --json` prints it (one line each). */
export interface WatchEvent {
  workflowId: string;
  procedure: string;
  status: WatchState;
  step: string;
  /** The step running now, when one is. */
  current: { step: string; title: string; host?: string; startedAt: string } | null;
  /** Plan steps done, and how many the plan has (0 when there is no plan). */
  done: number;
  total: number;
  halt: { reason: string; title: string; options: string[] } | null;
  /** What an operator can type now. */
  commands: string[];
  /** The procedure's output once it has ended. */
  output?: unknown;
}

/** Where the path has reached in the plan: plan steps done, and the plan row running now. */
export function progressOf(plan: PlannedStep[], path: PathEntry[]): { done: number; current: number | null } {
  let done = 0;
  let current: number | null = null;
  for (const entry of path) {
    const index = plan.findIndex((p, i) => i >= done && p.step === entry.step && (p.host ?? null) === (entry.host ?? null));
    if (index < 0) continue; // an operator command or a step the plan did not foresee (a retry)
    if (entry.outcome === 'done') {
      done = index + 1;
      current = null;
    } else current = index;
  }
  return { done, current };
}

/** The commands an operator types for what the procedure accepts now. */
export function commandsToType(workflowId: string, accepts: string[]): string[] {
  return accepts.map((accepted) => {
    const command = accepted.replace(/^operator\./, '');
    if (command === 'retry' || command === 'skip' || command === 'abort') return `spoolflow ${command} ${workflowId} --operator <name> --reason <text>`;
    if (command === 'submitOrder') return `spoolflow operator ${workflowId} submitOrder --chain <chain> --order <id> --operator <name>`;
    return `spoolflow operator ${workflowId} ${command} --operator <name> --reason <text>`;
  });
}

export function watchEvent(workflowId: string, status: ProcedureStatus, plan: PlannedStep[] | null, failed = false): WatchEvent {
  const running = [...status.path].reverse().find((e) => e.outcome === 'running');
  const progress = plan ? progressOf(plan, status.path) : { done: 0, current: null };
  const ended = status.status === 'done' || status.status === 'refused' || failed;
  return {
    workflowId,
    procedure: status.procedure,
    status: failed ? 'failed' : status.status,
    step: status.step,
    current: running && !ended ? { step: running.step, title: running.title, ...(running.host !== undefined ? { host: running.host } : {}), startedAt: running.startedAt } : null,
    done: plan && status.status === 'done' ? plan.length : progress.done,
    total: plan?.length ?? 0,
    halt: status.halt ? { reason: status.halt.reason, title: status.halt.title, options: status.halt.options } : null,
    commands: ended ? [] : commandsToType(workflowId, status.accepts),
    ...(status.output !== undefined ? { output: status.output } : {}),
  };
}

/**
 * The event of a run that completed without a halt, from its close event and search attributes
 * (client/completed-run.ts) instead of the status query: what watchEvent gives for its final
 * status (every plan step done, nothing current, nothing to type).
 */
export function completedEvent(workflowId: string, run: CompletedRun, plan: PlannedStep[] | null): WatchEvent {
  return {
    workflowId,
    procedure: run.procedure,
    status: 'done',
    step: run.step,
    current: null,
    done: plan?.length ?? 0,
    total: plan?.length ?? 0,
    halt: null,
    commands: [],
    ...(run.output !== undefined ? { output: run.output } : {}),
  };
}

const BAR_WIDTH = 30;
/** How many done steps and steps to come are listed; the rest are counted. */
const LISTED = 5;

export function progressBar(done: number, total: number): string {
  if (total === 0) return '';
  const filled = Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} steps`;
}

export function elapsed(fromIso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The host after a title that does not name it already. */
const withHost = (title: string, host: string | undefined) => (host && !title.includes(host) ? `${title} on ${host}` : title);

/** The screen of `spoolflow watch` for a person. */
export function renderWatch(event: WatchEvent, status: ProcedureStatus, plan: PlannedStep[] | null, now: Date): string {
  const lines = [`${event.procedure}  ${event.workflowId}  ${event.status.toUpperCase()}`];
  const bar = progressBar(event.done, event.total);
  if (bar) lines.push(bar);
  const doneSteps = status.path.filter((e) => e.outcome !== 'running');
  lines.push('', `Done (${status.stepsTaken} steps taken):`);
  if (doneSteps.length > LISTED || status.stepsTaken > doneSteps.length) lines.push(`  … ${status.stepsTaken - Math.min(LISTED, doneSteps.length)} earlier`);
  for (const e of doneSteps.slice(-LISTED)) lines.push(`  ${e.outcome === 'done' ? '✓' : '✗'} ${withHost(e.title, e.host)}`);
  if (event.current) lines.push('', 'Now:', `  ▶ ${withHost(event.current.title, event.current.host)}  (${elapsed(event.current.startedAt, now)})`);
  else if (event.status === 'waiting' || event.status === 'running') lines.push('', 'Now:', `  ▶ ${event.step}`);
  if (event.halt) {
    lines.push('', `HALTED at ${event.halt.title}:`, `  ${event.halt.reason}`, '', 'To go on, type one of:');
    for (const command of event.commands) lines.push(`  ${command}`);
  }
  if (plan && event.status !== 'done' && event.status !== 'failed') {
    // The step running or halted now is not to come.
    const { current } = progressOf(plan, status.path);
    const toCome = plan.filter((_, i) => i >= event.done && i !== current);
    if (toCome.length > 0) {
      lines.push('', 'To come:');
      for (const p of toCome.slice(0, LISTED)) lines.push(`  · ${withHost(p.title, p.host)}`);
      if (toCome.length > LISTED) lines.push(`  … ${toCome.length - LISTED} more`);
    }
  }
  if (event.status === 'done' || event.status === 'failed' || event.status === 'refused') lines.push('', `Ended: ${event.status}${event.output !== undefined ? ` ${JSON.stringify(event.output)}` : ''}`);
  return `${lines.join('\n')}\n`;
}
