/**
 * The input of the SPOC group procedures, validated with zod at every boundary (CLI, client,
 * workflow start). Waits default to the runbook's values and can be shortened or lengthened per
 * run within bounds an operator would call sane.
 */
import { z } from 'zod';
import { installFolderProblem } from './install-folder';
import { isProtectedService, isRoleService, sameServiceName } from './spoc-services';

const hostName = z
  .string()
  .min(1, 'a host name is required')
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a DNS host name (letters, digits, dots and hyphens)');

const serviceName = z.string().min(1).max(256);

/** One SPOC site server of the group. */
export const spocMemberSchema = z
  .object({
    host: hostName.describe('Site server host name; its agent listens on the task queue of this host.'),
    installDir: z
      .string()
      // The rule the cache deletion applies on the host (machines/install-folder.ts): a folder
      // refused there is refused here, before anything is stopped.
      .superRefine((dir, ctx) => {
        const problem = installFolderProblem(dir);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Dispatcher Paragon install folder on the host, e.g. C:\\Program Files\\Dispatcher Paragon'),
    otherServices: z
      .array(serviceName)
      .optional()
      .describe(
        'Step 3 stops every running vendor service on the host (YSoft*, "Dispatcher Paragon ...", "YSoft SafeQ ..."), less the role and protected ones. ' +
          'A list here narrows that to the services named (key or display name); each must be a vendor service on the host.',
      ),
  })
  .superRefine((member, ctx) => {
    (member.otherServices ?? []).forEach((service, index) => {
      if (isProtectedService(service)) {
        ctx.addIssue({
          code: 'custom',
          path: ['otherServices', index],
          message: `"${service}" is a protected service and can never be stopped by a procedure; remove it from otherServices`,
        });
      } else if (isRoleService(service)) {
        ctx.addIssue({
          code: 'custom',
          path: ['otherServices', index],
          message: `"${service}" is controlled by its own step; list only the other services`,
        });
      }
      if ((member.otherServices ?? []).findIndex((other) => sameServiceName(other, service)) < index) {
        ctx.addIssue({ code: 'custom', path: ['otherServices', index], message: `"${service}" is listed twice` });
      }
    });
  });

export type SpocMember = z.infer<typeof spocMemberSchema>;

/** The operator's explicit, recorded decision to run with load on the members. */
export const loadOverrideSchema = z.object({
  operator: z.string().min(1).describe('Who decided to run with load.'),
  reason: z.string().min(5).describe('Why the load check is overridden; kept in the result.'),
});

export const groupRestartWaitsSchema = z
  .object({
    serviceTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(1800)
      .default(300)
      .describe('How long one service may take to stop or start before the step halts.'),
    groupServiceTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(120)
      .describe('How long the group service may take to start by itself after the SPOC (runbook: 1-2 minutes).'),
    onlineTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(7200)
      .default(1800)
      .describe('How long to wait for ONLINE in spoc_lifecycle.log before halting.'),
    rescueTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(14400)
      .default(3600)
      .describe('How long to wait for the rescue-finished line in spoc.log before halting.'),
    convergenceSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe('Wait after the rescue-finished line for the distributed layer to converge (runbook: circa 5 minutes).'),
    hostPickupSeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(60)
      .describe('How long a host agent may take to pick up a step before the procedure halts with the host unreachable.'),
    betweenStartsSeconds: z
      .number()
      .int()
      .min(1)
      .max(1800)
      .default(180)
      .describe('Restart with cache deletion: wait between the starts of two members (runbook: 3-10 minutes, more when more jobs were not deleted).'),
  })
  .default({
    serviceTimeoutSeconds: 300,
    groupServiceTimeoutSeconds: 120,
    onlineTimeoutSeconds: 1800,
    rescueTimeoutSeconds: 3600,
    convergenceSeconds: 300,
    betweenStartsSeconds: 180,
    hostPickupSeconds: 60,
  });

export const groupNameSchema = z.string().min(1).describe('SPOC group name as shown on the Management Server.');

/** The members of a SPOC group: at least two (a one-member group is not supported). */
export const groupMembersSchema = z
  .array(spocMemberSchema)
  .min(2, 'a SPOC group has at least two SPOC servers; a one-member group is not a supported configuration')
  .max(32);

/** Refuses a host listed twice anywhere in an input (members, new member, removed member...). */
export function refuseRepeatedHosts(hostsWithPaths: { host: string; path: (string | number)[] }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const { host, path } of hostsWithPaths) {
    const key = host.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path, message: `host "${host}" is listed twice` });
    seen.add(key);
  }
}

export const groupRestartInputSchema = z
  .object({
    group: groupNameSchema,
    members: groupMembersSchema,
    waits: groupRestartWaitsSchema,
    loadOverride: loadOverrideSchema.optional(),
  })
  .superRefine((input, ctx) => refuseRepeatedHosts(input.members.map((m, i) => ({ host: m.host, path: ['members', i, 'host'] })), ctx));

export type GroupRestartInput = z.infer<typeof groupRestartInputSchema>;
