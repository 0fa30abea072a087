/**
 * What a procedure's run is about, in the operator's words, for the Temporal Web UI: the run's
 * summary and details (user metadata, set by whoever starts it: client/spoolflow-client.ts) and the
 * line the workflow's current details open with, so a run started from the Web UI's own start form,
 * which carries no summary, still says what it changes. Pure: the client and the workflow share it;
 * it reads what starting a procedure needs (machines/procedure-starts.ts), not the catalog's machines.
 */
import { leasesOf, type ProcedureStart } from '../machines/procedure-starts';
import { describeLease } from '../machines/core/leases';
import { CENTRAL_TASK_QUEUE } from './task-queues';

/** What the procedure changes or watches besides its hosts ("SPOC group london"), with its hosts. */
export function runSubject(procedure: ProcedureStart, input: unknown): string {
  const hosts = procedure.hostsOf(input as never);
  const changes = leasesOf(procedure, input).filter((l) => l.kind !== 'host').map(describeLease);
  const what = changes.length > 0 ? changes.join(', ') : hosts.join(', ');
  return changes.length > 0 && hosts.length > 0 ? `${what} (${hosts.join(', ')})` : what;
}

/** e.g. "restart-group-without-cache-deletion: SPOC group london (spoc-lon-1, spoc-lon-2)". */
export function runSummary(procedure: ProcedureStart, input: unknown): string {
  const subject = runSubject(procedure, input);
  return subject ? `${procedure.id}: ${subject}` : procedure.id;
}

/** Markdown for the run's details: the procedure in words, what it changes, its hosts. */
export function runDetails(procedure: ProcedureStart, input: unknown): string {
  const hosts = procedure.hostsOf(input as never);
  const changes = leasesOf(procedure, input).filter((l) => l.kind !== 'host').map(describeLease);
  return [
    `**${procedure.description}**`,
    '',
    `Procedure \`${procedure.id}\` (workflow type \`${procedure.workflowType}\`, task queue \`${CENTRAL_TASK_QUEUE}\`).`,
    ...(changes.length > 0 ? ['', `Changes: ${changes.join(', ')}.`] : []),
    ...(hosts.length > 0 ? ['', 'Hosts, in the order of the input:', '', ...hosts.map((h) => `- \`${h}\``)] : []),
    '',
    'Where it is now: the current details below; operator commands: the Update `operator`.',
  ].join('\n');
}
