/**
 * The two workflows the runtime-overhead benchmark compares: the same N activity calls, once
 * driven by an XState machine through the durable runtime, once written by hand.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CentralActivities } from '../activities/spoc/management-server-activities';
import { runMachine } from '../workflows/runtime/machine-runtime';
import { stepsMachine } from './steps-machine';

const { checkManagementServer } = proxyActivities<CentralActivities>({ startToCloseTimeout: '1m' });

export async function machineSteps(steps: number): Promise<unknown> {
  return runMachine({ procedure: 'bench-steps', machine: stepsMachine, summarize: () => ({}), hosts: [] }, { steps });
}

export async function plainSteps(steps: number): Promise<unknown> {
  for (let i = 0; i < steps; i += 1) {
    await checkManagementServer({ step: 'tick', title: `Check ${i + 1}`, action: 'check-management-server' });
  }
  return { done: steps };
}
