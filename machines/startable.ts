/**
 * Everything `spoolflow start`, the client and the Web UI's start form can start: the catalog's
 * procedures (each an XState machine) and the fleet rollout (a workflow of its own that runs
 * procedures on many groups). What takes an input and a workflow type, not what has a machine.
 */
import type { z } from 'zod';
import { PROCEDURES } from './catalog';
import { FLEET_ROLLOUT } from './fleet/fleet-rollout';

export interface Startable {
  id: string;
  workflowType: string;
  description: string;
  inputSchema: z.ZodType;
}

export const STARTABLE: readonly Startable[] = [...PROCEDURES, FLEET_ROLLOUT];

/** The procedure or rollout with this id, or an error that lists the known ids. */
export function startableById(id: string): Startable {
  const found = STARTABLE.find((p) => p.id === id);
  if (!found) throw new Error(`unknown procedure "${id}"; known: ${STARTABLE.map((p) => p.id).join(', ')}`);
  return found;
}
