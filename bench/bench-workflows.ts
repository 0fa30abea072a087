/**
 * The two workflows the runtime-overhead benchmark compares: the same N activity calls, once
 * driven by an XState machine through the durable runtime, once written by hand. Both schedule
 * the same activity with the same options (timeouts, retry policy, task queue) and the same
 * timeline summary, so their activity commands are the same and the comparison measures the
 * runtime's own work, not a smaller command. What only the runtime does for operators (the
 * search attributes, the current details, the status it keeps) is counted as its cost.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CentralActivities } from '../activities/spoc/management-server-activities';
import { activityOptionsFor } from '../workflows/runtime/activity-options';
import { runMachine } from '../workflows/runtime/machine-runtime';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { stepsMachine } from './steps-machine';

export async function machineSteps(steps: number): Promise<unknown> {
  return runMachine({ procedure: 'bench-steps', machine: stepsMachine, summarize: () => ({}), hosts: [] }, { steps });
}

/** As a hand-written workflow would: the options written once, each call with its own summary. */
const CHECK_OPTIONS = activityOptionsFor({ step: 'tick', title: 'Check', action: 'check-management-server' }, CENTRAL_TASK_QUEUE);

export async function plainSteps(steps: number): Promise<unknown> {
  for (let i = 0; i < steps; i += 1) {
    const title = `Check ${i + 1}`;
    const { checkManagementServer } = proxyActivities<CentralActivities>({ ...CHECK_OPTIONS, summary: title });
    await checkManagementServer({ step: 'tick', title, action: 'check-management-server' });
  }
  return { done: steps };
}
