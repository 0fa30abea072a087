/**
 * The fleet rollout as the catalog lists it. It is no XState machine run by the procedure
 * runtime but a small workflow of its own (workflows/fleet/fleet-rollout-workflow.ts) that asks the
 * pure planner (rollout-plan.ts) and runs each group as a child procedure; docs/fleet-rollout.md
 * says why. Pure, so the client, the CLI and the workflow share it.
 */
import { fleetRolloutInputSchema, type FleetRolloutInput } from './rollout-input';

export const FLEET_ROLLOUT = {
  id: 'fleet-rollout',
  workflowType: 'fleetRollout',
  description:
    'Run one procedure (e.g. the OS restart of group members, or the restart without cache deletion) across many SPOC groups and standalone servers, each group as a child procedure holding its own leases: at most N groups at a time and M per site, no new group once K halted or failed, none after the maintenance window ends; pause and resume with the Update operator {type: "operator.pause" | "operator.resume"}.',
  inputSchema: fleetRolloutInputSchema,
} as const;

/** The workflow id of a rollout: one per procedure and window start (or per start, without a window). */
export function rolloutWorkflowId(input: FleetRolloutInput, startedAt: Date): string {
  const when = input.window?.start ?? startedAt.toISOString();
  return `fleet-rollout-${input.procedure}-${when.replace(/[:.]/g, '-')}`;
}

/** e.g. "fleet-rollout: restart-os-of-group-members on 4 groups (london, prague, ...)". */
export function rolloutSummary(input: FleetRolloutInput): string {
  const names = input.groups.map((g) => g.name);
  const shown = names.length > 6 ? [...names.slice(0, 6), `and ${names.length - 6} more`] : names;
  return `${FLEET_ROLLOUT.id}: ${input.procedure} on ${names.length} group(s) (${shown.join(', ')})`;
}

/** Markdown for the run's details in the Web UI: what it runs, where, within which limits. */
export function rolloutDetails(input: FleetRolloutInput): string {
  const { maxGroupsAtOnce, maxGroupsPerSite, failureBudget, secondsBetweenStarts } = input.limits;
  return [
    `**${FLEET_ROLLOUT.description}**`,
    '',
    `Procedure \`${input.procedure}\` on ${input.groups.length} group(s); at most ${maxGroupsAtOnce} at a time, ${maxGroupsPerSite} per site${secondsBetweenStarts ? `, started at least ${secondsBetweenStarts} s apart` : ''}; no new group once ${failureBudget} halted or failed.`,
    ...(input.window ? ['', `Maintenance window: ${input.window.start} to ${input.window.end}.`] : []),
    '',
    'Groups, in the order they start:',
    '',
    ...input.groups.map((g) => `- ${g.name} (site ${g.site}): \`${g.workflowId}\``),
  ].join('\n');
}
