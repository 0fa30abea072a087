/**
 * What `spoolflow watch` shows for a fleet rollout, from its status alone (no I/O, no clock of its
 * own): how many groups are done, running, halted, waiting, failed and not started, and which;
 * each running or halted group's procedure to watch; why nothing starts now; what to type.
 */
import type { RolloutGroupStatus, RolloutStatus } from '../workflows/fleet/rollout-messages';
import { elapsed, progressBar } from './watch-view';

/** One change, as `watch --json` prints it for a rollout (one line each). */
export interface RolloutWatchEvent {
  workflowId: string;
  procedure: 'fleet-rollout';
  /** The procedure it runs on the groups. */
  runs: string;
  status: RolloutStatus['status'] | 'failed';
  counts: RolloutStatus['counts'];
  groups: RolloutStatus['groups'];
  holding: string | null;
  /** What an operator can type now. */
  commands: string[];
}

/** Whether a status answer is a fleet rollout's (the `status` query has one name for both). */
export function isRolloutStatus(status: { procedure?: unknown }): boolean {
  return status.procedure === 'fleet-rollout';
}

export function rolloutWatchEvent(workflowId: string, status: RolloutStatus, failed = false): RolloutWatchEvent {
  const ended = status.status === 'done' || failed;
  return {
    workflowId,
    procedure: 'fleet-rollout',
    runs: status.runs,
    status: failed ? 'failed' : status.status,
    counts: status.counts,
    groups: status.groups,
    holding: status.holding,
    commands: ended ? [] : status.accepts.map((c) => `spoolflow rollout ${c.replace(/^operator\./, '')} ${workflowId} --operator <name> --reason <text>`),
  };
}

/** Exit 0 when every group was done; 1 when the run failed or a group failed or was not started. */
export function rolloutExitCode(event: RolloutWatchEvent): number {
  return event.status === 'done' && event.counts.failed === 0 && event.counts['not-started'] === 0 ? 0 : 1;
}

const LISTED = 8;

function listed(names: string[]): string {
  return names.length > LISTED ? `${names.slice(0, LISTED).join(', ')} … and ${names.length - LISTED} more` : names.join(', ');
}

function groupLine(g: RolloutGroupStatus, now: Date): string {
  const since = g.startedAt ? `, ${elapsed(g.startedAt, now)}` : '';
  const why = g.state === 'halted' && g.reason ? `: ${g.reason}` : '';
  return `  ${g.state === 'halted' ? '!' : '▶'} ${g.name} (site ${g.site}${since})${why}  · spoolflow watch ${g.workflowId}`;
}

/** The screen of `spoolflow watch <rollout>` for a person. */
export function renderRolloutWatch(event: RolloutWatchEvent, status: RolloutStatus, now: Date): string {
  const c = status.counts;
  const total = status.perGroup.length;
  const lines = [`fleet-rollout  ${event.workflowId}  ${event.status.toUpperCase()}  (${status.runs})`];
  lines.push(progressBar(c.done + c.failed + c['not-started'], total).replace(/steps$/, 'groups ended'));
  lines.push('', `${c.done} done, ${c.running} running, ${c.halted} halted, ${c.waiting} waiting, ${c.failed} failed, ${c['not-started']} not started`);
  const atWork = status.perGroup.filter((g) => g.state === 'running' || g.state === 'halted');
  if (atWork.length > 0) lines.push('', 'Now:', ...atWork.slice(0, 2 * LISTED).map((g) => groupLine(g, now)));
  if (atWork.length > 2 * LISTED) lines.push(`  … and ${atWork.length - 2 * LISTED} more`);
  for (const state of ['done', 'waiting', 'failed', 'not-started'] as const) {
    if (status.groups[state].length > 0) lines.push(`${state === 'not-started' ? 'Not started' : state[0]?.toUpperCase() + state.slice(1)}: ${listed(status.groups[state])}`);
  }
  const reasons = status.perGroup.filter((g) => (g.state === 'failed' || g.state === 'not-started') && g.reason);
  const distinct = [...new Set(reasons.map((g) => g.reason))];
  if (distinct.length > 0) lines.push('', 'Why:', ...distinct.slice(0, LISTED).map((why) => `  ${listed(reasons.filter((g) => g.reason === why).map((g) => g.name))}: ${why}`));
  if (status.holding && event.status !== 'done') lines.push('', `Holding: ${status.holding}`);
  const { maxGroupsAtOnce, maxGroupsPerSite, failureBudget } = status.limits;
  lines.push('', `Limits: ${maxGroupsAtOnce} at a time, ${maxGroupsPerSite} per site; failure budget ${failureBudget}${status.window ? `; window ${status.window.start} to ${status.window.end}` : ''}`);
  if (event.commands.length > 0) lines.push('', 'To type:', ...event.commands.map((cmd) => `  ${cmd}`));
  if (event.status === 'done' || event.status === 'failed') lines.push('', `Ended: ${event.status}`);
  return `${lines.join('\n')}\n`;
}
