/**
 * The cancellation scopes the runtime's second version (runtime-version.ts) runs effects in. A
 * scope exists so the runtime can cancel one effect; once its activity has settled without being
 * cancelled, the scope can serve the next effect: cancelling it then cancels only what runs in it
 * now (the SDK asks to cancel an activity only while it is still in flight). Creating a scope and
 * entering it cost a workflow five promises, each with a stack trace the SDK records, so a run
 * that takes one step at a time needs one scope, not one per step.
 *
 * A scope is entered without a promise: `AsyncLocalStorage.snapshot()` (Node's API, under which
 * the SDK keeps the current scope) taken once inside the scope runs any later call in it,
 * synchronously.
 */
import * as wf from '@temporalio/workflow';

/** A scope collects one cancellation handler per activity it ran: retired after this many, so none grows without bound. */
export const SCOPE_USES = 100;

/** Items lent one at a time and given back for reuse while `reusable` says so, each at most `maxUses` times. */
export class ReusePool<T> {
  private readonly idle: { item: T; uses: number }[] = [];
  private readonly uses = new Map<T, number>();

  constructor(
    private readonly create: () => T,
    private readonly maxUses: number,
  ) {}

  take(): T {
    const lent = this.idle.pop() ?? { item: this.create(), uses: 0 };
    this.uses.set(lent.item, lent.uses + 1);
    return lent.item;
  }

  /** Gives `item` back; it is lent again only when `reusable` and not used up. */
  giveBack(item: T, reusable: boolean): void {
    const uses = this.uses.get(item);
    if (uses === undefined) return;
    this.uses.delete(item);
    if (reusable && uses < this.maxUses) this.idle.push({ item, uses });
  }
}

/** A cancellation scope and a way to call code in it now. */
export interface EffectScope {
  scope: wf.CancellationScope;
  runIn<T>(fn: () => T): T;
}

/** Calls a function in the execution context captured when it was made. */
export type ContextSnapshot = <T>(fn: () => T) => T;

/** The current execution context (the cancellation scope, an update's context), to call code in later. */
export function captureContext(): ContextSnapshot {
  return (wf.AsyncLocalStorage as unknown as { snapshot(): ContextSnapshot }).snapshot();
}

/** A new cancellable scope under the current one (the workflow's root scope for the runtime's loop). */
export function newEffectScope(): EffectScope {
  const scope = new wf.CancellationScope();
  let runIn: ContextSnapshot | undefined;
  // The function runs synchronously inside the scope, where the snapshot captures it as current.
  void scope.run(() => {
    runIn = captureContext();
    return Promise.resolve();
  });
  if (!runIn) throw new Error('the cancellation scope ran its function later than it was entered');
  return { scope, runIn };
}

/** The pool of effect scopes of one run: a scope that was cancelled is never lent again. */
export function effectScopes(): { take(): EffectScope; giveBack(s: EffectScope): void } {
  const pool = new ReusePool(newEffectScope, SCOPE_USES);
  return {
    take: () => pool.take(),
    giveBack: (s) => pool.giveBack(s, !s.scope.consideredCancelled),
  };
}
