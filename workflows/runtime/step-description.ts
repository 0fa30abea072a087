/**
 * The operator's words for where the machine is, shown in the workflow's current details: the
 * description of the innermost described state (a halted sub-state's "Halted: ..." is skipped, so
 * the step's own words show). Read through XState's public API only (the state value walked
 * through `machine.root.states`), so an XState upgrade cannot silently empty it.
 */
import type { AnyStateMachine, AnyStateNode, StateValue } from 'xstate';

/**
 * Once the machine is done, the outermost described state wins instead (the procedure's own
 * description): that is what the runtime has always shown for a finished procedure, and the
 * current details must not change under a running workflow.
 */
export function stepDescription(machine: AnyStateMachine, snapshot: { value: StateValue; status: string }): string | undefined {
  const described = activeDescriptions(machine.root, snapshot.value);
  const nearestFirst = snapshot.status === 'done' ? described : described.reverse();
  return nearestFirst.find((text) => !text.startsWith('Halted:'));
}

/** The descriptions of the active states, from the root inwards (document order). */
function activeDescriptions(root: AnyStateNode, value: StateValue): string[] {
  const texts: string[] = [];
  const visit = (node: AnyStateNode, inner: StateValue | undefined) => {
    if (node.description) texts.push(node.description);
    if (typeof inner === 'string') {
      const child = node.states[inner];
      if (child) visit(child, undefined);
    } else if (inner) {
      for (const [key, deeper] of Object.entries(inner)) {
        const child = node.states[key];
        if (child) visit(child, deeper);
      }
    }
  };
  visit(root, value);
  return texts;
}
