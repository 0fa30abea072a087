/**
 * What a spool server's dispatcher shows an operator on its run's page in the Temporal Web UI
 * (Current Details, markdown): whether the server is in service, holding for its shutdown or shut
 * down and where its requests went, what its work processes do and what waits, and the Update that
 * changes it. Pure, so the tests read it without a server; the dispatcher sets it as it goes on.
 */
import type { SpoolServerState } from './spool-dispatcher';
import { requestsLeft, type EndedShutdown } from './spool-server-return';
import type { SpoolServerShutdown } from './spool-shutdown';

export interface SpoolServerDetailsInput {
  system: string;
  state: SpoolServerState;
  holdsGlobalManagement: boolean;
  shutdown: SpoolServerShutdown | null;
  lastShutdown?: EndedShutdown;
}

/** "by ann: spool2 is gone", "by ann", "" */
function whoAndWhy(operator?: string, reason?: string): string {
  return `${operator ? ` by ${operator}` : ''}${reason ? `${operator ? ':' : ' because'} ${reason}` : ''}`;
}

function phaseLine(server: string, shutdown: SpoolServerShutdown | null, lastShutdown?: EndedShutdown): string {
  if (!shutdown) {
    const back = lastShutdown ? ` (back after a shutdown since ${lastShutdown.returnedAt}${whoAndWhy(lastShutdown.returnedBy, lastShutdown.returnReason)})` : '';
    return `In service${back}: Update \`sap.shutDownSpoolServer\` shuts it down, its output requests going to another spool server.`;
  }
  const asked = `asked ${shutdown.askedAt}${whoAndWhy(shutdown.operator, shutdown.reason)}`;
  if (shutdown.phase === 'shut-down') {
    const consent = requestsLeft(shutdown) ? ` (with \`movedRequestsChecked\`, once you have looked at ${shutdown.reassignTo})` : '';
    return `**Shut down** since ${shutdown.shutDownAt ?? shutdown.askedAt} (${asked}): ${shutdown.reassigned} output requests went to **${shutdown.reassignTo}**, and new tasks are refused naming it. Update \`sap.returnSpoolServerToService\` brings ${server} back${consent}.`;
  }
  const failure = shutdown.lastFailure ? ` Last try: ${shutdown.lastFailure}.` : '';
  return `**Holding** for its shutdown (${asked}): it starts nothing new; its output requests go to **${shutdown.reassignTo}** once no set-sequence request prints here (${shutdown.reassigned} moved so far).${failure}`;
}

/** The dispatcher's current details. */
export function spoolServerDetails(input: SpoolServerDetailsInput): string {
  const { state } = input;
  const busy = state.workProcesses.filter((wp) => wp.running !== null).length;
  const queued = state.workProcesses.reduce((n, wp) => n + wp.inputQueue.length, 0);
  const refused = input.shutdown ? (input.shutdown.notReassignedCount ?? input.shutdown.notReassigned.length) : 0;
  const lines = [
    `**Spool server ${state.server}** of SAP system **${input.system}** (release step ${state.step})`,
    '',
    phaseLine(state.server, input.shutdown, input.lastShutdown),
    '',
    `Work processes: ${state.workProcesses.length}, ${busy} busy; ${state.waiting.length} tasks in the dispatch queue, ${queued} in work processes' input queues.${input.holdsGlobalManagement ? ' Holds the global management slot of the system.' : ''}`,
  ];
  if (refused > 0) lines.push('', `**${refused} output requests refused by ${input.shutdown?.reassignTo ?? 'the other server'}**, listed under \`shutdown.notReassigned\` in the status: give them again.`);
  return lines.join('\n');
}
