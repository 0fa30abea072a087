/**
 * `spoolflow worker [--fleet <file>]`: the production central worker in the foreground, until
 * Ctrl-C or SIGTERM (worker/run-central-worker.ts). The fleet configuration comes from `--fleet`
 * or SPOOLFLOW_FLEET and is checked before anything connects; Temporal is reached as every
 * spoolflow command reaches it.
 */
import { startCentralWorker } from '../worker/run-central-worker';
import { installOperatorLogger } from '../worker/runtime-logger';

export async function workerCommand(flags: Record<string, string | true>): Promise<void> {
  installOperatorLogger();
  await startCentralWorker(typeof flags.fleet === 'string' ? flags.fleet : undefined);
}
