/**
 * The input of a spool server's durable dispatcher (docs/sap-spool-work-processes.md#the-durable-dispatcher):
 * which server of which system, its release and its spool work processes. Refused with the field
 * named before the dispatcher starts.
 */
import { z } from 'zod';
import { parseInput } from '../core/input-errors';
import { MAX_TASKS_HELD } from './spool-dispatcher';
import { parseRelease, UnknownReleaseError } from './spool-releases';

const nameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(60, 'must be at most 60 characters')
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and - only, starting with a letter or digit');

export const spoolDispatcherInputSchema = z.strictObject({
  /** The SAP system (its SID in lower case): global management is one work process across its spool servers. */
  system: nameSchema,
  /** The spool server (an instance with spool work processes). */
  server: nameSchema,
  /** Its R/3 or SAP_BASIS release: which tasks there are. */
  release: z.string().superRefine((release, ctx) => {
    try {
      parseRelease(release);
    } catch (err) {
      if (!(err instanceof UnknownReleaseError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message.replace(/^--release /, '') });
    }
  }),
  /** rdisp/wp_no_spo: the spool work processes of the instance. */
  workProcesses: z.number().int('must be a whole number').min(1, 'at least 1').max(64, 'at most 64'),
  /** rdisp/wp_no_spo_Fro_max (default 1). */
  froMax: z.number().int('must be a whole number').min(1, 'at least 1').max(64, 'at most 64').default(1),
  /** The most tasks the server holds not yet done; a new one past it is refused until some are done (spool-dispatcher.ts). */
  maxTasksHeld: z.number().int('must be a whole number').min(1, 'at least 1').max(MAX_TASKS_HELD, `at most ${MAX_TASKS_HELD}: the dispatcher carries its tasks from run to run`).default(MAX_TASKS_HELD),
  timings: z
    .strictObject({
      /** A work process that does not heartbeat for this long is dead: its task runs again elsewhere. */
      heartbeatTimeoutSeconds: z.number().min(1).max(600).default(10),
      /** A management task that runs longer ends as timed out and frees its work process (a hanging host spool demand). */
      managementTimeoutSeconds: z.number().min(1).max(86_400).default(3600),
      /** How soon to ask again for global management while another server has it. */
      globalRetrySeconds: z.number().min(0.05).max(600).default(5),
      /** How often the global management slot looks whether its holder still runs. */
      globalSlotCheckSeconds: z.number().min(0.2).max(3600).default(30),
      /** Continue as new after this many history events. */
      continueAsNewAfterEvents: z.number().int().min(100).max(40_000).default(4000),
    })
    .default({ heartbeatTimeoutSeconds: 10, managementTimeoutSeconds: 3600, globalRetrySeconds: 5, globalSlotCheckSeconds: 30, continueAsNewAfterEvents: 4000 }),
});
export type SpoolDispatcherInput = z.infer<typeof spoolDispatcherInputSchema>;

export function parseSpoolDispatcherInput(input: unknown): SpoolDispatcherInput {
  return parseInput(spoolDispatcherInputSchema, 'sap spool dispatcher', input);
}

/** The dispatcher's workflow id: one per spool server of a system. */
export function spoolDispatcherWorkflowId(system: string, server: string): string {
  return `sap-spool-dispatcher-${system}-${server}`;
}

/** The workflow id that only the work process doing global management in the system may run under. */
export function globalManagementWorkflowId(system: string): string {
  return `sap-spool-global-management-${system}`;
}
