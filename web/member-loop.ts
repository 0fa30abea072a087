/**
 * Which member a procedure's member loop is at and which members are done, read from its `status`
 * (the summary the procedure gives, the hosts of its path): a SPOC group procedure walks its
 * members one at a time and lists those it completed; a JobScheduler supervisor watches its
 * cluster's members, one of them active. Nothing is guessed: what the status does not say is not
 * shown. The answer is a workflow's, so every value is checked for its type here.
 */
import type { ProcedureStatus } from '../workflows/operator-messages';
import { escapeHtml } from './state-chart-html';

export interface MemberInLoop {
  name: string;
  /** What the status says of it besides its name (a cluster member's role and status). */
  detail?: string;
  current: boolean;
  done: boolean;
}

export interface MemberLoop {
  /** The member the loop is at now, when it is at one. */
  current?: string;
  /** Its place in the loop (from 1) and the loop's length, where the status gives them. */
  position?: number;
  of?: number;
  done: string[];
  /** Every member the status names, in its order: done ones first for a SPOC loop. */
  members: MemberInLoop[];
  /** What the current member is called: the SPOC being worked on, or the cluster's active member. */
  currentIs: 'member' | 'active member';
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function spocLoop(status: ProcedureStatus, summary: Record<string, unknown>): MemberLoop | undefined {
  const done = strings(summary.completedMembers);
  const running = status.status !== 'done' && status.status !== 'refused';
  const latestHost = [...(Array.isArray(status.path) ? status.path : [])].reverse().find((e) => typeof e?.host === 'string')?.host;
  const candidate = running ? (text(summary.member) ?? latestHost) : undefined;
  const current = candidate !== undefined && !done.includes(candidate) ? candidate : undefined;
  if (done.length === 0 && current === undefined) return undefined;
  const index = typeof summary.memberIndex === 'number' && Number.isInteger(summary.memberIndex) && summary.memberIndex >= 0 ? summary.memberIndex : undefined;
  const of = typeof summary.members === 'number' && Number.isInteger(summary.members) && summary.members > 0 ? summary.members : undefined;
  return {
    ...(current === undefined ? {} : { current }),
    ...(current !== undefined && index !== undefined ? { position: index + 1 } : {}),
    ...(of === undefined ? {} : { of }),
    done,
    members: [...done.map((name) => ({ name, current: false, done: true })), ...(current === undefined ? [] : [{ name: current, current: true, done: false }])],
    currentIs: 'member',
  };
}

function clusterLoop(summary: Record<string, unknown>): MemberLoop | undefined {
  if (!Array.isArray(summary.members)) return undefined;
  const active = text(summary.activeMember);
  const members = (summary.members as unknown[]).flatMap((m): MemberInLoop[] => {
    if (m === null || typeof m !== 'object') return [];
    const { member, role, status, alive } = m as Record<string, unknown>;
    const name = text(member);
    if (name === undefined) return [];
    const detail = [text(role), text(status), alive === false ? 'heartbeat lost' : undefined].filter(Boolean).join(', ');
    return [{ name, ...(detail ? { detail } : {}), current: name === active, done: false }];
  });
  if (members.length === 0) return undefined;
  return { ...(active === undefined ? {} : { current: active }), done: [], members, currentIs: 'active member' };
}

/** The member loop of a procedure, as its status tells it; undefined for a procedure that walks no members. */
export function memberLoopOf(status: ProcedureStatus): MemberLoop | undefined {
  const summary = status.summary !== null && typeof status.summary === 'object' ? status.summary : {};
  return Array.isArray(summary.members) ? clusterLoop(summary) : spocLoop(status, summary);
}

/** The loop in a line or two, for the note beside the current step: "member 2 of 3: spoc-lon-2", "done: spoc-lon-1". */
export function memberLines(loop: MemberLoop): string[] {
  if (loop.currentIs === 'active member') {
    return [`active member: ${loop.current ?? 'none'}`, `members: ${loop.members.map((m) => (m.detail ? `${m.name} (${m.detail})` : m.name)).join(', ')}`];
  }
  const place = loop.position === undefined ? 'member' : loop.of === undefined ? `member ${loop.position}` : `member ${loop.position} of ${loop.of}`;
  return [...(loop.current === undefined ? [] : [`${place}: ${loop.current}`]), `done: ${loop.done.length ? loop.done.join(', ') : 'none yet'}`];
}

/** The loop as a strip of members above the chart: done ones ticked, the current one marked. */
export function memberStripHtml(loop: MemberLoop): string {
  const chips = loop.members
    .map((m) => {
      const mark = m.done ? '✓ ' : m.current ? '▶ ' : '';
      const classes = ['member', m.done ? 'member-done' : '', m.current ? 'member-current' : ''].filter(Boolean).join(' ');
      return `<li class="${classes}">${mark}${escapeHtml(m.name)}${m.detail ? ` <small>(${escapeHtml(m.detail)})</small>` : ''}</li>`;
    })
    .join('');
  return `<div class="member-loop"><p>${memberLines(loop).map(escapeHtml).join(' · ')}</p><ol class="members">${chips}</ol></div>`;
}
