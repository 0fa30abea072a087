/**
 * The cluster options a JobScheduler runs with, read from its command line: the process's own on
 * Unix (`ps -o args= -p <pid>`), the service's on Windows (`sc.exe qc`, BINARY_PATH_NAME). The
 * start scripts pass `SCHEDULER_CLUSTER_OPTIONS` to the engine as plain arguments, so the options
 * are there among the others (`-id=...`, `-ini=...`). Pure.
 *
 * The flags are collected wherever they stand and written back in the runbook's order, so a
 * command line that puts `-backup` before `-exclusive` still reads as the same options; the
 * combination is then checked with the cluster definition's parser.
 */
import { formatClusterOptions, parseClusterOptions } from '../../machines/jobscheduler/cluster-options';

/** What a command line says; `options` is '' when it carries no cluster option at all. */
export type RunningOptionsReading = { ok: true; options: string } | { ok: false; problem: string };

/**
 * The arguments of a command line: split at white space outside double quotes, the quotes dropped,
 * so `"C:\Program Files\x.exe"` and `-sos.ini="C:\Program Files\sos.ini"` are one argument each.
 * Single quotes are not quotes on Windows, and `ps` prints arguments without any.
 */
export function commandLineArguments(commandLine: string): string[] {
  const pattern = /(?:[^\s"]+|"[^"]*"?)+/g;
  return (commandLine.match(pattern) ?? []).map((arg) => arg.replace(/"/g, ''));
}

/** The cluster options on a command line, in the runbook's spelling. */
export function clusterOptionsInCommandLine(commandLine: string): RunningOptionsReading {
  const args = commandLineArguments(commandLine);
  const has = (flag: string) => args.includes(flag);
  const precedences = args.filter((a) => a.startsWith('-backup-precedence='));
  if (precedences.length > 1) return { ok: false, problem: `the command line gives -backup-precedence ${precedences.length} times` };
  const words = [
    ...(has('-exclusive') ? ['-exclusive'] : []),
    ...(has('-backup') ? ['-backup'] : []),
    ...precedences,
    ...(has('-distributed-orders') ? ['-distributed-orders'] : []),
  ];
  if (words.length === 0) return { ok: true, options: '' };
  const parsed = parseClusterOptions(words.join(' '));
  if (!parsed.ok) return { ok: false, problem: `the command line carries "${words.join(' ')}": ${parsed.problem}` };
  return { ok: true, options: formatClusterOptions(parsed.options) };
}

/** The options a start script gives, in the runbook's spelling when they parse, else as written. */
export function canonicalOptions(text: string): string {
  const parsed = parseClusterOptions(text);
  return parsed.ok ? formatClusterOptions(parsed.options) : text.trim();
}
