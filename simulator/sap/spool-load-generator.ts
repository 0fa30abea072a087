/**
 * The load on the simulated SAP systems: output requests to devices with and without a set
 * sequence (and frontend requests as of 4.6A) at a steady rate, and the management tasks at their
 * intervals: host spool demands and link checks per server, the global ones to any server. Each
 * goes to its server's dispatcher as the `sap.submitSpoolTask` Update; one refused by a server shut
 * down goes where that server's requests went, as the clients of a real system would give it.
 */
import type { Client } from '@temporalio/client';
import { parseRelease, tasksOf } from '../../machines/sap/spool-releases';
import type { SpoolTask } from '../../machines/sap/spool-tasks';
import { submitFollowingShutdowns } from '../../client/sap-spool-submit';
import type { SimSapSystem } from './sim-sap-estate';

export interface LoadSettings {
  /** An output request every this many ms, per system. */
  outputEveryMs: number;
  /** Share of output requests that are frontend requests (as of 4.6A). */
  frontendShare: number;
  /** Every this many ms: host spool demand (per server), link check (per server), one global task. */
  demandEveryMs: number;
  linkCheckEveryMs: number;
  globalEveryMs: number;
}

export const DEFAULT_LOAD: LoadSettings = { outputEveryMs: 1500, frontendShare: 0.1, demandEveryMs: 20_000, linkCheckEveryMs: 60_000, globalEveryMs: 45_000 };

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Task ids unique across runs of the simulator. */
function idMaker(): (what: string) => string {
  let n = 0;
  const run = Date.now().toString(36);
  return (what) => `${what}-${run}-${(n += 1)}`;
}

/** The tasks due at one tick of a kind, for one system. */
export function tasksFor(system: SimSapSystem, kind: 'output' | 'demand' | 'link-check' | 'global', id: (what: string) => string, frontendShare = 0): { server: string; task: SpoolTask }[] {
  const tasks = tasksOf(parseRelease(system.release).step);
  const servers = system.servers.map((s) => s.server);
  switch (kind) {
    case 'output': {
      const server = pick(servers);
      if (tasks.frontendOutputBySpool && Math.random() < frontendShare) return [{ server, task: { kind: 'output', id: id('output'), device: 'frontend', sequence: false, frontend: true } }];
      const device = pick(system.devices);
      return [{ server, task: { kind: 'output', id: id('output'), device: device.name, sequence: device.sequence, frontend: false } }];
    }
    case 'demand':
      return servers.map((server) => ({ server, task: { kind: 'management', id: id('host-spool-demand'), task: 'host-spool-demand' } }));
    case 'link-check':
      return tasks.local.includes('link-check') ? servers.map((server) => ({ server, task: { kind: 'management', id: id('link-check'), task: 'link-check' } })) : [];
    case 'global': {
      const task = pick(tasks.global.filter((t) => t !== 'reassign-requests')); // reassigning belongs to a server's shutdown
      return [{ server: pick(servers), task: { kind: 'management', id: id(task), task } }];
    }
  }
}

/**
 * Runs the load until stopped; a submission that fails is logged and the load goes on. A task given
 * to a server shut down follows it (`submitFollowingShutdowns`); the first few and every 100th
 * are logged, so the operator sees the load go where the shutdown sent it.
 */
export function startSpoolLoad(client: Client, systems: SimSapSystem[], settings: LoadSettings, log: (m: string) => void): { stop(): void } {
  const id = idMaker();
  let failures = 0;
  let followed = 0;
  const submit = (system: SimSapSystem, kind: Parameters<typeof tasksFor>[1]) => {
    for (const { server, task } of tasksFor(system, kind, id, settings.frontendShare)) {
      submitFollowingShutdowns(client, system.system, server, task).then(({ server: takenBy, passedBy }) => {
        if (passedBy.length === 0) return;
        followed += 1;
        if (followed <= 3 || followed % 100 === 0) log(`sap load: ${task.id} for ${server} given to ${takenBy} (${passedBy.join(', then ')} sent it on; ${followed} so far)`);
      }, (err: unknown) => {
        failures += 1;
        // A refused Update says why in its cause (the dispatcher's validator: full, shut down, ...).
        const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        if (failures <= 3 || failures % 100 === 0) log(`sap load: ${task.id} to ${server} not submitted (${failures} so far): ${why}`);
      });
    }
  };
  const timers = systems.flatMap((system) => [
    setInterval(() => submit(system, 'output'), settings.outputEveryMs),
    setInterval(() => submit(system, 'demand'), settings.demandEveryMs),
    setInterval(() => submit(system, 'link-check'), settings.linkCheckEveryMs),
    setInterval(() => submit(system, 'global'), settings.globalEveryMs),
  ]);
  return { stop: () => timers.forEach((t) => clearInterval(t)) };
}
