/**
 * Ends a JobScheduler member's process on this host, for the supervisor's normal termination: the
 * cluster database says which process (pid) and on which host; a member of another host is
 * refused, the agent acts only on its own. The pid comes from a database the members write, so it
 * is checked before any signal: 0 would reach the agent's own process group, -1 every process the
 * agent may signal, 1 the init process.
 *
 * On Windows there is no SIGTERM: Node's `process.kill` ends the process at once (TerminateProcess)
 * whatever the signal, so the member would neither finish its running tasks nor mark itself
 * terminated. That is an abort, not the normal termination the step asks for, so on Windows the
 * agent refuses it while the process lives; once an operator has ended the member normally (its
 * service stopped), the step's retry finds the process gone and goes on.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MemberWontStopError, type MemberProcessControl, type MemberProcessRef } from '../activities/jobscheduler/member-process-control';
import { isProcessAlive } from '../engine/process-alive';
import { sameName } from '../machines/core/names';

const POLL_MS = 100;

/** Refuses a pid that names no single member process (not an integer, 1 or below, the agent itself). */
function checkPid(host: string, target: MemberProcessRef): void {
  if (!Number.isSafeInteger(target.pid) || target.pid <= 1 || target.pid === process.pid) {
    throw ApplicationFailure.nonRetryable(
      `the cluster database gives ${target.member} on ${host} the pid ${String(target.pid)}, which is no member's process (a pid is an integer above 1, not the agent's own): refusing to signal it`,
      'InvalidEffectError',
    );
  }
}

/** Refuses a normal termination that the platform can only carry out as an abort. */
function checkNormalTerminationPossible(host: string, target: MemberProcessRef, signal: NodeJS.Signals, platform: NodeJS.Platform): void {
  if (signal !== 'SIGTERM' || platform !== 'win32') return;
  throw ApplicationFailure.nonRetryable(
    `${target.member} (pid ${target.pid}) on ${host} cannot be ended normally by a signal on Windows: it would be ended at once (TerminateProcess), leaving its tasks unfinished and itself not marked terminated. ` +
      `End it normally (stop its JobScheduler service), then retry this step`,
    'NormalTerminationImpossibleError',
  );
}

async function signalAndWait(
  host: string,
  platform: NodeJS.Platform,
  target: MemberProcessRef,
  signal: NodeJS.Signals,
  timeoutMs: number,
  whileWaiting?: () => void,
): Promise<boolean> {
  if (!sameName(target.host, host)) {
    throw ApplicationFailure.nonRetryable(`this agent runs on ${host}, not ${target.host} where ${target.member} runs: refusing to act for another host`, 'InvalidEffectError');
  }
  checkPid(host, target);
  if (!isProcessAlive(target.pid)) return false;
  checkNormalTerminationPossible(host, target, signal, platform);
  try {
    process.kill(target.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  const until = Date.now() + timeoutMs;
  while (isProcessAlive(target.pid)) {
    if (Date.now() >= until) throw new MemberWontStopError(`${target.member} (pid ${target.pid}) on ${host} did not exit within ${timeoutMs} ms of ${signal}`);
    whileWaiting?.();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/** SIGTERM or SIGKILL to a member's process on this host (of `platform`), waiting until it has exited. */
export function localMemberProcesses(host: string, platform: NodeJS.Platform = process.platform): MemberProcessControl {
  return {
    terminate: async (target, timeoutMs, whileWaiting) => ((await signalAndWait(host, platform, target, 'SIGTERM', timeoutMs, whileWaiting)) ? 'terminated' : 'already-gone'),
    kill: async (target, timeoutMs, whileWaiting) => ((await signalAndWait(host, platform, target, 'SIGKILL', timeoutMs, whileWaiting)) ? 'killed' : 'already-gone'),
  };
}
