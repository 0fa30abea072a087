/**
 * The input of the SPOC group procedures, validated with zod at every boundary (CLI, client,
 * workflow start). Unknown keys are refused (a misspelled wait would otherwise silently keep its
 * default); group and host names are parsed to their normal form (`input-rules.ts`). Waits default
 * to the runbook's values and can be lengthened per run within bounds an operator would call sane;
 * the runbook's waits are floors, and a shorter one needs an explicit, recorded `waitsOverride`.
 */
import { z } from 'zod';
import { hostNameSchema, hostsAt, normalNameSchema, operatorNameSchema, reasonSchema, refuseRepeatedHosts, serviceNameSchema } from '../core/input-rules';
import { installFolderProblem } from './install-folder';
import { isProtectedService, isRoleService, sameServiceName } from './spoc-services';
import { DEFAULT_CACHE_DELETION_SECONDS } from '../core/effects';
import { WAIT_FLOORS, waitsBelowFloors, type WaitWithFloor } from './wait-floors';

const serviceName = serviceNameSchema;

/** One SPOC site server of the group. */
export const spocMemberSchema = z
  .strictObject({
    host: hostNameSchema.describe('Site server host name; its agent listens on the task queue of this host.'),
    installDir: z
      .string()
      // The rule the cache deletion applies on the host (machines/spoc/install-folder.ts): a folder
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
export const loadOverrideSchema = z.strictObject({
  operator: operatorNameSchema.describe('Who decided to run with load.'),
  reason: reasonSchema(5).describe('Why the load check is overridden; kept in the result.'),
});

/** The operator's explicit, recorded decision to run with waits shorter than the runbook's. */
export const waitsOverrideSchema = z
  .strictObject({
    operator: operatorNameSchema.describe('Who decided to wait less than the runbook says.'),
    reason: reasonSchema(5).describe('Why the runbook\'s waits are shortened; kept in the result.'),
  })
  .describe('Needed for any wait below the runbook\'s floor (groupServiceTimeoutSeconds 120, convergenceSeconds 300, betweenStartsSeconds 180, settleSeconds 300); kept in the result.');

export type WaitsOverride = z.infer<typeof waitsOverrideSchema>;

/** The fields every SPOC procedure's input ends with: its waits, and the operator's two recorded overrides. */
export function waitsAndOverrides<W extends z.ZodType>(waits: W) {
  return { waits, loadOverride: loadOverrideSchema.optional(), waitsOverride: waitsOverrideSchema.optional() };
}

/** Refuses a wait below the runbook's floor unless the input carries a `waitsOverride`. */
export function refuseWaitsBelowFloors(input: { waits: Partial<Record<WaitWithFloor, number>>; waitsOverride?: WaitsOverride | undefined }, ctx: z.RefinementCtx): void {
  if (input.waitsOverride) return;
  for (const [key, value] of Object.entries(waitsBelowFloors(input.waits)) as [WaitWithFloor, number][]) {
    const floor = WAIT_FLOORS[key];
    ctx.addIssue({
      code: 'custom',
      path: ['waits', key],
      message: `${value} s is below the runbook's floor of ${floor.seconds} s (${floor.runbook}); a shorter wait needs waitsOverride {operator, reason}`,
    });
  }
}

export const groupRestartWaitsSchema = z
  .strictObject({
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
      .describe('How long the group service may take to start by itself after the SPOC (runbook: 1-2 minutes; below 120 needs waitsOverride).'),
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
      .describe('Wait after the rescue-finished line for the distributed layer to converge (runbook: circa 5 minutes; below 300 needs waitsOverride).'),
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
      .describe('Restart with cache deletion: wait between the starts of two members (runbook: 3-10 minutes, more when more jobs were not deleted; below 180 needs waitsOverride).'),
    cacheDeletionTimeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(DEFAULT_CACHE_DELETION_SECONDS)
      .describe('How long deleting one SPOC\'s spool cache may take before the step halts (a cache of many files takes long).'),
  })
  .default({
    serviceTimeoutSeconds: 300,
    groupServiceTimeoutSeconds: 120,
    onlineTimeoutSeconds: 1800,
    rescueTimeoutSeconds: 3600,
    convergenceSeconds: 300,
    betweenStartsSeconds: 180,
    hostPickupSeconds: 60,
    cacheDeletionTimeoutSeconds: DEFAULT_CACHE_DELETION_SECONDS,
  });

export const groupNameSchema = normalNameSchema('a SPOC group name').describe('SPOC group name as shown on the Management Server; compared in its normal form (case, surrounding spaces and a trailing dot do not count).');

/** The members of a SPOC group: at least two (a one-member group is not supported). */
export const groupMembersSchema = z
  .array(spocMemberSchema)
  .min(2, 'a SPOC group has at least two SPOC servers; a one-member group is not a supported configuration')
  .max(32);

export const groupRestartInputSchema = z
  .strictObject({
    group: groupNameSchema,
    members: groupMembersSchema,
    ...waitsAndOverrides(groupRestartWaitsSchema),
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts(hostsAt(input.members, ['members']), ctx);
    refuseWaitsBelowFloors(input, ctx);
  });

export type GroupRestartInput = z.infer<typeof groupRestartInputSchema>;
