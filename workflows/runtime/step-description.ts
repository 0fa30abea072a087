/**
 * The operator's words for where the machine is, shown in the workflow's current details: the
 * description of the innermost described state (a halted sub-state's "Halted: ..." is skipped, so
 * the step's own words show). Read through XState's public API only (the state value walked
 * through `machine.root.states`), so an XState upgrade cannot silently empty it.
 */
import type { AnyStateMachine, StateValue } from 'xstate';
import { activeStateNodes } from '../../machines/core/active-states';

/**
 * Once the machine is done, the outermost described state wins instead (the procedure's own
 * description): that is what the runtime has always shown for a finished procedure, and the
 * current details must not change under a running workflow.
 */
export function stepDescription(machine: AnyStateMachine, snapshot: { value: StateValue; status: string }): string | undefined {
  const described = activeStateNodes(machine, snapshot.value).flatMap((node) => (node.description ? [node.description] : []));
  const nearestFirst = snapshot.status === 'done' ? described : described.reverse();
  return nearestFirst.find((text) => !text.startsWith('Halted:'));
}
