/**
 * The catalog as the outside world sees it: every procedure with its JSON Schema (generated from
 * the zod schema) and an example input that runs against the embedded simulated fleet. The
 * examples are built from the simulator's inventory and clusters, so the catalog lives on the
 * simulator side (the CLI and the scripts may import it; client/ and the production roles do not).
 */
import path from 'node:path';
import { z } from 'zod';
import { dataDir } from '../engine/data-dir';
import { STARTABLE } from '../machines/startable';
import { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
import { fleetRolloutExample, groupRestartExample, osRestartExamples, scenarioExamples } from './example-inputs';
import { simClusters } from './jobscheduler/sim-clusters';
import { ANN, simPrintJobInput } from './flexispooler/sim-network-definition';
import { DEFAULT_INVENTORY_FILE, Inventory, loadInventory } from './spoc/inventory';

export interface CatalogEntry {
  id: string;
  workflowType: string;
  taskQueue: string;
  description: string;
  inputSchema: unknown;
  exampleInput: unknown;
}

/** The simulated JobScheduler cluster's definition, as a supervisor's example input. */
export function clusterExample(simDir: string, name: string) {
  const cluster = simClusters(simDir).find((c) => c.definition.cluster === name);
  if (!cluster) throw new Error(`no simulated cluster ${name}`);
  return { cluster: cluster.definition, watch: { pollMs: 100, maxWatchSeconds: 60 } };
}

const EXAMPLES: Record<string, (inventory: Inventory, simDir: string) => unknown> = {
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
  'supervise-passive-cluster': (_inv, simDir) => clusterExample(simDir, 'berlin'),
  'supervise-active-cluster': (_inv, simDir) => clusterExample(simDir, 'munich'),
  // The Windows backup of berlin moves behind a new precedence: stop, remove, edit, install, start.
  'set-cluster-option': (_inv, simDir) => ({ cluster: clusterExample(simDir, 'berlin').cluster, host: 'js-berlin-3', options: '-exclusive -backup -backup-precedence=3' }),
  // Ann's laptop, installed in Prague with DHCP option 9 discovery, prints one document.
  'deliver-print-job': () => simPrintJobInput(ANN, { id: 'ann-0001', document: 'quarterly report.pdf' }),
  'fleet-rollout': (inv) => fleetRolloutExample(inv),
};

/** `simDir`: the simulated fleet's folder, where the simulated clusters keep their databases. */
export function catalogEntries(inventory: Inventory = loadInventory(DEFAULT_INVENTORY_FILE), simDir = path.join(dataDir(), 'sim')): CatalogEntry[] {
  return STARTABLE.map((p) => {
    const example = EXAMPLES[p.id];
    if (!example) throw new Error(`procedure ${p.id} has no example input`);
    return {
      id: p.id,
      workflowType: p.workflowType,
      taskQueue: CENTRAL_TASK_QUEUE,
      description: p.description,
      // `io: 'input'`: fields with defaults are optional for whoever writes the input.
      inputSchema: z.toJSONSchema(p.inputSchema, { io: 'input' }),
      exampleInput: example(inventory, simDir),
    };
  });
}
