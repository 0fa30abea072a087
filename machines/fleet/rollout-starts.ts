/**
 * How the rollout starts the groups of one decision: together, in one workflow task per batch
 * (one StartChildWorkflowExecution command each), rather than one workflow task round trip per
 * group. A batch is bounded so that one task's completion, which carries every child's input and
 * details, stays well below the server's message size limit (4 MB) for the largest rollouts.
 */

/**
 * Groups started in one workflow task at most. A group restart's start is about 2.1 KB (input
 * 1.3 KB, summary and details 0.8 KB, measured on the generated estate): 200 are some 0.45 MB.
 */
export const STARTS_PER_WORKFLOW_TASK = 200;

/** The groups to start, in the decision's order, cut into batches started one after another. */
export function startBatches<T>(targets: readonly T[], size = STARTS_PER_WORKFLOW_TASK): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a whole number of at least 1, not ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < targets.length; i += size) batches.push(targets.slice(i, i + size));
  return batches;
}
