/**
 * A spool server back in service after its shutdown (docs/sap-spool-work-processes.md#back-in-service):
 * the operator's way out of a shutdown that cannot finish or is no longer wanted, without losing a
 * request. Holding, the server starts again the tasks it kept (they were never given away); shut
 * down, it takes tasks again (everything it had went to the other server). Only where requests may
 * be on the target already (a round of the move failed partway) could a request print on both
 * servers: there the operator says so first (`mayPrintTwice`), having looked on the target.
 *
 * Pure, so the durable dispatcher and the tests share the rules.
 */
import { z } from 'zod';
import type { SpoolServerShutdown } from './spool-shutdown';

const noteSchema = z.string().trim().min(1, 'must not be blank when given').max(500, 'must be at most 500 characters');

/** What the operator asks: who and why (kept in the status), and the consent a partly moved shutdown needs. */
export const returnToServiceInputSchema = z.strictObject({
  operator: noteSchema.optional(),
  reason: noteSchema.optional(),
  /** Requests of the server may be on the target already (a round failed partway): back here they print, and may print twice. */
  mayPrintTwice: z.literal(true, { error: 'must be true when given (leave it out to be asked)' }).optional(),
});
export type ReturnToServiceInput = z.infer<typeof returnToServiceInputSchema>;

/** A shutdown the operator ended by bringing the server back, as the status keeps it. */
export interface EndedShutdown extends SpoolServerShutdown {
  /** When it was ended, by whom and why. */
  returnedAt: string;
  returnedBy?: string;
  returnReason?: string;
}

/** True when requests of the server may be on the target already: the last round failed partway (or, carried over from before that was kept, the target is fixed). */
export function mayBeOnTheTarget(shutdown: SpoolServerShutdown): boolean {
  return shutdown.phase === 'holding' && shutdown.targetFixed === true && shutdown.partlyGiven !== false;
}

/**
 * Why the server cannot come back now, naming the field where it is one, or null. Not without a
 * shutdown; not while a round of the move runs (`moving`: requests are on their way); not, without
 * `mayPrintTwice`, where requests still here may be on the target already.
 */
export function returnToServiceRefusalOf(server: string, shutdown: SpoolServerShutdown | null, input: ReturnToServiceInput, moving = false): string | null {
  if (!shutdown) return `spool server ${server} is in service: it has no shutdown to end`;
  if (moving) return `the requests of ${server} are being given to ${shutdown.reassignTo} now: ask again once this round of the move has ended`;
  if (mayBeOnTheTarget(shutdown) && input.mayPrintTwice !== true) {
    return `mayPrintTwice: requests of ${server} may be on ${shutdown.reassignTo} already (${shutdown.lastFailure ?? 'a round of the move failed partway'}); back in service ${server} prints every request it still has, and one that reached ${shutdown.reassignTo} would print there too: look there first (sap status), then ask again with mayPrintTwice: true`;
  }
  return null;
}

/** The shutdown as ended now, for the status. */
export function endedShutdown(shutdown: SpoolServerShutdown, input: ReturnToServiceInput, now: string): EndedShutdown {
  return { ...shutdown, returnedAt: now, ...(input.operator ? { returnedBy: input.operator } : {}), ...(input.reason ? { returnReason: input.reason } : {}) };
}
