/**
 * `spoolflow watch <workflowId> [--json] [--interval <ms>]`: follows a procedure until it ends,
 * asking its status every interval; redraws the screen (cli/watch-view.ts) when it changes, or
 * with --json prints one JSON line per change. Exit 0 when the procedure completed, 1 when it
 * failed, was aborted or refused.
 */
import type { Command } from 'commander';
import type { WithClient } from './chart-command';
import { UsageError } from './errors';

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

export function watchInterval(interval: string | undefined): number {
  if (interval === undefined) return DEFAULT_WATCH_INTERVAL_MS;
  const ms = Number(interval);
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) throw new UsageError(`--interval must be a whole number of milliseconds from 100 to 60000, not "${interval}"`);
  return ms;
}

export function registerWatch(program: Command, withClient: WithClient): void {
  program
    .command('watch')
    .usage('<workflowId> [--json] [--interval <ms>]')
    .description('follows a procedure until it ends: steps done, the current one, the steps to come; when halted, the reason and the commands to type (a fleet rollout: its groups done, running, halted, waiting, and which). Exit 0 completed (a rollout: every group done), 1 failed or aborted')
    .argument('[workflowId]')
    .option('--json', 'one JSON line per change, for scripts')
    .option('--interval <ms>', `how often to ask (default ${DEFAULT_WATCH_INTERVAL_MS} ms)`)
    .action(async (workflowId: string | undefined, opts: { json?: boolean; interval?: string }) => {
      if (!workflowId) throw new UsageError('watch needs a workflow id');
      const interval = watchInterval(opts.interval);
      const { watchProcedure } = await import('./watch-procedure');
      const code = await withClient((c) => watchProcedure(c.client, workflowId, interval, { json: opts.json === true, redraw: process.stdout.isTTY === true, write: (t) => void process.stdout.write(t) }));
      process.exitCode = code;
    });
}
