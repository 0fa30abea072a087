/**
 * The catalog as the outside world sees it: every procedure with its JSON Schema (generated from
 * the zod schema) and an example input that runs against the embedded simulated fleet.
 */
import { z } from 'zod';
import { PROCEDURES } from '../machines/catalog';
import { DEFAULT_INVENTORY_FILE, Inventory, loadInventory } from '../simulator/inventory';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { groupRestartExample, osRestartExamples, scenarioExamples } from './example-inputs';

export interface CatalogEntry {
  id: string;
  workflowType: string;
  taskQueue: string;
  description: string;
  inputSchema: unknown;
  exampleInput: unknown;
}

const EXAMPLES: Record<string, (inventory: Inventory) => unknown> = {
  'restart-group-without-cache-deletion': (inv) => groupRestartExample(inv, 'london'),
  'restart-group-with-cache-deletion': (inv) => groupRestartExample(inv, 'london'),
  'create-group-from-standalone-spocs': (inv) => scenarioExamples(inv)['create-group-from-standalone-spocs'],
  'add-spoc-to-group': (inv) => scenarioExamples(inv)['add-spoc-to-group'],
  'remove-spoc-from-group': (inv) => scenarioExamples(inv)['remove-spoc-from-group'],
  'move-spoc-to-another-group': (inv) => scenarioExamples(inv)['move-spoc-to-another-group'],
  'ip-address-changed': (inv) => scenarioExamples(inv)['ip-address-changed'],
  'restart-os-of-standalone-spocs': (inv) => osRestartExamples(inv)['restart-os-of-standalone-spocs'],
  'restart-os-of-group-members': (inv) => osRestartExamples(inv)['restart-os-of-group-members'],
  'group-members-restarted-in-parallel': (inv) => groupRestartExample(inv, 'london'),
};

export function catalogEntries(inventory: Inventory = loadInventory(DEFAULT_INVENTORY_FILE)): CatalogEntry[] {
  return PROCEDURES.map((p) => {
    const example = EXAMPLES[p.id];
    if (!example) throw new Error(`procedure ${p.id} has no example input`);
    return {
      id: p.id,
      workflowType: p.workflowType,
      taskQueue: CENTRAL_TASK_QUEUE,
      description: p.description,
      // `io: 'input'`: fields with defaults are optional for whoever writes the input.
      inputSchema: z.toJSONSchema(p.inputSchema, { io: 'input' }),
      exampleInput: example(inventory),
    };
  });
}
