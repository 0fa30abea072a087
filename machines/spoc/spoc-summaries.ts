/**
 * What `status` shows of a SPOC procedure's context: small, since it travels with every query.
 * Apart from the catalog so that a procedure workflow loads these without every other machine
 * (machines/procedure-modules.ts).
 */
import { recordedWaitsOverride } from './wait-floors';
import type { BlockContext } from './spoc-group-blocks';
import type { GroupRestartContext } from './restart-group-without-cache-deletion';
import type { GroupOsRestartContext } from './restart-os-of-group-members';
import type { StandaloneOsRestartContext } from './restart-os-of-standalone-spocs';
import type { OsRestartContext } from './os-restart-steps';

/** A group restart (with or without cache deletion, or the members restarted in parallel): the group, the member now. */
export function summarizeGroupRestart(c: GroupRestartContext): Record<string, unknown> {
  return {
    group: c.input.group,
    member: c.input.members[c.memberIndex]?.host,
    members: c.input.members.length,
    ...summarizeScenario(c),
  };
}

/** Any SPOC scenario: where it is among the members, what was deleted, what is down. */
export function summarizeScenario(c: BlockContext): Record<string, unknown> {
  return {
    memberIndex: c.memberIndex,
    cachesDeleted: c.cachesDeleted,
    completedMembers: c.completedMembers,
    down: c.down,
    loadOverride: c.loadOverride,
    waitsOverride: recordedWaitsOverride(c.input),
    abortReason: c.abortReason,
    couldNotStart: c.couldNotStart,
  };
}

function summarizeOsRestart(c: OsRestartContext & BlockContext): Record<string, unknown> {
  return {
    ...summarizeScenario(c),
    restartRequestedAt: c.restartRequestedAt,
    bootedAt: c.bootedAt,
    parallelRestartSeen: c.parallelRestartSeen,
    lanes: c.lanes,
  };
}

/** The OS restart of standalone SPOCs. */
export function summarizeStandaloneOsRestart(c: StandaloneOsRestartContext): Record<string, unknown> {
  return summarizeOsRestart(c);
}

/** The OS restart of a group's members, one at a time: the group and the member now. */
export function summarizeGroupOsRestart(c: GroupOsRestartContext): Record<string, unknown> {
  return { group: c.input.group, member: c.input.members[c.memberIndex]?.host, ...summarizeOsRestart(c) };
}
