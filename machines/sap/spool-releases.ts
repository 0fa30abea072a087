/**
 * Which tasks a spool work process has, by R/3 release (docs/sap-spool-work-processes.md#task-classes).
 * The source names four steps: before 4.0A, 4.0A, 4.0B, and 4.6A and later; every release falls
 * into one of them. Pure and free of dependencies: `spoolflow sap sizing` loads only this and
 * spool-sizing.ts.
 */

/** The four release steps the source tells apart. */
export const RELEASE_STEPS = ['before-4.0A', '4.0A', '4.0B', '4.6A-and-later'] as const;
export type ReleaseStep = (typeof RELEASE_STEPS)[number];

/** The three classes of a spool service's tasks. */
export type TaskClass = 'output' | 'local-management' | 'global-management';

/** Local management: done per instance, each by at most one work process of the instance at a time. */
export const LOCAL_MANAGEMENT_TASKS = ['host-spool-demand', 'link-check'] as const;
export type LocalManagementTask = (typeof LOCAL_MANAGEMENT_TASKS)[number];

/** Global management: done by at most one work process in the whole system at a time. */
export const GLOBAL_MANAGEMENT_TASKS = ['scan-lost-requests', 'reassign-requests', 'delete-obsolete-requests'] as const;
export type GlobalManagementTask = (typeof GLOBAL_MANAGEMENT_TASKS)[number];

export type ManagementTask = LocalManagementTask | GlobalManagementTask;

/** In the source's words, for the reasoning lines and the docs. */
export const TASK_TITLES: Record<ManagementTask | 'output' | 'frontend-output', string> = {
  output: 'processing output requests (print requests handed to a host spool system)',
  'frontend-output': 'frontend output requests (no longer via dialog work processes)',
  'host-spool-demand': 'demanding the job statuses in the host spool systems',
  'link-check': 'the printer-independent link check of host spool systems (access methods U and S)',
  'scan-lost-requests': 'scanning the spool database for requests lost through queue overflows',
  'reassign-requests': 'reassigning output requests during a spool server shutdown',
  'delete-obsolete-requests': 'deleting obsolete spool requests (optional, set in transaction SPAD)',
};

export interface ReleaseTasks {
  step: ReleaseStep;
  local: readonly LocalManagementTask[];
  global: readonly GlobalManagementTask[];
  /** As of 4.6A frontend print requests are processed by the spool service, not dialog work processes. */
  frontendOutputBySpool: boolean;
}

/** What each step adds, in the source's order. */
const TASKS_BY_STEP: Record<ReleaseStep, ReleaseTasks> = {
  'before-4.0A': { step: 'before-4.0A', local: ['host-spool-demand'], global: ['scan-lost-requests'], frontendOutputBySpool: false },
  '4.0A': { step: '4.0A', local: ['host-spool-demand'], global: ['scan-lost-requests', 'reassign-requests'], frontendOutputBySpool: false },
  '4.0B': { step: '4.0B', local: ['host-spool-demand', 'link-check'], global: ['scan-lost-requests', 'reassign-requests'], frontendOutputBySpool: false },
  '4.6A-and-later': {
    step: '4.6A-and-later',
    local: ['host-spool-demand', 'link-check'],
    global: ['scan-lost-requests', 'reassign-requests', 'delete-obsolete-requests'],
    frontendOutputBySpool: true,
  },
};

export function tasksOf(step: ReleaseStep): ReleaseTasks {
  return TASKS_BY_STEP[step];
}

/** A release that is not one: named with the forms that are. */
export class UnknownReleaseError extends Error {
  override readonly name = 'UnknownReleaseError';
  constructor(
    readonly release: string,
    why: string,
  ) {
    super(`--release "${release}": ${why} (an R/3 or SAP_BASIS release such as 3.1I, 4.0A, 4.0B, 4.5B, 4.6C, 6.20 or 7.50)`);
  }
}

export interface Release {
  /** As written in normal form: `4.6C`, `7.50`. */
  name: string;
  step: ReleaseStep;
}

// Before 6.10 a release is a digit, a dot, a digit and a letter (4.0B); from 6.10 on, two digits after the dot (7.50).
const LETTERED = /^([1-5])\.(\d)([A-Z])$/;
const NUMBERED = /^([6-9])\.(\d\d)$/;

/** The release step of a release name; anything else is an UnknownReleaseError saying why. */
export function parseRelease(text: string): Release {
  const name = text.trim().toUpperCase();
  const lettered = LETTERED.exec(name);
  if (lettered) {
    const version = Number(lettered[1]) * 10 + Number(lettered[2]);
    if (version < 20) throw new UnknownReleaseError(text, 'R/3 releases begin at 2.0A');
    const letter = lettered[3]!;
    if (version < 40) return { name, step: 'before-4.0A' };
    if (version === 40) return { name, step: letter === 'A' ? '4.0A' : '4.0B' };
    if (version < 46) return { name, step: '4.0B' };
    return { name, step: '4.6A-and-later' };
  }
  if (NUMBERED.test(name)) return { name, step: '4.6A-and-later' };
  if (/^[1-5]\.\d$/.test(name)) throw new UnknownReleaseError(text, `ambiguous without its letter: ${name}A and ${name}B may have different tasks`);
  if (/^[6-9]\.\d$/.test(name)) throw new UnknownReleaseError(text, `from 6.10 on a release has two digits after the dot (${name}0)`);
  throw new UnknownReleaseError(text, 'not a release name');
}
