/**
 * Ends a JobScheduler member's process on this host, for the supervisor's normal termination: the
 * cluster database says which process (pid) and on which host; a member of another host is
 * refused, the agent acts only on its own.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MemberWontStopError, type MemberProcessControl, type MemberProcessRef } from '../activities/jobscheduler/member-process-control';
import { isProcessAlive } from '../engine/process-alive';
import { sameName } from '../machines/core/names';

const POLL_MS = 100;

async function signalAndWait(host: string, target: MemberProcessRef, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  if (!sameName(target.host, host)) {
    throw ApplicationFailure.nonRetryable(`this agent runs on ${host}, not ${target.host} where ${target.member} runs: refusing to act for another host`, 'InvalidEffectError');
  }
  if (!isProcessAlive(target.pid)) return false;
  try {
    process.kill(target.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  const until = Date.now() + timeoutMs;
  while (isProcessAlive(target.pid)) {
    if (Date.now() >= until) throw new MemberWontStopError(`${target.member} (pid ${target.pid}) on ${host} did not exit within ${timeoutMs} ms of ${signal}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/** SIGTERM or SIGKILL to a member's process on this host, waiting until it has exited. */
export function localMemberProcesses(host: string): MemberProcessControl {
  return {
    terminate: async (target, timeoutMs) => ((await signalAndWait(host, target, 'SIGTERM', timeoutMs)) ? 'terminated' : 'already-gone'),
    kill: async (target, timeoutMs) => ((await signalAndWait(host, target, 'SIGKILL', timeoutMs)) ? 'killed' : 'already-gone'),
  };
}
