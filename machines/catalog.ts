/**
 * Every procedure spoolflow runs: its id (used by the CLI and the client), its workflow type, its
 * input schema and its machine. Pure, so workflows, the client and the CLI share it.
 */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import { groupRestartInputSchema, GroupRestartInput } from './spoc-group-input';
import { restartGroupWithoutCacheDeletionMachine, GroupRestartContext } from './restart-group-without-cache-deletion';
import { restartGroupWithCacheDeletionMachine, CacheDeletionContext } from './restart-group-with-cache-deletion';

export interface ProcedureDefinition {
  /** Kebab-case id the CLI uses. */
  id: string;
  /** The workflow function's name. */
  workflowType: string;
  description: string;
  inputSchema: z.ZodType;
  machine: AnyStateMachine;
  /** Hosts the procedure touches, for search attributes. */
  hostsOf: (input: never) => string[];
  /** A small summary of the context for `status`. */
  summarize: (context: never) => Record<string, unknown>;
}

function summarizeGroupRestart(c: GroupRestartContext): Record<string, unknown> {
  return {
    group: c.input.group,
    member: c.input.members[c.memberIndex]?.host,
    memberIndex: c.memberIndex,
    members: c.input.members.length,
    completedMembers: c.completedMembers,
    down: c.down,
    loadOverride: c.loadOverride,
    abortReason: c.abortReason,
    couldNotStart: c.couldNotStart,
  };
}

export const PROCEDURES = [
  {
    id: 'restart-group-without-cache-deletion',
    workflowType: 'restartGroupWithoutCacheDeletion',
    description:
      'Restart a SPOC group without cache deletion, one member at a time: stop SPOC, group service, terminal server and the other services, start them again, wait for ONLINE and for the cache rescue, let the distributed layer converge, then the next member.',
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithoutCacheDeletionMachine,
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    summarize: summarizeGroupRestart,
  },
  {
    id: 'restart-group-with-cache-deletion',
    workflowType: 'restartGroupWithCacheDeletion',
    description:
      'Restart a SPOC group with cache deletion: stop SPOC, group service, terminal server and the other services on every member, delete every member\'s spool cache, then start the members one at a time (SPOC and group service, terminal server, ONLINE, the other services) with a wait between them.',
    inputSchema: groupRestartInputSchema,
    machine: restartGroupWithCacheDeletionMachine,
    hostsOf: (input: GroupRestartInput) => input.members.map((m) => m.host),
    summarize: (c: CacheDeletionContext) => ({ ...summarizeGroupRestart(c), cachesDeleted: c.cachesDeleted }),
  },
] as const satisfies readonly ProcedureDefinition[];

export type ProcedureId = (typeof PROCEDURES)[number]['id'];

/** The procedure with this id, or an error that lists the known ids. */
export function procedureById(id: string): ProcedureDefinition {
  const found = PROCEDURES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown procedure "${id}"; known: ${PROCEDURES.map((p) => p.id).join(', ')}`);
  return found as ProcedureDefinition;
}
