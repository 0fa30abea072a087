/**
 * The command line of a simulated JobScheduler member process. The fleet writes it and the member
 * reads it with the same schema, so a flag cannot be spelt one way on one side and another on the
 * other. The cluster options may come from `SCHEDULER_CLUSTER_OPTIONS`, as with a real JobScheduler
 * (`./bin/jobscheduler_environment_variables.sh`).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../../machines/core/input-errors';
import { parseClusterOptions } from '../../activities/jobscheduler/scheduler-cluster-options';

export const memberArgsSchema = z.object({
  /** The cluster database file all members share. */
  database: z.string().min(1),
  member: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"'),
  host: z.string().min(1),
  /** `-exclusive`, `-exclusive -backup [-backup-precedence=n]` or `-exclusive -distributed-orders`. */
  options: z.string().refine(
    (text) => {
      try {
        parseClusterOptions(text);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not valid cluster options; use -exclusive, -exclusive -backup [-backup-precedence=n] or -exclusive -distributed-orders' },
  ),
  /** The `sim` folder of the data dir: operation record and the member's fault files. */
  simDir: z.string().min(1),
  heartbeatMs: z.number().int().positive(),
  /** How often the active member of a passive cluster runs its jobs and moves orders on. */
  jobIntervalMs: z.number().int().positive(),
  /** How long one order step takes on a distributed member. */
  stepMs: z.number().int().nonnegative(),
  /** How often a distributed member looks for steps given to it. */
  pollMs: z.number().int().positive(),
});

export type MemberArgs = z.infer<typeof memberArgsSchema>;

const FLAGS = {
  database: 'database',
  member: 'member',
  host: 'host',
  options: 'cluster-options',
  simDir: 'sim-dir',
  heartbeatMs: 'heartbeat-ms',
  jobIntervalMs: 'job-interval-ms',
  stepMs: 'step-ms',
  pollMs: 'poll-ms',
} as const satisfies Record<keyof MemberArgs, string>;

export function toMemberArgv(args: MemberArgs): string[] {
  // `--flag=value`: a value starting with "-" (the cluster options) is not taken for a flag.
  return (Object.keys(FLAGS) as (keyof MemberArgs)[]).map((key) => `--${FLAGS[key]}=${String(args[key])}`);
}

export function parseMemberArgv(argv: string[], env: NodeJS.ProcessEnv = process.env): MemberArgs {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.values(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const text = (key: keyof MemberArgs): string | undefined => values[FLAGS[key]];
  const number = (key: keyof MemberArgs): number | undefined => (text(key) === undefined ? undefined : Number(text(key)));
  const heartbeatMs = number('heartbeatMs') ?? 1000;
  const parsed = memberArgsSchema.safeParse({
    database: text('database'),
    member: text('member'),
    host: text('host') ?? 'localhost',
    options: text('options') ?? env.SCHEDULER_CLUSTER_OPTIONS,
    simDir: text('simDir'),
    heartbeatMs,
    jobIntervalMs: number('jobIntervalMs') ?? heartbeatMs,
    stepMs: number('stepMs') ?? 1000,
    pollMs: number('pollMs') ?? heartbeatMs,
  });
  if (!parsed.success) throw new Error(`scheduler member: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}
