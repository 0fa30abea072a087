/**
 * The step a procedure is at, read from its machine's snapshot. Free of zod and of the action
 * vocabulary, so the workflow runtime that reports the step can be shared by every workflow of a
 * worker (worker/shared-modules.ts).
 */
/** The innermost state key of a snapshot: the step the machine is at. */
export function currentStep(snapshot: { value: unknown }): string {
  let value = snapshot.value;
  let key = '';
  while (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const first = entries[0];
    if (!first) break;
    const [k, v] = first;
    if (typeof v === 'string' && (v === 'running' || v === 'halted' || v === 'done')) return k;
    key = k;
    value = v;
  }
  return typeof value === 'string' ? value : key;
}
