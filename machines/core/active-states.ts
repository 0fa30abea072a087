/**
 * The state nodes a snapshot is in, read through XState's public API (its state value walked
 * through `machine.root.states`), so that what shows where a procedure is cannot silently break
 * on an XState upgrade the way a read of its internals could.
 */
import type { AnyStateMachine, AnyStateNode, StateValue } from 'xstate';

/** The active state nodes, from the root inwards (document order). */
export function activeStateNodes(machine: AnyStateMachine, value: StateValue): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode, inner: StateValue | undefined) => {
    nodes.push(node);
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
  visit(machine.root, value);
  return nodes;
}
