/**
 * Inputs of the OS restart procedures (docs/spoc-group-maintenance.md#os-restart-of-standalone-spocs,
 * docs/spoc-group-maintenance.md#os-restart-of-group-members). The waits are the group restarts' (a parallel restart discovered in a group
 * leads to the restart with cache deletion, which uses them) plus the restart's own: how long the
 * host may take to come back, and the runbook's "wait circa 5-10 minutes" before the next member.
 */
import { z } from 'zod';
import { hostsAt, refuseRepeatedHosts } from '../core/input-rules';
import { groupMembersSchema, groupNameSchema, groupRestartWaitsSchema, refuseWaitsBelowFloors, spocMemberSchema, waitsAndOverrides } from './spoc-group-input';

export const osRestartWaitsSchema = groupRestartWaitsSchema
  .unwrap()
  .extend({
    restartDelaySeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(15)
      .describe('shutdown.exe /t: seconds between the request and the restart, so the agent can report the request first.'),
    bootTimeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(7200)
      .default(1800)
      .describe('How long a host may take to shut down, boot and start its services again before the step halts.'),
    settleSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(600)
      .describe('Group: wait after the SPOC shows online on the Management Server before the next member (runbook: circa 5-10 minutes; below 300 needs waitsOverride).'),
  })
  .prefault({});

export type OsRestartWaits = z.infer<typeof osRestartWaitsSchema>;

export const groupOsRestartInputSchema = z
  .strictObject({
    group: groupNameSchema,
    members: groupMembersSchema.describe('Every member of the SPOC group, in the order their servers are restarted.'),
    ...waitsAndOverrides(osRestartWaitsSchema),
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts(hostsAt(input.members, ['members']), ctx);
    refuseWaitsBelowFloors(input, ctx);
  });
export type GroupOsRestartInput = z.infer<typeof groupOsRestartInputSchema>;

export const standaloneOsRestartInputSchema = z
  .strictObject({
    spocs: z.array(spocMemberSchema).min(1, 'name at least one standalone SPOC server').max(64).describe('Standalone SPOC servers (in no SPOC group); they restart in parallel.'),
    ...waitsAndOverrides(osRestartWaitsSchema),
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts(hostsAt(input.spocs, ['spocs']), ctx);
    refuseWaitsBelowFloors(input, ctx);
  });
export type StandaloneOsRestartInput = z.infer<typeof standaloneOsRestartInputSchema>;
