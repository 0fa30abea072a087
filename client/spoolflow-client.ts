/**
 * The typed client of spoolflow, for the CLI and for other systems: plan a procedure, start it,
 * ask where it is, send operator commands, wait for its result. Input is validated with the
 * procedure's zod schema before anything reaches Temporal (client/procedure-modules.ts, which loads
 * that procedure's schema alone, by `start` only, so asking a status stays quick).
 */
import { Client, WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import type { OperatorCommand, ProcedureStatus, statusQuery } from '../workflows/operator-messages';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import type { FLEET_ROLLOUT } from '../machines/fleet/fleet-rollout';
import { printJobWorkflowId } from '../machines/flexispooler/print-job-workflow-id';

/** The procedure did not accept an operator command (wrong moment, or invalid). */
export class OperatorCommandRefusedError extends Error {
  override readonly name = 'OperatorCommandRefusedError';
}

export interface StartedProcedure {
  workflowId: string;
  runId: string;
}

/**
 * The status query's name (workflows/operator-messages.ts `statusQuery`, which the type ties it to):
 * asked by name, so a status loads neither zod nor the operator commands' schema.
 */
export const STATUS_QUERY: (typeof statusQuery)['name'] = 'status';

/** The fleet rollout's id (machines/fleet/fleet-rollout.ts, tied by type): its input schema loads only when one starts. */
const FLEET_ROLLOUT_ID: (typeof FLEET_ROLLOUT)['id'] = 'fleet-rollout';

/**
 * The workflow id of a procedure: one per SPOC group, so the server itself refuses a second
 * procedure on a group while one runs there.
 */
export function workflowIdFor(procedureId: string, input: { group?: string; from?: { group?: string }; cluster?: { cluster?: string }; client?: string; job?: { id?: string } }): string {
  // One delivery per print job: the id names the client and the job.
  if (procedureId === 'deliver-print-job' && input.client && input.job?.id) return printJobWorkflowId(input.client, input.job.id);
  // One supervisor per cluster, one procedure per SPOC group at a time: the id says which.
  if (input.cluster?.cluster) return procedureId.startsWith('supervise-') ? `jobscheduler-cluster-${input.cluster.cluster}` : `jobscheduler-cluster-${input.cluster.cluster}-${procedureId}`;
  const group = input.group ?? input.from?.group;
  if (group) return `spoc-group-${group}`;
  // One OS restart of standalone SPOCs at a time: two could restart the same server twice.
  if (procedureId === 'restart-os-of-standalone-spocs') return 'spoc-standalone-os-restart';
  return `${procedureId}-${Date.now()}`;
}

/** How {@link SpoolflowClient.follow} follows a procedure. */
export interface FollowOptions {
  /** Stop following when this holds; by default when the procedure is done, halted or refused. */
  until?: (status: ProcedureStatus) => boolean;
  /** How often to ask, in ms (default 1000). */
  intervalMs?: number;
  /** Called with each status that differs from the one before. */
  onChange?: (status: ProcedureStatus) => void;
}

const settled = (status: ProcedureStatus): boolean => status.status === 'done' || status.status === 'halted' || status.status === 'refused';

export class SpoolflowClient {
  constructor(readonly client: Client) {}

  async start(procedureId: string, input: unknown, opts: { workflowId?: string; memo?: Record<string, unknown> } = {}): Promise<StartedProcedure> {
    if (procedureId === FLEET_ROLLOUT_ID) {
      const { startRollout } = await import('./fleet-rollout-client');
      return startRollout(this.client, input, opts);
    }
    // Loaded here, and only this procedure's schema: the catalog (every machine and schema) is what
    // neither a start nor asking a status should pay for.
    const { validateStartInput } = await import('./procedure-modules');
    const { runDetails, runSummary } = await import('../workflows/run-description');
    const { procedure, input: parsed } = await validateStartInput(procedureId, input);
    const workflowId = opts.workflowId ?? workflowIdFor(procedureId, parsed as Parameters<typeof workflowIdFor>[1]);
    try {
      const handle = await this.client.workflow.start(procedure.workflowType, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId,
        // The input as given: the workflow validates it again and fills in the defaults itself.
        args: [input],
        // What the Web UI lists and heads the run with: the procedure, what it changes, its hosts.
        staticSummary: runSummary(procedure, parsed),
        staticDetails: runDetails(procedure, parsed),
        ...(opts.memo ? { memo: opts.memo } : {}),
      });
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
        throw new Error(`a procedure is already running as ${workflowId}; wait for it, or abort it first (spoolflow operator ${workflowId} abort)`, { cause: err });
      }
      throw err;
    }
  }

  handle(workflowId: string, runId?: string): WorkflowHandle {
    return this.client.workflow.getHandle(workflowId, runId);
  }

  async status(workflowId: string): Promise<ProcedureStatus> {
    return this.handle(workflowId).query<ProcedureStatus>(STATUS_QUERY);
  }

  /**
   * Follows a procedure, asking its status every interval, until `until` holds (by default: done,
   * halted or refused) or its run ended otherwise (failed, terminated); resolves with the last
   * status. `spoolflow watch` is the same for a person.
   */
  async follow(workflowId: string, opts: FollowOptions = {}): Promise<ProcedureStatus> {
    const until = opts.until ?? settled;
    let last: string | undefined;
    for (;;) {
      const [status, run] = await Promise.all([this.status(workflowId), this.handle(workflowId).describe()]);
      const seen = JSON.stringify({ ...status, timers: undefined });
      if (seen !== last) opts.onChange?.(status);
      last = seen;
      if (until(status) || run.status.name !== 'RUNNING') return status;
      await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 1000));
    }
  }

  /**
   * Sends an operator command, with who sends it and why when given (`operator`, `reason`: the
   * procedure records them). An invalid command throws InvalidInputError before anything is sent;
   * a refused one throws with the procedure's reason.
   */
  async command(workflowId: string, command: OperatorCommand): Promise<ProcedureStatus> {
    const { parseOperatorCommand } = await import('./operator-command');
    const { operatorUpdate } = await import('../workflows/operator-messages');
    const parsed = parseOperatorCommand(command);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.handle(workflowId).executeUpdate(operatorUpdate, { args: [parsed] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause) {
          throw new OperatorCommandRefusedError(`${workflowId} refused ${command.type}: ${err.cause.message}`);
        }
        // The workflow task that took the command failed because an event arrived meanwhile (an
        // activity finished); the command was not applied, and the next task takes it.
        if (attempt < 5 && isLostToWorkflowTaskFailure(err)) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        throw err;
      }
    }
  }

  async result(workflowId: string, runId?: string): Promise<unknown> {
    return this.handle(workflowId, runId).result();
  }
}

function isLostToWorkflowTaskFailure(err: unknown): boolean {
  const text = `${err instanceof Error ? err.message : ''} ${err instanceof Error && err.cause instanceof Error ? err.cause.message : ''}`;
  return /unexpected workflow task failure/i.test(text);
}
