/**
 * A simulated fleet for a test: the default inventory, fast (time scale 600), in its own folder,
 * with its host agents and the central worker connected to the test's Temporal server.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_INVENTORY_FILE, Inventory, loadInventory } from '../../simulator/spoc/inventory';
import { SimFleet } from '../../simulator/spoc/sim-fleet';
import { createCentralWorkers, type CentralWorkerOptions } from '../../worker/central-worker';
import { createHostAgentWorker, createSimHostAgents, RunningAgent, simHostAgentDeps, SimHostAgent } from '../../simulator/spoc/sim-host-agents';
import type { TestTemporal } from './temporal-server';

export function testInventory(overrides: Partial<Inventory> = {}): Inventory {
  return { ...loadInventory(DEFAULT_INVENTORY_FILE), timeScale: 600, ...overrides };
}

export function createTestFleet(inventory: Inventory = testInventory()): SimFleet {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-fleet-'));
  const fleet = new SimFleet(inventory, path.join(dir, 'sim'));
  fleet.start(20);
  return fleet;
}

/** `withoutAgents`: hosts whose agent is not started; `agents` receives the simulated hosts' agents, for tests that look at them. */
export interface FleetWorkerOptions {
  withoutAgents?: string[];
  agents?: (agents: SimHostAgent[]) => void;
  /** Central activities in place of the worker's own of the same name (a test's slow look). */
  centralActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** The central worker's activity places (default the SDK's 100). */
  centralActivitySlots?: number;
}

/** Runs the central worker and every host agent (but those of `withoutAgents`) while `fn` runs. */
export async function withWorkers<T>(temporal: TestTemporal, fleet: SimFleet, fn: () => Promise<T>, opts: FleetWorkerOptions = {}): Promise<T> {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const agents = createSimHostAgents(conn, fleet, 20, opts.withoutAgents);
  opts.agents?.(agents);
  const extraActivities = opts.centralActivities as CentralWorkerOptions['extraActivities'];
  const workers: RunningAgent[] = [...(await createCentralWorkers({ ...conn, managementServer: fleet.managementServer(), pollMs: 50, ...(extraActivities ? { extraActivities } : {}), ...(opts.centralActivitySlots ? { maxConcurrentActivityTaskExecutions: opts.centralActivitySlots } : {}) })), ...agents];
  let result: T | undefined;
  let failure: unknown;
  const running = workers.map((w) => w.run());
  try {
    result = await fn();
  } catch (err) {
    failure = err;
  }
  for (const w of workers) w.shutdown();
  await Promise.all(running);
  if (failure) throw failure;
  return result as T;
}

/**
 * Starts the agents of these hosts (held back by `withoutAgents`) while the rest already run: a
 * procedure on them waits at its first step until now. Returns what stops them again.
 */
export async function startAgentsLate(temporal: TestTemporal, fleet: SimFleet, hosts: string[]): Promise<() => Promise<void>> {
  const conn = { connection: temporal.nativeConnection, namespace: temporal.namespace };
  const workers = await Promise.all(hosts.map((h) => createHostAgentWorker(conn, simHostAgentDeps(fleet.host(h), 20))));
  const running = workers.map((w) => w.run());
  return async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running);
  };
}
