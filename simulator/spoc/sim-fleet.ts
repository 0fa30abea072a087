/**
 * The simulated fleet: every site server of the inventory as a SimHost under
 * `<data dir>/sim/hosts/<host>`, the operation record at `<data dir>/sim/operations.jsonl`, a
 * ticker that lets simulated time pass, and the Management Server's view of the SPOCs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inventory } from './inventory';
import { OperationRecord } from '../core/operation-record';
import { SimClock } from '../core/sim-clock';
import { SimHost } from './sim-host';
import type { ManagementServerView } from '../../activities/spoc/management-server';

export class SimFleet {
  readonly hosts = new Map<string, SimHost>();
  readonly record: OperationRecord;
  readonly clock: SimClock;
  private ticker: NodeJS.Timeout | undefined;
  private readonly fleetFile: string;

  constructor(
    readonly inventory: Inventory,
    readonly simDir: string,
  ) {
    mkdirSync(simDir, { recursive: true });
    this.clock = new SimClock(inventory.timeScale);
    this.record = new OperationRecord(path.join(simDir, 'operations.jsonl'));
    this.fleetFile = path.join(simDir, 'fleet.json');
    for (const server of inventory.siteServers) {
      const host = new SimHost(server, path.join(simDir, 'hosts', server.host), this.clock, inventory.timings, this.record, inventory.seed);
      this.hosts.set(server.host.toLowerCase(), host);
    }
  }

  host(name: string): SimHost {
    const host = this.hosts.get(name.toLowerCase());
    if (!host) throw new Error(`no simulated host "${name}"; the inventory has ${[...this.hosts.keys()].join(', ')}`);
    return host;
  }

  /** Lets simulated time pass in the background. */
  start(intervalMs = 50): void {
    this.ticker ??= setInterval(() => this.advance(), intervalMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  advance(): void {
    for (const host of this.hosts.values()) host.advance();
  }

  /** Fleet-wide switches (the Management Server being down), kept on disk like the hosts. */
  get managementServerDown(): boolean {
    return existsSync(this.fleetFile) && (JSON.parse(readFileSync(this.fleetFile, 'utf8')) as { managementServerDown?: boolean }).managementServerDown === true;
  }

  set managementServerDown(down: boolean) {
    writeFileSync(this.fleetFile, JSON.stringify({ managementServerDown: down }));
  }

  /** The Management Server as the central worker sees it. */
  managementServer(): ManagementServerView {
    return {
      address: this.inventory.managementServer.host,
      ping: async () => {
        if (this.managementServerDown) throw new Error(`Management Server ${this.inventory.managementServer.host} does not answer`);
      },
      spocStatus: async (hosts) => {
        if (this.managementServerDown) throw new Error(`Management Server ${this.inventory.managementServer.host} does not answer`);
        return Object.fromEntries(
          hosts.map((h) => {
            const since = this.host(h).onlineSince();
            const group = this.inventory.groups.find((g) => g.members.some((m) => m.toLowerCase() === h.toLowerCase()))?.name ?? null;
            return [h, { online: since !== null, onlineSince: since === null ? null : new Date(since).toISOString(), activeJobs: this.host(h).activeJobs(), group }];
          }),
        );
      },
    };
  }
}
