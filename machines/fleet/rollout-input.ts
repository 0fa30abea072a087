/**
 * The fleet rollout's input: the procedure to run, the groups (and sets of standalone servers) to
 * run it on, each with its site and the procedure's own input, the limits, the maintenance
 * window. Every group's input is checked with its procedure's schema here, so a bad one refuses
 * the whole rollout before any group starts, naming `groups.<i>.input.<field>` and the rule.
 */
import { z } from 'zod';
import { procedureDefinition } from '../procedure-modules';
import { normalNameSchema } from '../core/input-rules';
import { normalName } from '../core/names';

/**
 * The procedures a rollout runs: those that take one SPOC group (or one set of standalone
 * servers) and change nothing else. Moving SPOCs between groups changes the groups themselves and
 * is decided server by server, not rolled out.
 */
export const ROLLOUT_PROCEDURES = [
  'restart-group-without-cache-deletion',
  'restart-group-with-cache-deletion',
  'restart-os-of-group-members',
  'group-members-restarted-in-parallel',
  'restart-os-of-standalone-spocs',
] as const;
export type RolloutProcedureId = (typeof ROLLOUT_PROCEDURES)[number];

const STANDALONE_PROCEDURE: RolloutProcedureId = 'restart-os-of-standalone-spocs';

const procedureIdSchema = z.string().refine((id): id is RolloutProcedureId => (ROLLOUT_PROCEDURES as readonly string[]).includes(id), {
  message: `must be a procedure a rollout runs: ${ROLLOUT_PROCEDURES.join(', ')}`,
});

const targetSchema = z.strictObject({
  site: normalNameSchema('the site').describe('The site the group (or the standalone servers) is at; at most limits.maxGroupsPerSite of a site run at a time.'),
  procedure: procedureIdSchema.optional().describe(`This group's procedure, when not the rollout's (e.g. ${STANDALONE_PROCEDURE} for a site's standalone servers).`),
  input: z.unknown().describe("The procedure's own input for this group (see its inputSchema in the catalog)."),
});

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time with its offset (e.g. 2026-12-05T22:00:00Z)' });

const windowSchema = z
  .strictObject({
    start: isoTime.describe('No group starts before this time.'),
    end: isoTime.describe('No group starts from this time on; groups already running finish.'),
  })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'end must be after start', path: ['end'] });

const limitsSchema = z.strictObject({
  maxGroupsAtOnce: z.number().int().min(1, 'must be at least 1').max(1000).describe('N: at most this many groups running (or halted) at a time.'),
  maxGroupsPerSite: z.number().int().min(1, 'must be at least 1').max(1000).optional().describe('M: at most this many groups of one site at a time (default: maxGroupsAtOnce).'),
  failureBudget: z.number().int().min(1, 'must be at least 1 (the rollout stops starting groups once this many halted or failed)').max(10000).describe('K: no group is started once this many have halted or failed.'),
  secondsBetweenStarts: z
    .number()
    .min(0, 'must be 0 or more')
    .max(3600, 'must be at most 3600 (an hour)')
    // A durable timer waits at least about a second (Temporal's timers are not sub-second): a
    // shorter spacing would be a second in fact, and the status would promise what it cannot keep.
    .refine((s) => s === 0 || s >= 1, 'must be 0 (not spaced) or at least 1: a durable timer waits at least about a second')
    .optional()
    .describe('At least this many seconds between two group starts, so that many groups do not begin their checks and first steps at the same moment (default 0: the limits alone).'),
});

export const fleetRolloutInputSchema = z
  .strictObject({
    procedure: procedureIdSchema.describe('The procedure run on every group (a group may name another, e.g. for standalone servers).'),
    groups: z.array(targetSchema).min(1, 'must list at least one group').max(5000).describe('The groups in the order they are started.'),
    limits: limitsSchema,
    window: windowSchema.optional().describe('The maintenance window; without one, groups start whenever the limits allow.'),
    pollSeconds: z.number().int().min(1).max(600).default(10).describe('How often the rollout asks its running groups whether they halted.'),
    continueAsNewAfterEvents: z
      .number()
      .int()
      .min(50, 'must be at least 50 (a run must have room to start its groups)')
      .max(40_000)
      .default(10_000)
      .describe('The rollout continues as new (a fresh history, its state carried over) past this many history events, or sooner when the server suggests it.'),
  })
  .transform((input, ctx) => {
    const groups = input.groups.map((target, i) => parseTarget(input.procedure, target, i, ctx));
    if (groups.some((g) => g === undefined)) return z.NEVER;
    const parsed = groups as RolloutTarget[];
    refuseRepeats(parsed, ctx);
    const limits = { ...input.limits, maxGroupsPerSite: input.limits.maxGroupsPerSite ?? input.limits.maxGroupsAtOnce };
    return { procedure: input.procedure, groups: parsed, limits, window: input.window, pollSeconds: input.pollSeconds, continueAsNewAfterEvents: input.continueAsNewAfterEvents };
  });
export type FleetRolloutInput = z.output<typeof fleetRolloutInputSchema>;

/** One group of the rollout, its input checked by its procedure. */
export interface RolloutTarget {
  /** The group's name, or `standalone:<site>` for a site's standalone servers. */
  name: string;
  site: string;
  procedure: RolloutProcedureId;
  /** The input as given (the child procedure validates it again and fills in its defaults). */
  input: unknown;
  hosts: string[];
  /** The child procedure's workflow id, by the CLI's convention: `spoc-group-<group>`. */
  workflowId: string;
}

function parseTarget(rolloutProcedure: RolloutProcedureId, target: z.output<typeof targetSchema>, index: number, ctx: z.RefinementCtx): RolloutTarget | undefined {
  const procedure = target.procedure ?? rolloutProcedure;
  const parsed = procedureDefinition(procedure).inputSchema.safeParse(target.input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['groups', index, 'input', ...issue.path.map(String)], message: describeNested(issue) });
    return undefined;
  }
  const data = parsed.data as { group?: string; members?: { host: string }[]; spocs?: { host: string }[] };
  const hosts = (data.members ?? data.spocs ?? []).map((m) => m.host);
  if (data.group !== undefined) return { name: data.group, site: target.site, procedure, input: target.input, hosts, workflowId: `spoc-group-${data.group}` };
  return { name: `standalone:${target.site}`, site: target.site, procedure, input: target.input, hosts, workflowId: `spoc-standalone-os-restart-${target.site}` };
}

function describeNested(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}, not allowed here (see the procedure's input schema)` : issue.message;
}

/** A group, a site's standalone servers or a host listed twice would run two procedures on it. */
function refuseRepeats(groups: RolloutTarget[], ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  const hosts = new Map<string, number>();
  groups.forEach((g, i) => {
    const first = names.get(g.name);
    if (first !== undefined) {
      const what = g.name.startsWith('standalone:') ? `the standalone servers of site ${g.site} are` : `group ${g.name} is`;
      ctx.addIssue({ code: 'custom', path: ['groups', i], message: `${what} listed twice (also at groups.${first}); list each once` });
      return;
    }
    names.set(g.name, i);
    for (const host of g.hosts) {
      const at = hosts.get(normalName(host));
      if (at !== undefined && at !== i) ctx.addIssue({ code: 'custom', path: ['groups', i, 'input'], message: `host "${host}" is also in groups.${at}; a server is in one group of a rollout` });
      else hosts.set(normalName(host), i);
    }
  });
}
