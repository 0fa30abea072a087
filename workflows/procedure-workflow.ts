/**
 * Turns a catalog entry into a workflow: validate the input (bad input fails the workflow at once,
 * before any step, with a message naming the field and the rule), accept a resume state only from
 * continue-as-new, take the procedure's leases (another procedure holding one of its hosts, groups
 * or clusters: refused, nothing touched), run its machine, release the leases.
 */
import { ApplicationFailure, ContinueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { Lease, leaseWorkflowId } from '../machines/core/leases';
import { ProcedureStatus, statusQuery } from './operator-messages';
import { leasesOf } from '../machines/procedure-starts';
import { procedureDefinition } from '../machines/procedure-modules';
import { InvalidInputError, parseInput } from '../machines/core/input-errors';
import { acquireLeases, currentHolder, releaseLeases, releaseLeasesAsLastAct } from './leases';
import { runSubject } from './run-description';
import { runMachine } from './runtime/machine-runtime';
import { acceptResumeState } from './runtime/resume-state';

export async function runProcedure(id: string, input: unknown, resumeArgument?: unknown): Promise<unknown> {
  const procedure = procedureDefinition(id);
  let parsed: unknown;
  try {
    parsed = parseInput(procedure.inputSchema, id, input);
  } catch (err) {
    if (err instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
  const resume = acceptResumeState(procedure.machine, resumeArgument);
  const { refusalOf } = procedure;
  // Leases taken since a change are asked of the run's own history: one recorded before took the others only.
  const leases = leasesOf(procedure, parsed, (change) => patched(change));
  const holder = currentHolder(id);
  let held = false;
  let continuing = false;
  try {
    return await runMachine(
      {
        procedure: id,
        machine: procedure.machine,
        summarize: (context) => procedure.summarize(context as never),
        ...(refusalOf ? { refusalOf: (context: unknown, command: { type: string }) => refusalOf(context as never, command) } : {}),
        hosts: procedure.hostsOf(parsed as never),
        subject: runSubject(procedure, parsed),
        historyEventLimit: historyEventLimitFromMemo(),
        hostPickupSeconds: (parsed as { waits?: { hostPickupSeconds?: number } }).waits?.hostPickupSeconds,
        inputForNextRun: input,
        beforeFirstStep: async () => {
          try {
            await acquireLeases(leases, holder);
            held = true;
          } catch (err) {
            // `status` of the refused run (a query of the failed run answers it) says why.
            const refusal = err instanceof ApplicationFailure ? err.message : String(err);
            setHandler(statusQuery, () => statusBeforeStart(id, leases, refusal));
            throw err;
          }
        },
      },
      parsed,
      resume,
    );
  } catch (err) {
    // Continuing as new keeps the leases: the next run of this chain holds them.
    continuing = err instanceof ContinueAsNew;
    throw err;
  } finally {
    if (held && !continuing) {
      // Runs that reach their end since the patch end in the task that asks for the releases.
      if (patched(RELEASES_AS_LAST_ACT_PATCH)) releaseLeasesAsLastAct(leases, holder);
      else await releaseLeases(leases, holder);
    }
  }
}

/**
 * The patch after which a procedure ends in the workflow task that asks for its leases' release,
 * without waiting for the server to deliver each (leases.ts, `releaseLeasesAsLastAct`). Asked only
 * at the end: a run recorded before it replays its wait for the deliveries.
 */
export const RELEASES_AS_LAST_ACT_PATCH = 'procedure-releases-leases-as-its-last-act';

/** `status` after a refusal: the procedure ended before any step, and why. */
function statusBeforeStart(procedure: string, leases: Lease[], refusal: string): ProcedureStatus {
  return {
    procedure,
    state: 'takeLeases',
    step: 'takeLeases',
    status: 'refused',
    halt: { step: 'takeLeases', title: 'Take the leases on its hosts and groups', reason: refusal, errorType: 'LeaseHeldError', options: [] },
    accepts: [],
    summary: { leases: leases.map(leaseWorkflowId) },
    path: [],
    stepsTaken: 0,
    timers: [],
    inFlight: [],
  };
}

/**
 * Continue-as-new threshold: the server's suggestion, or earlier when the memo asks for it
 * (`spoolflowHistoryEventLimit`), which tests and benchmarks use to exercise continue-as-new.
 */
function historyEventLimitFromMemo(): number | undefined {
  const value = workflowInfo().memo?.[HISTORY_LIMIT_MEMO];
  return typeof value === 'number' && value >= 20 ? value : undefined;
}

export const HISTORY_LIMIT_MEMO = 'spoolflowHistoryEventLimit';
