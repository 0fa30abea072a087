/**
 * The input of a spool server's durable dispatcher (docs/sap-spool-work-processes.md#the-durable-dispatcher):
 * which server of which system, its release and its spool work processes. Refused with the field
 * named before the dispatcher starts.
 */
import { z } from 'zod';
import { parseInput } from '../core/input-errors';
import { MAX_TASKS_HELD } from './spool-dispatcher';
import { parseRelease, UnknownReleaseError } from './spool-releases';

/** A spool server's name (an instance of the system). */
export const spoolServerNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(60, 'must be at most 60 characters')
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and - only, starting with a letter or digit');

/**
 * An SAP system by its SID, in lower case: three letters or digits, the first a letter (SAP's own
 * rule for a SID). Being three characters long, it ends where the dispatcher's workflow id and the
 * work processes' queue join it to a server's name: with a longer one `prd` + `eu-spool1` and
 * `prd-eu` + `spool1` would be one dispatcher and one queue, and a task or a shutdown meant for one
 * server would reach the other.
 */
export const systemIdSchema = z.string().regex(/^[a-z][a-z0-9]{2}$/, 'must be the SAP system id (SID) in lower case: three letters or digits, the first a letter (e.g. prd)');

export const spoolDispatcherInputSchema = z.strictObject({
  /** The SAP system (its SID in lower case): global management is one work process across its spool servers. */
  system: systemIdSchema,
  /** The spool server (an instance with spool work processes). */
  server: spoolServerNameSchema,
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

/**
 * The input as a dispatcher's run continued from one begun before the SID rule takes it: the system
 * as any server name, so that a dispatcher already running under a longer name goes on.
 */
const continuedDispatcherInputSchema = spoolDispatcherInputSchema.extend({ system: spoolServerNameSchema });

/** The dispatcher's input; `underOlderRule` for a run that began before the system had to be a SID. */
export function parseSpoolDispatcherInput(input: unknown, opts: { underOlderRule?: boolean } = {}): SpoolDispatcherInput {
  return parseInput(opts.underOlderRule ? continuedDispatcherInputSchema : spoolDispatcherInputSchema, 'sap spool dispatcher', input);
}

const spoolServerAddressSchema = z.strictObject({ system: systemIdSchema, server: spoolServerNameSchema });

/**
 * Checks the system and server a caller names (a task given, a shutdown, a status) before
 * anything is sent, naming the field and the rule: an InvalidInputError.
 */
export function checkSpoolServerAddress(system: string, server: string): void {
  parseInput(spoolServerAddressSchema, `spool server ${server} of ${system}`, { system, server });
}

/** The dispatcher's workflow id: one per spool server of a system. */
export function spoolDispatcherWorkflowId(system: string, server: string): string {
  return `sap-spool-dispatcher-${system}-${server}`;
}

/** The workflow id that only the work process doing global management in the system may run under. */
export function globalManagementWorkflowId(system: string): string {
  return `sap-spool-global-management-${system}`;
}
