/**
 * The second argument of every procedure workflow: the state a run hands to the next one when it
 * continues as new. Only the runtime writes it, so it is accepted only in a run that continued as
 * new from the same workflow (Temporal sets `continuedFromExecutionRunId` for nothing else a user
 * can start), and validated even then. A run started with one by hand (the Web UI's start form,
 * the Temporal CLI, a client) fails before any step: a crafted "pending delete-cache" must never
 * reach a host.
 */
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { AnyStateMachine } from 'xstate';
import { z } from 'zod';
import { effectSchemaOf, isActionWord, type Effect } from '../../machines/actions';
import { describeIssues } from '../../machines/core/input-errors';
import type { MachineEvent } from '../../machines/core/machine-directives';
import type { OperatorCommandRecord, PathEntry } from '../operator-messages';

/** What a run hands to the next one when it continues as new. */
export interface ResumeState {
  value: unknown;
  context: unknown;
  /** Effects emitted but not yet started when the run continued as new. */
  pendingEffects: Effect[];
  timers: { id: string; event: MachineEvent; dueAt: number }[];
  path: PathEntry[];
  stepsTaken: number;
  /** The latest operator commands, for the result (older runs did not carry them). */
  operatorCommands?: OperatorCommandRecord[];
  /** How many operator commands were taken in all (older runs carried every command, and no count). */
  operatorCommandsTaken?: number;
}

const actionWord = z.string().refine(isActionWord, 'must be an action word of machines/actions.ts');

/**
 * A pending effect: an action word, and the fields its action's effect schema asks for. Fields
 * beyond them (the runtime's own) are kept as they are: the next run starts exactly what this one
 * would have.
 */
export const pendingEffectSchema = z.looseObject({ action: actionWord, step: z.string().min(1), title: z.string() }).check((ctx) => {
  if (!isActionWord(ctx.value.action)) return;
  const parsed = effectSchemaOf(ctx.value.action).safeParse(ctx.value);
  if (!parsed.success) {
    ctx.issues.push({ code: 'custom', message: `not a ${ctx.value.action} effect: ${describeIssues(parsed.error.issues)}`, input: ctx.value });
  }
});
const event = z.looseObject({ type: z.string().min(1) });

const resumeStateSchema = z.strictObject({
  value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  context: z.record(z.string(), z.unknown()),
  pendingEffects: z.array(pendingEffectSchema),
  timers: z.array(z.strictObject({ id: z.string().min(1), event, dueAt: z.number().finite() })),
  path: z.array(z.looseObject({ step: z.string(), action: z.string(), title: z.string(), startedAt: z.string() })),
  stepsTaken: z.number().int().min(0),
  operatorCommands: z.array(z.looseObject({ type: z.string(), at: z.string() })).optional(),
  operatorCommandsTaken: z.number().int().min(0).optional(),
});

/** The resume state if this run may take one, else a non-retryable failure saying why. */
export function acceptResumeState(machine: AnyStateMachine, resume: unknown): ResumeState | undefined {
  if (resume === undefined || resume === null) return undefined;
  const refuse = (why: string) => ApplicationFailure.nonRetryable(`refused before any step: ${why}`, 'InvalidResumeStateError');
  if (!workflowInfo().continuedFromExecutionRunId) {
    throw refuse('a procedure takes one argument, its input; the second (the resume state) is accepted only from a run of the same workflow that continued as new');
  }
  const parsed = resumeStateSchema.safeParse(resume);
  if (!parsed.success) throw refuse(`the resume state is malformed: ${describeIssues(parsed.error.issues)}`);
  try {
    machine.resolveState({ value: parsed.data.value as never, context: parsed.data.context });
  } catch (err) {
    throw refuse(`the resume state names no state of this procedure: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parsed.data as unknown as ResumeState;
}
