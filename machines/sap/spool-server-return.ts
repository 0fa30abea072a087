/**
 * A spool server back in service after its shutdown (docs/sap-spool-work-processes.md#back-in-service):
 * the operator's way out of a shutdown that cannot finish or is no longer wanted, without losing a
 * request. Holding, the server starts again the tasks it kept; shut down, it takes tasks again.
 * Where requests left it for the target already, the operator says first that they looked there
 * (`movedRequestsChecked`): a round that failed partway may have given the target requests still
 * kept here (back here they would print twice), and a set-sequence device's requests kept here,
 * or given here anew, could print before its earlier ones still waiting on the target. A request
 * that moved and is given here again is refused naming the target (the dispatcher remembers them).
 *
 * Pure, so the durable dispatcher and the tests share the rules.
 */
import { z } from 'zod';
import { operatorNoteSchema, type SpoolServerShutdown } from './spool-shutdown';

/** What the operator asks: who and why (kept in the status), and the consent a partly moved shutdown needs. */
export const returnToServiceInputSchema = z.strictObject({
  operator: operatorNoteSchema.optional(),
  reason: operatorNoteSchema.optional(),
  /** The operator looked at the target: requests went there (or may have), and back here the server prints what it kept. */
  movedRequestsChecked: z.literal(true, { error: 'must be true when given (leave it out to be asked)' }).optional(),
});
export type ReturnToServiceInput = z.infer<typeof returnToServiceInputSchema>;

/** A shutdown the operator ended by bringing the server back, as the status keeps it. */
export interface EndedShutdown extends SpoolServerShutdown {
  /** When it was ended, by whom and why. */
  returnedAt: string;
  returnedBy?: string;
  returnReason?: string;
}

/** True when requests of the server may be on the target already and kept here too: the last round failed partway (or, carried over from before that was kept, the target is fixed). */
export function mayBeOnTheTarget(shutdown: SpoolServerShutdown): boolean {
  return shutdown.phase === 'holding' && shutdown.targetFixed === true && shutdown.partlyGiven !== false;
}

/** True when requests left the server for the target (or may have): a round gave some, or failed partway (a whole round that had none to give moved nothing). */
export function requestsLeft(shutdown: SpoolServerShutdown): boolean {
  return shutdown.reassigned > 0 || mayBeOnTheTarget(shutdown);
}

/**
 * Why the server cannot come back now, naming the field where it is one, or null. Not without a
 * shutdown; not while a round of the move runs or is about to (`moving`: requests are on their
 * way); not, without `movedRequestsChecked`, once requests left for the target.
 */
export function returnToServiceRefusalOf(server: string, shutdown: SpoolServerShutdown | null, input: ReturnToServiceInput, moving = false): string | null {
  if (!shutdown) return `spool server ${server} is in service: it has no shutdown to end`;
  if (moving) return `the requests of ${server} are being given to ${shutdown.reassignTo} now: ask again once this round of the move has ended`;
  if (input.movedRequestsChecked === true || !requestsLeft(shutdown)) return null;
  const ask = `look there first (sap status), then ask again with movedRequestsChecked: true`;
  if (mayBeOnTheTarget(shutdown)) {
    return `movedRequestsChecked: requests of ${server} may be on ${shutdown.reassignTo} already (${shutdown.lastFailure ?? 'a round of the move failed partway'}); back in service ${server} prints every request it still has, and one that reached ${shutdown.reassignTo} would print there too: ${ask}`;
  }
  return `movedRequestsChecked: ${shutdown.reassigned} requests of ${server} went to ${shutdown.reassignTo}; back in service ${server} prints what it kept and takes new tasks, and a set-sequence device's request printed here could come before its earlier ones still waiting on ${shutdown.reassignTo}: ${ask}`;
}

/** The shutdown as ended now, for the status. */
export function endedShutdown(shutdown: SpoolServerShutdown, input: ReturnToServiceInput, now: string): EndedShutdown {
  return { ...shutdown, returnedAt: now, ...(input.operator ? { returnedBy: input.operator } : {}), ...(input.reason ? { returnReason: input.reason } : {}) };
}
