/**
 * What a fleet rollout asks the Temporal server through the worker's own client: whether each of
 * its running group procedures is halted now. A halted procedure does not end (it waits for the
 * operator), so the rollout learns of it only by asking; the procedure workflow itself is left
 * as it is (no signal to its parent), so its recorded histories stay valid. Only reads.
 */
import { Context } from '@temporalio/activity';
import type { ProcedureStatus } from '../../workflows/operator-messages';

export interface GroupProcedureLook {
  workflowId: string;
  /** `unknown`: it did not answer (ended meanwhile, or its worker is away); the rollout keeps what it knew. */
  status: 'halted' | 'running' | 'unknown';
  /** The halt's reason, when halted. */
  reason?: string;
}

export function createRolloutActivities() {
  return {
    /** Asks each procedure's `status`; never fails for one that does not answer. */
    async lookAtGroupProcedures(workflowIds: string[]): Promise<GroupProcedureLook[]> {
      const client = Context.current().client;
      return Promise.all(
        workflowIds.map(async (workflowId): Promise<GroupProcedureLook> => {
          try {
            const status = await client.workflow.getHandle(workflowId).query<ProcedureStatus>('status');
            if (status.status === 'halted') return { workflowId, status: 'halted', ...(status.halt ? { reason: `${status.halt.title}: ${status.halt.reason}` } : {}) };
            return { workflowId, status: 'running' };
          } catch {
            return { workflowId, status: 'unknown' };
          }
        }),
      );
    },
  };
}

export type RolloutActivities = ReturnType<typeof createRolloutActivities>;
