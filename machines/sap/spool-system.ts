/**
 * The spool servers of one system together: each server dispatches by itself
 * (spool-dispatcher.ts), and global management is done by at most one work process in the
 * whole system at a time, so a server sees whether another one runs a global task.
 */
import { Dispatch, dispatch, finish, runsGlobalManagement, SpoolServerState, submit, SystemView } from './spool-dispatcher';
import type { SpoolTask } from './spool-tasks';

export interface SpoolSystemState {
  servers: SpoolServerState[];
}

export interface ServerDispatch {
  server: string;
  dispatch: Dispatch;
}

export interface SystemResult {
  system: SpoolSystemState;
  dispatches: ServerDispatch[];
}

export function viewFrom(system: SpoolSystemState, server: string): SystemView {
  return { globalManagementElsewhere: system.servers.some((s) => s.server !== server && runsGlobalManagement(s)) };
}

function serverNamed(system: SpoolSystemState, server: string): SpoolServerState {
  const found = system.servers.find((s) => s.server === server);
  if (!found) throw new Error(`no spool server ${server} in the system (${system.servers.map((s) => s.server).join(', ')})`);
  return found;
}

function replace(system: SpoolSystemState, state: SpoolServerState): SpoolSystemState {
  return { servers: system.servers.map((s) => (s.server === state.server ? state : s)) };
}

/** Every server dispatches again: a global task that ended on one may now start on another. */
function dispatchAll(system: SpoolSystemState, first: ServerDispatch[]): SystemResult {
  let current = system;
  const dispatches = [...first];
  for (const { server } of system.servers) {
    const result = dispatch(serverNamed(current, server), viewFrom(current, server));
    current = replace(current, result.state);
    dispatches.push(...result.dispatches.map((d) => ({ server, dispatch: d })));
  }
  return { system: current, dispatches };
}

export function submitTo(system: SpoolSystemState, server: string, task: SpoolTask): SystemResult {
  const result = submit(serverNamed(system, server), task, viewFrom(system, server));
  return dispatchAll(replace(system, result.state), result.dispatches.map((d) => ({ server, dispatch: d })));
}

export function finishOn(system: SpoolSystemState, server: string, workProcess: number, taskId: string): SystemResult {
  const result = finish(serverNamed(system, server), workProcess, taskId, viewFrom(system, server));
  return dispatchAll(replace(system, result.state), result.dispatches.map((d) => ({ server, dispatch: d })));
}
