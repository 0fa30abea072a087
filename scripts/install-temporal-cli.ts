/**
 * Makes sure the pinned Temporal CLI is available (building it with Go if needed) and prints
 * its absolute path on stdout; progress goes to stderr so that
 * `TEMPORAL_CLI="$(npx tsx scripts/install-temporal-cli.ts)"` captures only the path.
 *
 * Exit codes: 0 = path printed; 1 = no CLI and none could be built (nothing printed; the
 * reason is on stderr); 2 = resolution failed (bad TEMPORAL_CLI, failed build).
 */
import { resolveTemporalCli } from '../engine/temporal-cli';

async function main(): Promise<number> {
  const log = (msg: string) => process.stderr.write(`install-temporal-cli: ${msg}\n`);
  let resolved;
  try {
    resolved = await resolveTemporalCli({ log });
  } catch (err) {
    log((err as Error).message);
    return 2;
  }
  if (resolved.source === 'sdk-download') return 1; // resolveTemporalCli already logged why and how to fix
  log(`using ${resolved.path} (source: ${resolved.source})`);
  process.stdout.write(`${resolved.path}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Not one of the failures main() answers itself: report it like a failed resolution.
    process.stderr.write(`install-temporal-cli: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
