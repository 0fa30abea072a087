import * as wf from '@temporalio/workflow';
export async function timers(ms: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await wf.sleep(ms);
}
