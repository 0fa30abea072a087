/**
 * The worker runtime's log, trimmed for operators: warnings and errors, without the SDK's notes
 * that a host agent polls no workflows (by design) or that a worker changed state.
 */
import { DefaultLogger, LogEntry, Runtime } from '@temporalio/worker';

const EXPECTED = [/No workflows registered/, /No Nexus services registered/, /Worker state changed/];

export function installOperatorLogger(level: 'INFO' | 'WARN' | 'ERROR' = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => {
      if (EXPECTED.some((re) => re.test(entry.message))) return;
      const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
      console.error(`[worker ${entry.level}] ${entry.message}${meta}`);
    }),
  });
}
