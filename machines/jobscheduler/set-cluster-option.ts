/**
 * Set one JobScheduler member's cluster option (docs/jobscheduler-cluster.md#set-the-cluster-option,
 * the vendor's "How can I set the cluster start option?"), one haltable step per
 * runbook step, on the member's own host, after a read-only preflight before any of them:
 *
 *   Both      0 preflight: the host's agent answers, the install folder, its control script
 *               (./bin/jobscheduler.sh or .\bin\jobscheduler.cmd) and its start script exist
 *   Unix      1 stop the JobScheduler                  ./bin/jobscheduler.sh stop
 *             2 set SCHEDULER_CLUSTER_OPTIONS=...      ./bin/jobscheduler_environment_variables.sh
 *             3 start the JobScheduler                 ./bin/jobscheduler.sh start
 *   Windows   1 stop the JobScheduler service
 *             2 remove the service                     .\bin\jobscheduler.cmd remove
 *             3 SET SCHEDULER_CLUSTER_OPTIONS=...      .\bin\jobscheduler_environment_variables.cmd
 *             4 install the service                    .\bin\jobscheduler.cmd install
 *             5 start the JobScheduler service
 *
 * The Windows service keeps the options it was installed with, which is why it is removed before
 * the edit and installed after it. The result says what changed: the start script's line before and
 * after, and the options the member runs with after the start as its host reports them (the
 * process's command line on Unix, the service's on Windows).
 *
 * Abort: when this procedure may have stopped the member (its stop step ran and did not find it
 * stopped already), the abort starts it again, on Windows after installing the service again if it
 * was removed (installing an installed service does nothing); each of these steps halts when it
 * fails, and the operator may retry or skip it (a skipped restart is reported: the member is left
 * stopped). The start script is not changed back: the member starts with whatever it says by then,
 * and the result names both.
 *
 * A member that runs with the requested options already, its start script giving them too (the
 * preflight reads both), is left running: nothing is stopped or changed, and the result says so
 * (`alreadySet`). Before this behaviour (runs recorded earlier) it was stopped and started all the same.
 *
 * Readings where the source is silent (docs/jobscheduler-cluster.md#readings):
 * - A member found stopped at step 1 was stopped before the procedure began: the procedure goes on
 *   and starts it at the end (the runbook's last step), but an abort leaves it stopped.
 * - Stopping is a normal termination, so in a passive cluster no backup takes over while the member
 *   is down (the source: "A Backup JobScheduler will not become active if the Primary JobScheduler
 *   terminates in a normal way"); stopping the primary pauses the cluster's work, and the result
 *   says so.
 * - The member's id in the cluster database is its host (one JobScheduler of a cluster per host).
 */
import { and, assign, setup } from 'xstate';
import { behaviourSince } from '../core/behaviour-changes';
import type { Effect, EffectOutputs, SchedulerMemberRef } from '../core/effects';
import { haltableStep, type Halt, type HaltableContext } from '../core/haltable-step';
import { formatClusterOptions } from './cluster-options';
import type { JobSchedulerMember } from './jobscheduler-cluster-input';
import { abortTransition } from '../spoc/precondition-steps';
import { targetMemberOf } from './cluster-members';
import type { SetClusterOptionInput } from './set-cluster-option-input';

/** What the set step's activity answers: the effect's output, plus the line as it was when it says so. */
export type SetClusterOptionsAnswer = EffectOutputs['set-cluster-options'] & { before?: string | null };

/** The start script's line, as the set step left it. */
export interface StartScriptChange {
  /** The start script, as a path on the host. */
  path: string;
  changed: boolean;
  /** The live line before the change; null when there was none (a line was added) or the host did not say. */
  lineBefore: string | null;
  lineAfter: string;
}

export interface SetClusterOptionContext extends HaltableContext {
  halt: Halt | null;
  input: SetClusterOptionInput;
  /** Step 1 ran: from here on the member may be down because of this procedure. */
  stopRequested: boolean;
  /** The operator retried the stop: an earlier attempt may have stopped the member. */
  stopRetried: boolean;
  stopOutcome: EffectOutputs['stop-scheduler']['outcome'] | null;
  /** Windows: what step 2 found. */
  removeOutcome: EffectOutputs['remove-scheduler-service']['outcome'] | null;
  file: StartScriptChange | null;
  /** Windows: what step 4 found. */
  installOutcome: EffectOutputs['install-scheduler-service']['outcome'] | null;
  /** The last start (the procedure's or the abort's) and what the member runs with since. */
  startOutcome: EffectOutputs['start-scheduler']['outcome'] | null;
  runningWith: string | null;
  abortReason: string | null;
  /** What the abort did about the member. */
  abortRestart: 'started' | 'already-running' | 'skipped' | null;
  /** What the preflight found: the options the start script gives and those the member runs with (absent in runs from before). */
  found?: { startScriptOptions?: string; runningWith?: string | null } | null;
  /** The member had the requested options already: nothing was stopped or changed. */
  alreadySet?: boolean;
}
type C = SetClusterOptionContext;

/** The behaviour change after which a member that has the requested options already is left running (behaviour-changes.ts). */
export const LEAVES_A_MEMBER_THAT_HAS_THE_OPTIONS = 'set-cluster-option-leaves-a-member-that-has-the-options';

/** The procedure's result. */
export interface SetClusterOptionOutput {
  outcome: 'completed' | 'aborted';
  cluster: string;
  host: string;
  os: 'unix' | 'windows';
  /** The member's options as the cluster definition gave them. */
  optionsBefore: string;
  optionsRequested: string;
  /** The start script's line before and after; null when the procedure did not reach that step. */
  file: StartScriptChange | null;
  /** The options the member runs with after the start, as its host reported them; null when it was not started. */
  runningWith: string | null;
  /** The member runs with the requested options. */
  applied: boolean;
  /** This procedure stopped the member (it was running when step 1 began). */
  stoppedByProcedure: boolean;
  /** This procedure stopped the member and it is still stopped (an abort whose restart was skipped). */
  leftStopped: boolean;
  /** The member ran with the requested options and its start script gave them: nothing was stopped or changed. */
  alreadySet: boolean;
  abortReason: string | null;
  abortRestart: C['abortRestart'];
  /** What the operator should know now. */
  notes: string[];
}

/** Step ids: the answer events carry them. */
export const SET_CLUSTER_OPTION_STEPS = {
  preflight: 'checkSchedulerMember',
  stop: 'stopScheduler',
  remove: 'removeSchedulerService',
  set: 'setClusterOptions',
  install: 'installSchedulerService',
  start: 'startScheduler',
  abortInstall: 'restoreSchedulerService',
  abortStart: 'restartScheduler',
} as const;
const S = SET_CLUSTER_OPTION_STEPS;

const member = (c: C): JobSchedulerMember => targetMemberOf(c.input);
const onWindows = (c: C) => member(c).os === 'windows';

/** The member as its host's agent handles it. */
function memberRef(c: C): SchedulerMemberRef & { host: string } {
  const m = member(c);
  return { host: m.host, member: m.host, os: m.os, installDir: m.installDir, database: m.database, jobSchedulerId: m.jobSchedulerId };
}

const startScript = (c: C) => (onWindows(c) ? '.\\bin\\jobscheduler_environment_variables.cmd' : './bin/jobscheduler_environment_variables.sh');

/** The step's title in the runbook's words, with its number in the member's runbook. */
function titled(c: C, unix: [number, string] | null, windows: [number, string]): string {
  const [n, words] = onWindows(c) ? windows : (unix ?? windows);
  return `${onWindows(c) ? 'Windows' : 'Unix'} ${n}: ${words} on ${member(c).host}`;
}

/** The procedure may have stopped the member and has not started it again. */
const mayHaveStopped = (c: C) => c.stopRequested && c.stopOutcome !== 'already-stopped' && c.startOutcome === null;

const started = (c: C, out: EffectOutputs['start-scheduler']): Partial<C> => ({ startOutcome: out.outcome, runningWith: out.options });

export const setClusterOptionMachine = setup({
  types: { context: {} as C, input: {} as SetClusterOptionInput, output: {} as SetClusterOptionOutput },
  actions: {
    /** Performed by the workflow runtime, never by the machine. */
    effect: (_args, _effect: Effect) => undefined,
  },
  guards: {
    isWindowsMember: ({ context }) => onWindows(context),
    /** Nothing for an abort to start again: this procedure has not stopped the member, or started it already. */
    nothingToStartAgain: ({ context }) => !mayHaveStopped(context),
    /** The preflight found the member running with the requested options, and its start script giving them. */
    hasTheOptionsAlready: ({ context }) => context.found?.runningWith === context.input.options && context.found.startScriptOptions === context.input.options,
    [behaviourSince(LEAVES_A_MEMBER_THAT_HAS_THE_OPTIONS)]: () => true,
  },
}).createMachine({
  id: 'setClusterOption',
  description: "Set one JobScheduler member's cluster option: stop it, change SCHEDULER_CLUSTER_OPTIONS in its start script (on Windows between removing and installing the service), start it.",
  context: ({ input }) => ({
    halt: null,
    input,
    stopRequested: false,
    stopRetried: false,
    stopOutcome: null,
    removeOutcome: null,
    file: null,
    installOutcome: null,
    startOutcome: null,
    runningWith: null,
    abortReason: null,
    abortRestart: null,
  }),
  initial: 'procedure',
  states: {
    procedure: {
      initial: 'beginning',
      on: abortTransition('aborting'),
      states: {
        beginning: { always: { target: S.preflight } },
        [S.preflight]: haltableStep<C, EffectOutputs['check-scheduler-member']>({
          id: S.preflight,
          description:
            "Preflight, before anything is stopped: the member host's agent answers, and the install folder, its control script and the start script the option is set in are there. A failure halts here with the member untouched.",
          effect: (c) => ({ step: S.preflight, title: `Preflight on ${member(c).host}: agent, install folder, control and start scripts`, action: 'check-scheduler-member', ...memberRef(c) }),
          next: 'preflightPassed',
          onDone: (_c, out) => ({ found: { ...(out.startScriptOptions !== undefined ? { startScriptOptions: out.startScriptOptions } : {}), ...(out.runningWith !== undefined ? { runningWith: out.runningWith } : {}) } }),
        }),
        preflightPassed: {
          always: [
            {
              guard: and([behaviourSince(LEAVES_A_MEMBER_THAT_HAS_THE_OPTIONS), 'hasTheOptionsAlready']),
              target: 'done',
              actions: assign({ alreadySet: true, runningWith: ({ context }) => context.found?.runningWith ?? null }),
            },
            { target: S.stop, actions: assign({ stopRequested: true }) },
          ],
        },
        [S.stop]: haltableStep<C, EffectOutputs['stop-scheduler']>({
          id: S.stop,
          description: 'Unix 1 / Windows 1: stop the JobScheduler (./bin/jobscheduler.sh stop; on Windows its service), a normal termination, and wait until it is stopped.',
          effect: (c) => ({
            step: S.stop,
            title: titled(c, [1, 'stop the JobScheduler (./bin/jobscheduler.sh stop)'], [1, 'stop the JobScheduler service']),
            action: 'stop-scheduler',
            ...memberRef(c),
            timeoutSeconds: c.input.waits.stopTimeoutSeconds,
          }),
          next: 'stopped',
          // A stop that timed out may still have stopped the member: a retry that then finds it
          // stopped counts it as stopped by this procedure, so an abort starts it again.
          onRetry: () => ({ stopRetried: true }),
          onDone: (c, out) => ({ stopOutcome: out.outcome === 'already-stopped' && c.stopRetried ? 'stopped' : out.outcome }),
        }),
        stopped: {
          description: 'The member is stopped: on Windows its service is removed next, on Unix its start script is edited.',
          always: [{ guard: 'isWindowsMember', target: S.remove }, { target: S.set }],
        },
        [S.remove]: haltableStep<C, EffectOutputs['remove-scheduler-service']>({
          id: S.remove,
          description: 'Windows 2: remove the JobScheduler service (.\\bin\\jobscheduler.cmd remove): an installed service keeps the options it was installed with.',
          effect: (c) => ({ step: S.remove, title: titled(c, null, [2, 'remove the JobScheduler service (.\\bin\\jobscheduler.cmd remove)']), action: 'remove-scheduler-service', ...memberRef(c) }),
          next: S.set,
          onDone: (_c, out) => ({ removeOutcome: out.outcome }),
        }),
        [S.set]: haltableStep<C, SetClusterOptionsAnswer>({
          id: S.set,
          description: 'Unix 2 / Windows 3: set SCHEDULER_CLUSTER_OPTIONS in ./bin/jobscheduler_environment_variables.(sh|cmd); every other line stays as it is.',
          effect: (c) => ({
            step: S.set,
            title: titled(c, [2, `set SCHEDULER_CLUSTER_OPTIONS=${c.input.options} in ${startScript(c)}`], [3, `SET SCHEDULER_CLUSTER_OPTIONS=${c.input.options} in ${startScript(c)}`]),
            action: 'set-cluster-options',
            ...memberRef(c),
            options: c.input.options,
          }),
          next: 'optionsSet',
          onDone: (_c, out) => ({ file: { path: out.file, changed: out.changed, lineBefore: out.before ?? null, lineAfter: out.line } }),
        }),
        optionsSet: {
          description: 'The start script gives the new options: on Windows the service is installed with them next, on Unix the JobScheduler is started.',
          always: [{ guard: 'isWindowsMember', target: S.install }, { target: S.start }],
        },
        [S.install]: haltableStep<C, EffectOutputs['install-scheduler-service']>({
          id: S.install,
          description: 'Windows 4: install the JobScheduler service (.\\bin\\jobscheduler.cmd install), which takes the options from the start script.',
          effect: (c) => ({ step: S.install, title: titled(c, null, [4, 'install the JobScheduler service (.\\bin\\jobscheduler.cmd install)']), action: 'install-scheduler-service', ...memberRef(c) }),
          next: S.start,
          onDone: (_c, out) => ({ installOutcome: out.outcome }),
        }),
        [S.start]: haltableStep<C, EffectOutputs['start-scheduler']>({
          id: S.start,
          description: 'Unix 3 / Windows 5: start the JobScheduler (./bin/jobscheduler.sh start; on Windows its service) and read the options it runs with.',
          effect: (c) => ({
            step: S.start,
            title: titled(c, [3, 'start the JobScheduler (./bin/jobscheduler.sh start)'], [5, 'start the JobScheduler service']),
            action: 'start-scheduler',
            ...memberRef(c),
            timeoutSeconds: c.input.waits.startTimeoutSeconds,
          }),
          next: 'done',
          onDone: started,
        }),
        done: { type: 'final' },
      },
      onDone: { target: 'completed' },
    },
    aborting: {
      description: 'Aborting: if this procedure stopped the member, start it again (on Windows, install its service first if it was removed).',
      initial: 'deciding',
      states: {
        deciding: {
          always: [
            { guard: 'nothingToStartAgain', target: 'finished' },
            { guard: 'isWindowsMember', target: S.abortInstall },
            { target: S.abortStart },
          ],
        },
        [S.abortInstall]: haltableStep<C, EffectOutputs['install-scheduler-service']>({
          id: S.abortInstall,
          description: 'Abort: install the JobScheduler service again if it was removed (nothing happens when it is installed).',
          effect: (c) => ({ step: S.abortInstall, title: `Abort: install the JobScheduler service again on ${member(c).host} if it was removed`, action: 'install-scheduler-service', ...memberRef(c) }),
          next: S.abortStart,
          onDone: (_c, out) => ({ installOutcome: out.outcome }),
          skipSafeBecause: 'the member is left as it is; the restart that follows tells whether it runs',
        }),
        [S.abortStart]: haltableStep<C, EffectOutputs['start-scheduler']>({
          id: S.abortStart,
          description: 'Abort: start the JobScheduler again, since this procedure stopped it.',
          effect: (c) => ({
            step: S.abortStart,
            title: `Abort: start the JobScheduler on ${member(c).host} again`,
            action: 'start-scheduler',
            ...memberRef(c),
            timeoutSeconds: c.input.waits.startTimeoutSeconds,
          }),
          next: 'finished',
          onDone: (c, out) => ({ ...started(c, out), abortRestart: out.outcome }),
          skipSafeBecause: 'the member is left stopped and the result says so',
          onSkip: () => ({ abortRestart: 'skipped' }),
        }),
        finished: { type: 'final' },
      },
      onDone: { target: 'aborted' },
    },
    completed: { type: 'final', description: 'The member runs with the requested cluster options: started again with them, or left running when it had them already.' },
    aborted: { type: 'final', description: 'Aborted; a member this procedure stopped was started again (see the result).' },
  },
  output: ({ context }) => setClusterOptionOutput(context),
});

/** The result, from the context at the end. */
export function setClusterOptionOutput(c: C): SetClusterOptionOutput {
  const m = member(c);
  const optionsBefore = formatClusterOptions(m.clusterOptions);
  const stoppedByProcedure = c.stopRequested && c.stopOutcome !== 'already-stopped';
  const leftStopped = c.abortReason !== null && mayHaveStopped(c) && c.abortRestart === 'skipped';
  const applied = c.runningWith === c.input.options;
  return {
    outcome: c.abortReason === null ? 'completed' : 'aborted',
    cluster: c.input.cluster.cluster,
    host: m.host,
    os: m.os,
    optionsBefore,
    optionsRequested: c.input.options,
    file: c.file,
    runningWith: c.runningWith,
    applied,
    stoppedByProcedure,
    leftStopped,
    alreadySet: c.alreadySet === true,
    abortReason: c.abortReason,
    abortRestart: c.abortRestart,
    notes: notesOf(c, { optionsBefore, applied, leftStopped }),
  };
}

function notesOf(c: C, facts: { optionsBefore: string; applied: boolean; leftStopped: boolean }): string[] {
  const m = member(c);
  const notes: string[] = [];
  const runs = c.runningWith === null ? null : c.runningWith === '' ? 'no cluster options' : c.runningWith;
  if (c.abortReason === null && c.alreadySet === true) {
    notes.push(`${m.host} runs with ${c.input.options} already and its start script gives them: it was left running, nothing was stopped or changed. Update the cluster definition to match (it gave ${facts.optionsBefore}).`);
  } else if (c.abortReason === null) {
    notes.push(
      facts.applied
        ? `${m.host} runs with ${c.input.options} (the cluster definition gave ${facts.optionsBefore}); update the cluster definition to match.`
        : `${m.host} runs with ${runs ?? 'unknown options'}, not the requested ${c.input.options}: check the start script and, on Windows, that the service was installed after the edit.`,
    );
  } else if (!c.stopRequested) {
    notes.push(`Aborted before ${m.host} was stopped: nothing was changed.`);
  } else if (c.stopOutcome === 'already-stopped') {
    notes.push(`${m.host} was already stopped when the procedure began; the abort left it stopped.`);
  } else if (facts.leftStopped) {
    notes.push(`${m.host} was stopped by this procedure and is still stopped: the operator skipped its restart. Start it by hand.`);
  } else if (c.abortRestart !== null) {
    notes.push(`${m.host} was stopped by this procedure; the abort started it again (${c.abortRestart}) and it runs with ${runs ?? 'unknown options'}.`);
  }
  if (c.abortReason !== null && c.file?.changed) {
    notes.push(`The start script keeps the new line "${c.file.lineAfter}" (it was "${c.file.lineBefore ?? 'absent'}"): the abort does not change it back.`);
  }
  if (c.input.cluster.mode === 'passive' && m.clusterOptions.role === 'primary' && c.stopOutcome === 'stopped') {
    notes.push(`${m.host} is the primary and was stopped normally, so no backup took over meanwhile: the cluster ran no jobs until it was back and active.`);
  }
  return notes;
}

/** A small summary of the context for `status`. */
export function summarize(c: C): Record<string, unknown> {
  const m = member(c);
  return {
    cluster: c.input.cluster.cluster,
    host: m.host,
    os: m.os,
    optionsBefore: formatClusterOptions(m.clusterOptions),
    optionsRequested: c.input.options,
    stopOutcome: c.stopOutcome,
    removeOutcome: c.removeOutcome,
    fileChanged: c.file?.changed ?? null,
    installOutcome: c.installOutcome,
    startOutcome: c.startOutcome,
    runningWith: c.runningWith,
    abortReason: c.abortReason,
    abortRestart: c.abortRestart,
    ...(c.alreadySet === true ? { alreadySet: true } : {}),
  };
}
