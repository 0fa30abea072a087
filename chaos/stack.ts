/**
 * The stack a chaos run kills parts of: the Temporal dev server (kept across runs, started again
 * on its port and data after a kill), the central worker and the host agents (each an OS process
 * of chaos/estate-process.ts, on a run's own data folder). A part that dies by itself (a worker
 * whose server went away exits) is started again by `keepUp`, as a service manager would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { SimFaults } from '../simulator/spoc/sim-host-state';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { SpoolflowClient } from '../client/spoolflow-client';
import { startTestTemporal, type TestTemporal } from '../test/helpers/temporal-server';

const ROOT = path.join(__dirname, '..');

export type Part = 'central' | 'agents';

/** How long a part may take to end on SIGTERM before it is killed. */
const STOP_GRACE_MS = 90_000;
export type KillKind = 'worker' | 'agents' | 'server' | 'stack';

export class ChaosStack {
  private temporal!: TestTemporal;
  private readonly crashed: TestTemporal[] = [];
  private client_: Client | undefined;
  private clientConnection: Connection | undefined;
  private readonly replaced: Connection[] = [];
  private readonly parts = new Map<Part, ChildProcess>();
  /** Parts down on purpose (between a kill and its restart, or after `stopParts`). */
  private readonly held = new Set<Part>();
  private run: { dataDir: string; inventoryFile: string } | undefined;
  private keeper: NodeJS.Timeout | undefined;
  /** Output of the parts that died by themselves, for the report. */
  readonly deaths: string[] = [];
  private readonly outputs = new Map<ChildProcess, string>();

  async startServer(): Promise<void> {
    this.temporal = await startTestTemporal();
    await this.connectClient();
  }

  get address(): string {
    return this.temporal.server.address;
  }

  get client(): Client {
    if (!this.client_) throw new Error('the chaos stack has no client: start the server first');
    return this.client_;
  }

  get spoolflow(): SpoolflowClient {
    return new SpoolflowClient(this.client);
  }

  private async connectClient(): Promise<void> {
    // The old connection stays open until the end: a call still retrying on it (a long Update, a
    // listing) would otherwise throw "Channel has been shut down" from its retry timer, uncaught.
    if (this.clientConnection) this.replaced.push(this.clientConnection);
    this.clientConnection = await Connection.connect({ address: this.temporal.server.address });
    this.client_ = new Client({ connection: this.clientConnection, namespace: this.temporal.namespace });
  }

  /** Starts the central worker and the agents on a run's data folder, and keeps them up. */
  startParts(run: { dataDir: string; inventoryFile: string }): void {
    this.run = run;
    this.held.clear();
    this.spawnPart('agents');
    this.spawnPart('central');
    this.keeper = setInterval(() => this.keepUp(), 500);
  }

  /** SIGTERM to both parts, and waits for them to end. */
  async stopParts(): Promise<void> {
    if (this.keeper) clearInterval(this.keeper);
    this.held.add('central').add('agents');
    await Promise.all([...this.parts.keys()].map((p) => this.stopPart(p)));
  }

  /**
   * SIGTERM, and SIGKILL if the part has not ended 90 s later (it gives up by itself after 60 s:
   * estate-process.ts); a part that had to be killed is reported, never waited for for ever.
   */
  private async stopPart(part: Part): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
    const outcome = await Promise.race([this.signal(part, 'SIGTERM'), late]);
    clearTimeout(timer);
    if (outcome !== 'late') return;
    const child = this.parts.get(part);
    const stuck = `${part} did not end within ${STOP_GRACE_MS / 1000} s of SIGTERM (killed); its last output: ${((child && this.outputs.get(child)) ?? '').slice(-600)}`;
    this.deaths.push(stuck);
    console.log(`  ${stuck}`);
    await this.signal(part, 'SIGKILL');
  }

  /** Sends a fault change to the agents process; false when it is not running now. */
  setFaults(host: string, faults: SimFaults): boolean {
    const agents = this.parts.get('agents');
    if (!agents?.connected) return false;
    agents.send({ host, faults });
    return true;
  }

  /** The operator starts a service by hand on a simulated host; false when the agents process is not running now. */
  startByHand(host: string, service: string): boolean {
    const agents = this.parts.get('agents');
    if (!agents?.connected) return false;
    agents.send({ host, startByHand: service });
    return true;
  }

  /** Active jobs on a simulated SPOC (users printing), which the procedures' load check halts on; false when the agents process is not running now. */
  setLoad(host: string, activeJobs: number): boolean {
    const agents = this.parts.get('agents');
    if (!agents?.connected) return false;
    agents.send({ host, load: activeJobs });
    return true;
  }

  /** kill -9 of a JobScheduler member (a scheduler crash), done by the agents process; false when it is not running now. */
  killMember(member: string): boolean {
    const agents = this.parts.get('agents');
    if (!agents?.connected) return false;
    agents.send({ killMember: member });
    return true;
  }

  /**
   * kill -9 of every JobScheduler member of the run: they are detached processes that outlive the
   * agents process (as schedulers on their own hosts would), so nothing else ends them.
   */
  async killMembers(): Promise<void> {
    const simDir = this.run && path.join(this.run.dataDir, 'sim');
    // A run's folder removed after its end: its members were killed then (and a fleet would create the folder again).
    if (simDir && existsSync(simDir)) await new SchedulerFleet(simDir).killAll();
  }

  /** kill -9 of one part or the whole stack; what was killed is started again after `downMs`. */
  async kill(kind: KillKind, downMs: number): Promise<void> {
    const parts: Part[] = kind === 'worker' ? ['central'] : kind === 'agents' ? ['agents'] : kind === 'stack' ? ['central', 'agents'] : [];
    for (const p of parts) this.held.add(p);
    await Promise.all(parts.map((p) => this.signal(p, 'SIGKILL')));
    if (kind === 'server' || kind === 'stack') await this.killServer();
    await sleep(downMs);
    if (kind === 'server' || kind === 'stack') await this.restartServer();
    for (const p of parts) {
      this.held.delete(p);
      this.spawnPart(p);
    }
  }

  private async killServer(): Promise<void> {
    this.temporal.server.process?.kill('SIGKILL');
    await new Promise<void>((resolve) => {
      const child = this.temporal.server.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
    this.crashed.push(this.temporal);
  }

  private async restartServer(): Promise<void> {
    const killed = this.temporal;
    const port = Number(killed.server.address.split(':').pop());
    this.temporal = await startTestTemporal({ dir: killed.dir, port });
    await this.connectClient();
  }

  private keepUp(): void {
    for (const part of ['agents', 'central'] as const) {
      const child = this.parts.get(part);
      const dead = !child || child.exitCode !== null || child.signalCode !== null;
      if (dead && !this.held.has(part)) {
        if (child) this.deaths.push(`${part} exited ${child.exitCode ?? child.signalCode}: ${(this.outputs.get(child) ?? '').slice(-400)}`);
        this.spawnPart(part);
      }
    }
  }

  private spawnPart(part: Part): void {
    if (!this.run) throw new Error('no run: startParts first');
    // tsx's register hook in the child itself: a tsx CLI would leave a grandchild that SIGKILL misses.
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'chaos', 'estate-process.ts'), part], {
      cwd: ROOT,
      env: { ...isolatedEnv(this.run.dataDir), TEMPORAL_ADDRESS: this.address, TEMPORAL_NAMESPACE: this.temporal.namespace, SPOOLFLOW_DATA_DIR: this.run.dataDir, SPOOLFLOW_INVENTORY: this.run.inventoryFile },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.outputs.set(child, '');
    const collect = (d: Buffer) => this.outputs.set(child, ((this.outputs.get(child) ?? '') + d.toString()).slice(-4000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', () => undefined);
    this.parts.set(part, child);
  }

  private signal(part: Part, signal: NodeJS.Signals): Promise<void> {
    const child = this.parts.get(part);
    return new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async close(): Promise<void> {
    await this.stopParts();
    await this.killMembers();
    for (const connection of [...this.replaced, this.clientConnection]) await connection?.close().catch(() => undefined);
    await this.temporal.close();
    for (const server of this.crashed.reverse()) await server.close().catch(() => undefined);
  }
}

/** This process's environment without the developer's own Temporal settings (as test/helpers/worker-process.ts). */
function isolatedEnv(dataDir: string): NodeJS.ProcessEnv {
  const noProfiles = path.join(dataDir, 'no-profiles.toml');
  writeFileSync(noProfiles, '');
  const own = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_') || name === 'TEMPORAL_CLI'));
  return { ...own, TEMPORAL_CONFIG_FILE: noProfiles };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
