/**
 * `spoolflow worker [--fleet <file>]`: the production central worker in the foreground, until
 * Ctrl-C or SIGTERM (worker/run-central-worker.ts). The fleet configuration comes from `--fleet`
 * or SPOOLFLOW_FLEET and is checked before anything connects; Temporal is reached as every
 * spoolflow command reaches it.
 */

export async function workerCommand(flags: Record<string, string | true>): Promise<void> {
  // Loaded here, not at the top: the Temporal worker takes a third of a second to load, which
  // every other command would pay (see cli/spoolflow.js).
  const { startCentralWorker } = await import('../worker/run-central-worker');
  const { installOperatorLogger } = await import('../worker/runtime-logger');
  installOperatorLogger();
  await startCentralWorker(typeof flags.fleet === 'string' ? flags.fleet : undefined);
}
