/**
 * The simulated fleet's inventory: sites, site servers (install folder, services), SPOC groups,
 * standalone SPOCs and the Management Server, plus how the simulator behaves (time scale, service
 * timings). Validated with zod when loaded.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isOtherVendorService } from '../../machines/spoc/spoc-services';
import { describeIssues } from '../../machines/core/input-errors';
import { sourceDir } from '../../engine/source-dir';

const serviceSchema = z.object({
  /** Service key name, what sc.exe takes. */
  key: z.string().min(1),
  /** Display name, what the runbook and the procedures say. */
  display: z.string().min(1),
});

const siteServerSchema = z.object({
  host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/),
  site: z.string().min(1),
  installDir: z.string().regex(/^[A-Za-z]:\\/, 'must be an absolute Windows path such as C:\\Program Files\\Dispatcher Paragon'),
  /** Every service on the host: role, protected, other vendor services and Windows' own (Print Spooler, WinRM). */
  services: z.array(serviceSchema).min(3),
  /** Jobs in the SPOC cache at first start of the simulation. */
  jobsInCache: z.number().int().min(0).default(20),
});

/** Simulated durations in simulated seconds; the time scale turns them into real time. */
const timingsSchema = z.object({
  stopSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([3, 8]),
  startSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([5, 12]),
  groupServiceAutoStartSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([60, 120]),
  onlineAfterStartSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([20, 40]),
  rescueSecondsPerJob: z.number().min(0).default(0.5),
  recoverySecondsPerJob: z.number().min(0).default(2),
  /** An OS restart: Windows stops the services and shuts down, then boots and starts them again. */
  shutdownSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([20, 40]),
  bootSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([90, 180]),
});

export const inventorySchema = z.object({
  /** Simulated seconds per real second: 60 makes a 90 s group-service start take 1.5 s. */
  timeScale: z.number().min(1).max(100_000).default(60),
  seed: z.number().int().default(1),
  managementServer: z.object({ host: z.string().min(1) }),
  timings: timingsSchema.default({
    stopSeconds: [3, 8],
    startSeconds: [5, 12],
    groupServiceAutoStartSeconds: [60, 120],
    onlineAfterStartSeconds: [20, 40],
    rescueSecondsPerJob: 0.5,
    recoverySecondsPerJob: 2,
    shutdownSeconds: [20, 40],
    bootSeconds: [90, 180],
  }),
  siteServers: z.array(siteServerSchema).min(1),
  groups: z.array(z.object({ name: z.string().min(1), members: z.array(z.string()).min(1) })).default([]),
  standalone: z.array(z.string()).default([]),
});

export type Inventory = z.infer<typeof inventorySchema>;
export type SiteServer = Inventory['siteServers'][number];
export type SimTimings = Inventory['timings'];

/** Loads and validates an inventory file; errors name the field. */
export function loadInventory(file: string): Inventory {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`inventory ${file} is invalid: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export const DEFAULT_INVENTORY_FILE = path.join(sourceDir(__dirname), 'default-inventory.json');

/** The services of a site server that step 3 stops as "other services": the vendor's, not by role, not protected. */
export function otherServicesOf(server: SiteServer): string[] {
  return server.services.filter((s) => isOtherVendorService(s)).map((s) => s.display);
}

export function serverByHost(inventory: Inventory, host: string): SiteServer {
  const server = inventory.siteServers.find((s) => s.host.toLowerCase() === host.toLowerCase());
  if (!server) throw new Error(`host "${host}" is not in the inventory`);
  return server;
}
