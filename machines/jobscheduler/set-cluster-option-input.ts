/**
 * Input of the procedure that sets one JobScheduler member's cluster option
 * (docs/jobscheduler-cluster.md#set-the-cluster-option): the cluster definition as it is now, the member (by its host, which is also its id
 * in the cluster database), the new options, and how long the member may take to stop and start.
 *
 * The new options are refused when they are not one of the runbook's three forms, and when the
 * cluster would be invalid with them: the change is applied to the definition and the result is
 * validated with the same schema as every cluster definition (`jobSchedulerClusterSchema`), so the
 * rules cannot drift. The refusal names the field `options` and the rule the changed cluster breaks.
 *
 * One consequence, on purpose: the rules hold after every single change, so two members cannot swap
 * roles through this procedure (either order passes through a cluster with no primary or two).
 */
import { z } from 'zod';
import { describeIssues } from '../core/input-errors';
import { hostNameSchema } from '../core/input-rules';
import { formatClusterOptions, parseClusterOptions } from './cluster-options';
import { memberIndexOf } from './cluster-members';
import { jobSchedulerClusterSchema, type JobSchedulerCluster } from './jobscheduler-cluster-input';

/** How long each step may take on the host before it halts. */
export const setClusterOptionWaitsSchema = z
  .strictObject({
    stopTimeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('How long the JobScheduler may take to stop; a normal termination lets running tasks finish first.'),
    startTimeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(1800)
      .default(300)
      .describe('How long the JobScheduler may take to start and run before the step halts.'),
    hostPickupSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(60)
      .describe("How long the member host's agent may take to pick up a step before the step halts as unreachable."),
  })
  .prefault({});

export type SetClusterOptionWaits = z.infer<typeof setClusterOptionWaitsSchema>;

/** The new options as the operator writes them, kept in the runbook's spelling (`formatClusterOptions`). */
const newOptionsSchema = z
  .string()
  .transform((text, ctx): string => {
    const parsed = parseClusterOptions(text);
    if (parsed.ok) return formatClusterOptions(parsed.options);
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  })
  .describe('The cluster options the member starts with from now on: "-exclusive", "-exclusive -backup [-backup-precedence=n]" or "-exclusive -distributed-orders".');

export const setClusterOptionInputSchema = z
  .strictObject({
    cluster: jobSchedulerClusterSchema.describe('The cluster as it is now, before the change.'),
    host: hostNameSchema.describe('The member whose cluster options are set, by its host (in any spelling of its name).'),
    options: newOptionsSchema,
    waits: setClusterOptionWaitsSchema,
  })
  .superRefine((input, ctx) => {
    const index = memberIndexOf(input.cluster, input.host);
    if (index < 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: `no member of cluster "${input.cluster.cluster}" runs on "${input.host}"; its members are ${input.cluster.members.map((m) => m.host).join(', ')}`,
      });
      return;
    }
    const problem = problemAfterChange(input.cluster, index, input.options);
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `with "${input.options}" on ${input.cluster.members[index]?.host}, the cluster would be invalid: ${problem}`,
      });
    }
  });

/** The validated input: the new options in the runbook's spelling. */
export type SetClusterOptionInput = z.infer<typeof setClusterOptionInputSchema>;

/** The cluster definition with the member's new options, as an operator would write it, or the rules it breaks. */
function problemAfterChange(cluster: JobSchedulerCluster, index: number, options: string): string | undefined {
  const changed = {
    cluster: cluster.cluster,
    mode: cluster.mode,
    heartbeat: cluster.heartbeat,
    members: cluster.members.map((m, i) => ({ ...m, clusterOptions: i === index ? options : formatClusterOptions(m.clusterOptions) })),
  };
  const result = jobSchedulerClusterSchema.safeParse(changed);
  return result.success ? undefined : describeIssues(result.error.issues);
}
