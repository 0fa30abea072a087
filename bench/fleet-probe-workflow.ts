import { proxyActivities } from '@temporalio/workflow';

/** One activity on the given host's queue. */
export async function pingHost(taskQueue: string): Promise<string> {
  return proxyActivities<{ ping(): Promise<string> }>({ taskQueue, startToCloseTimeout: '1 min' }).ping();
}
