/**
 * The workflows the central worker registers: one per catalog procedure, named by its workflow
 * type. Each takes the procedure's input (JSON from the Web UI or the client) and, when it
 * continued as new, the state it resumes from.
 */
import type { ResumeState } from './machine-runtime';
import { runProcedure } from './procedure-workflow';

/** Restart a SPOC group without cache deletion (catalog id restart-group-without-cache-deletion). */
export async function restartGroupWithoutCacheDeletion(input: unknown, resume?: ResumeState): Promise<unknown> {
  return runProcedure('restart-group-without-cache-deletion', input, resume);
}

/** Restart a SPOC group with cache deletion (catalog id restart-group-with-cache-deletion). */
export async function restartGroupWithCacheDeletion(input: unknown, resume?: ResumeState): Promise<unknown> {
  return runProcedure('restart-group-with-cache-deletion', input, resume);
}
