/**
 * The host agent's part in the log checks: it notes where the SPOC's logs stand when it starts the
 * SPOC (and which install folder a procedure's preflight checked, to know where the logs are), and
 * the waits for ONLINE and for the cache rescue read only what was appended after that note
 * (spoc-logs.ts). Each wait reports how it judged the lines and which it could not read: in its
 * answer (`logCheck`), in its heartbeat details while it waits, in the agent's log, and in its
 * reason when it times out.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EffectOutputs } from '../../machines/core/effects';
import { normalInstallFolder, spocLogFilesOf } from '../../machines/spoc/install-folder';
import {
  latestSpocStart,
  noteProcedureInstallDir,
  noteSpocStart,
  procedureOfRequestKey,
  readSpocLogNote,
} from './spoc-log-anchor-notes';
import type { SpocLogFormat } from './spoc-log-format';
import { noteLogPosition } from './spoc-log-follower';
import { type CountedLine, lifecycleStatusOf, type LogCheckReport, type LogWatchFrom, saysRescueFinished, SpocLogWatch } from './spoc-logs';

export interface SpocLogWaitDeps {
  host: string;
  stateDir: string;
  localPath: (windowsPath: string) => string;
  now: () => number;
  format: SpocLogFormat;
  /** The agent's configured SPOC install folder; else the one the procedure's preflight checked here. */
  spocInstallDir?: string;
  /** Waits between two polls, heartbeating with what the wait has seen. */
  pause: (details: unknown) => Promise<void>;
  /** The wait's absolute deadline (fixed at the step's first scheduling). */
  deadline: (timeoutSeconds: number) => number;
  warn: (message: string) => void;
}

interface LogWaitEffect {
  installDir: string;
  since: string;
  timeoutSeconds: number;
  requestKey?: string | undefined;
}

type Which = 'lifecycle' | 'main';

export function createSpocLogWaits(deps: SpocLogWaitDeps) {
  const sameFolder = (a: string, b: string) => normalInstallFolder(a).toLowerCase() === normalInstallFolder(b).toLowerCase();

  /** Where a wait of this procedure starts reading `which` log, or why it has no position. */
  function watchFrom(e: LogWaitEffect, which: Which): LogWatchFrom {
    const procedure = procedureOfRequestKey(e.requestKey);
    if (!procedure) return { noPositionBecause: 'the step came without its procedure\'s request key' };
    const start = latestSpocStart(readSpocLogNote(deps.stateDir, procedure, deps.host));
    if (!start) {
      return {
        noPositionBecause:
          "the agent has no note of starting this procedure's SPOC here (the procedure began before the agent noted log positions, the SPOC was started by someone else, or the agent's notes folder was lost)",
      };
    }
    if (start.spocWasRunning) return { noPositionBecause: 'the SPOC already ran when this procedure started it, so its ONLINE may be older than the noted position' };
    if (!sameFolder(start.installDir, e.installDir)) return { noPositionBecause: `the positions were noted for the install folder ${start.installDir}, not ${e.installDir}` };
    return { position: start[which] };
  }

  function watch(e: LogWaitEffect, which: Which): { watch: SpocLogWatch; since: number } {
    const since = Date.parse(e.since);
    if (Number.isNaN(since)) throw ApplicationFailure.nonRetryable(`invalid step input: since: "${e.since}" is not a time`, 'InvalidEffectError');
    const file = deps.localPath(spocLogFilesOf(e.installDir)[which]);
    return { watch: new SpocLogWatch(file, since, watchFrom(e, which), deps.format), since };
  }

  /** Says once in the agent's log that lines could not be read, with an example. */
  function warnOnce(w: SpocLogWatch, name: string, warned: { done: boolean }): void {
    if (warned.done || w.report().unreadableLines === 0) return;
    warned.done = true;
    deps.warn(`${deps.host}: ${name}: ${w.describe()}`);
  }

  async function waitFor<T>(
    e: LogWaitEffect,
    which: Which,
    take: (lines: CountedLine[], all: boolean) => T | undefined,
    timedOut: (w: SpocLogWatch) => string,
  ): Promise<{ found: T; logCheck: LogCheckReport }> {
    const { watch: w } = watch(e, which);
    const name = which === 'lifecycle' ? 'spoc_lifecycle.log' : 'spoc.log';
    const until = deps.deadline(e.timeoutSeconds);
    const warned = { done: false };
    for (;;) {
      const { lines, all } = w.poll();
      const found = take(lines, all);
      if (found !== undefined) return { found, logCheck: w.report() };
      if (deps.now() >= until) throw ApplicationFailure.nonRetryable(`${timedOut(w)} ${w.describe()}`, 'StepTimedOutError');
      warnOnce(w, name, warned);
      await deps.pause({ log: name, logCheck: w.report() });
    }
  }

  return {
    /** Notes the install folder a procedure's preflight checked here, so its SPOC starts know where the logs are. */
    notePreflight(e: { installDir: string; requestKey?: string | undefined }): void {
      const procedure = procedureOfRequestKey(e.requestKey);
      if (procedure) noteProcedureInstallDir(deps.stateDir, procedure, deps.host, e.installDir);
    },

    /**
     * Notes the SPOC logs' positions just before the agent sends the SPOC's start, once per start
     * step of a procedure (a retry keeps the first note). Without a procedure or a known install
     * folder nothing is noted, and the waits fall back to timestamps, saying why.
     */
    noteSpocStart(e: { requestKey?: string | undefined }, spocWasRunning: boolean): void {
      const procedure = procedureOfRequestKey(e.requestKey);
      if (!procedure || !e.requestKey) return;
      const installDir = deps.spocInstallDir ?? readSpocLogNote(deps.stateDir, procedure, deps.host)?.installDir;
      if (!installDir) {
        deps.warn(`${deps.host}: no SPOC install folder known (no spocInstallDir configured, no preflight noted one): the log waits of ${procedure} will judge lines by their timestamps`);
        return;
      }
      const logs = spocLogFilesOf(installDir);
      noteSpocStart(deps.stateDir, procedure, deps.host, {
        startKey: e.requestKey,
        notedAt: new Date(deps.now()).toISOString(),
        installDir,
        spocWasRunning,
        lifecycle: noteLogPosition(deps.localPath(logs.lifecycle)),
        main: noteLogPosition(deps.localPath(logs.main)),
      });
    },

    async awaitLifecycleOnline(e: LogWaitEffect): Promise<EffectOutputs['await-lifecycle-online'] & { logCheck: LogCheckReport }> {
      let last: { status: string; at: number } | undefined;
      const { found, logCheck } = await waitFor(
        e,
        'lifecycle',
        (lines, all) => {
          if (all) last = undefined;
          for (const line of lines) {
            const status = lifecycleStatusOf(line);
            if (status) last = { status, at: line.at };
          }
          return last?.status === 'ONLINE' ? last.at : undefined;
        },
        () => `spoc_lifecycle.log on ${deps.host} did not say ONLINE within ${e.timeoutSeconds} s of the start (last status since then: ${last?.status ?? 'none'}).`,
      );
      return { onlineAt: new Date(found).toISOString(), logCheck };
    },

    async awaitRescueFinished(e: LogWaitEffect): Promise<EffectOutputs['await-rescue-finished'] & { logCheck: LogCheckReport }> {
      const { found, logCheck } = await waitFor(
        e,
        'main',
        (lines) => lines.find(saysRescueFinished)?.at,
        () => `spoc.log on ${deps.host} has no "Rescue process for SPOC's cache finished." within ${e.timeoutSeconds} s of the start.`,
      );
      return { finishedAt: new Date(found).toISOString(), logCheck };
    },
  };
}
