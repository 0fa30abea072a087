/**
 * The frame every SPOC procedure machine shares: preconditions on every host it touches, its
 * blocks, and the abort that starts again what was stopped. A scenario file says only what is
 * its own: its input, its blocks in runbook order, and what the operator must know at the end.
 */
import { setup } from 'xstate';
import type { Effect } from '../core/effects';
import type { StateConfig } from '../core/haltable-step';
import { PARALLEL_HOST_GUARDS } from '../core/parallel-host-steps';
import { ABORT_RESTORE_GUARDS, abortRestoreStates } from './abort-restore-steps';
import { abortTransition, PRECONDITION_GUARDS, preconditionStates, PRECONDITIONS_START } from './precondition-steps';
import { BLOCK_DELAYS, BLOCK_GUARDS, BlockContext } from './spoc-group-blocks';
import { SCENARIO_BLOCK_GUARDS } from './spoc-scenario-blocks';
import type { SpocMember, WaitsOverride } from './spoc-group-input';
import { recordedWaitsOverride } from './wait-floors';
import { initialSpocContext } from './spoc-procedure-context';
import { spocProcedureOutput, SpocProcedureOutput } from './spoc-procedure-output';

export interface ScenarioContext<I> extends BlockContext {
  input: I & BlockContext['input'] & { loadOverride?: { operator: string; reason: string }; waitsOverride?: WaitsOverride };
}

export interface ScenarioDefinition<I> {
  id: string;
  description: string;
  /** Every SPOC the scenario touches, for the preconditions. */
  spocsOf: (input: I) => SpocMember[];
  /** The services the scenario controls by role on a SPOC (the preflight checks they exist); default all three. */
  roleServicesOf?: (input: I, spoc: SpocMember) => string[];
  /** The group(s) named in the result. */
  groupOf: (input: I) => string;
  /** The first state of the scenario's blocks. */
  first: string;
  /** The scenario's states; they end in the sibling state `completed`. */
  states: Record<string, StateConfig>;
  /** What the operator must know when it completed. */
  notes?: (c: ScenarioContext<I>) => string[];
  /** What the operator must know when it was aborted. */
  abortNotes?: (c: ScenarioContext<I>) => string[];
  /** Descriptions of the final states, in the operator's words. */
  completedDescription?: string;
  /** Context fields of the scenario's own steps, at the start. */
  extraContext?: () => Record<string, unknown>;
  /** Guards of the scenario's own choices, by name so a chart shows them, besides the blocks' ones. */
  guards?: Record<string, ({ context }: { context: never }) => boolean>;
  /** `after` delays of the scenario's own steps, besides the blocks' ones. */
  delays?: Record<string, ({ context }: { context: never }) => number>;
}

export function scenarioMachine<I>(def: ScenarioDefinition<I>) {
  type C = ScenarioContext<I>;
  return setup({
    types: { context: {} as C, input: {} as C['input'], output: {} as SpocProcedureOutput },
    actions: {
      /** Performed by the workflow runtime, never by the machine. */
      effect: (_args, _effect: Effect) => undefined,
    },
    // Every guard the shared blocks name, so any scenario may use any block.
    guards: { ...PARALLEL_HOST_GUARDS, ...PRECONDITION_GUARDS, ...BLOCK_GUARDS, ...SCENARIO_BLOCK_GUARDS, ...ABORT_RESTORE_GUARDS, ...(def.guards ?? {}) },
    delays: { ...BLOCK_DELAYS, ...(def.delays ?? {}) },
  }).createMachine({
    id: def.id,
    description: def.description,
    context: ({ input }) => ({ ...initialSpocContext(input.loadOverride ?? null), input, memberIndex: 0, cachesDeleted: [], ...(def.extraContext?.() ?? {}) }),
    initial: 'procedure',
    states: {
      procedure: {
        initial: PRECONDITIONS_START,
        on: abortTransition('aborting'),
        states: {
          ...preconditionStates<C>({
            spocsOf: (c) => def.spocsOf(c.input as I),
            ...(def.roleServicesOf ? { roleServicesOf: (c: C, spoc: SpocMember) => def.roleServicesOf?.(c.input as I, spoc) ?? [] } : {}),
            next: def.first,
          }),
          ...def.states,
          completed: { type: 'final' },
        },
        onDone: { target: 'completed' },
      },
      aborting: abortRestoreStates<C>('aborted'),
      completed: { type: 'final', description: def.completedDescription ?? 'The scenario is complete.' },
      aborted: { type: 'final', description: 'Aborted; what this procedure stopped was started again (see the result).' },
    },
    output: ({ context }) =>
      spocProcedureOutput(
        context,
        context.abortReason === null ? 'completed' : 'aborted',
        def.groupOf(context.input as I),
        context.abortReason === null ? (def.notes?.(context) ?? []) : (def.abortNotes?.(context) ?? []),
        // The input's override, like the load override: a run with shortened waits says so in its result.
        recordedWaitsOverride(context.input),
      ),
  });
}
