/**
 * Inputs of the SPOC maintenance scenarios (docs/spoc-group-maintenance.md#scenarios), validated with zod. Every
 * scenario names the group(s) and the SPOC(s) the way the Management Server shows them (parsed to
 * their normal form, so every comparison below is of normal forms); waits, their floors and the
 * overrides are as for the group restarts.
 */
import { z } from 'zod';
import { hostNameSchema, hostsAt, refuseRepeatedHosts } from '../core/input-rules';
import { groupMembersSchema, groupNameSchema, groupRestartWaitsSchema, refuseWaitsBelowFloors, spocMemberSchema, waitsAndOverrides } from './spoc-group-input';

const common = waitsAndOverrides(groupRestartWaitsSchema);

export const createGroupInputSchema = z
  .strictObject({
    group: groupNameSchema,
    members: groupMembersSchema.describe('The standalone SPOCs that now form the group.'),
    spocs: z
      .enum(['newly-installed', 'in-production'])
      .describe('newly-installed: restart without cache deletion, step 8 skipped. in-production (waiting and printed jobs): restart with cache deletion.'),
    ...common,
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts(hostsAt(input.members, ['members']), ctx);
    refuseWaitsBelowFloors(input, ctx);
  });
export type CreateGroupInput = z.infer<typeof createGroupInputSchema>;

export const addSpocInputSchema = z
  .strictObject({
    group: groupNameSchema,
    members: groupMembersSchema.describe('The members the group had before the SPOC was added.'),
    newMember: spocMemberSchema.describe('The standalone SPOC added to the group on the Management Server.'),
    ...common,
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts([...hostsAt(input.members, ['members']), { host: input.newMember.host, path: ['newMember', 'host'] }], ctx);
    refuseWaitsBelowFloors(input, ctx);
  });
export type AddSpocInput = z.infer<typeof addSpocInputSchema>;

export const removeSpocInputSchema = z
  .strictObject({
    group: groupNameSchema,
    members: groupMembersSchema.describe('The members that stay in the group.'),
    removedMember: spocMemberSchema.describe('The SPOC removed from the group on the Management Server.'),
    ...common,
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts([...hostsAt(input.members, ['members']), { host: input.removedMember.host, path: ['removedMember', 'host'] }], ctx);
    refuseWaitsBelowFloors(input, ctx);
  });
export type RemoveSpocInput = z.infer<typeof removeSpocInputSchema>;

export const ipChangedInputSchema = z
  .strictObject({
    group: groupNameSchema,
    changedHost: hostNameSchema.describe('The site server whose IP address was changed.'),
    members: z
      .array(spocMemberSchema)
      .min(1, 'the group has at least one other member to restart')
      .max(32)
      .describe('The remaining members of its group (without the changed site server).'),
    ...common,
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts(hostsAt(input.members, ['members']), ctx);
    refuseWaitsBelowFloors(input, ctx);
    // Names are in their normal form here: `SPOC-PRG-1.` and `spoc-prg-1` are one server.
    if (input.members.some((m) => m.host === input.changedHost)) {
      ctx.addIssue({ code: 'custom', path: ['changedHost'], message: 'the changed site server is not one of the remaining members; list only the others in members' });
    }
  });
export type IpChangedInput = z.infer<typeof ipChangedInputSchema>;

export const moveSpocInputSchema = z
  .strictObject({
    spoc: spocMemberSchema.describe('The SPOC moved from one group to the other.'),
    from: z.strictObject({ group: groupNameSchema, members: groupMembersSchema.describe('The members that stay in the old group.') }),
    to: z.strictObject({ group: groupNameSchema, members: groupMembersSchema.describe('The members the new group had before the move.') }),
    mode: z
      .enum(['two-steps', 'one-step'])
      .default('two-steps')
      .describe('two-steps: remove from the old group, then add to the new one (as the runbook says). one-step: restart with cache deletion on both groups.'),
    ...common,
  })
  .superRefine((input, ctx) => {
    refuseRepeatedHosts([...hostsAt(input.from.members, ['from', 'members']), ...hostsAt(input.to.members, ['to', 'members']), { host: input.spoc.host, path: ['spoc', 'host'] }], ctx);
    refuseWaitsBelowFloors(input, ctx);
    // Normal forms: `London` and `london ` are one group, so no move.
    if (input.from.group === input.to.group) ctx.addIssue({ code: 'custom', path: ['to', 'group'], message: 'the SPOC must move to another group' });
  });
export type MoveSpocInput = z.infer<typeof moveSpocInputSchema>;
