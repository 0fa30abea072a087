/**
 * What the simulated FlexiSpooler network remembers, in one SQLite file
 * (`<data dir>/sim/flexispooler/network.sqlite`) that `npm start`'s workers and `spoolflow sim
 * network ...` share: where each client's computer is, which servers are down, where DHCP sends
 * no option 9, which server holds which job and what was printed.
 *
 * The job id is the key of both `held` and `printed`: a server that is sent a job it (or another
 * server of the estate) holds already answers `already-held`, and a job is printed once, whatever
 * repeats a crash or a retry causes. Every change is one transaction, so two processes never see
 * half of one.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SIM_CLIENTS, SIM_NETWORKS, SimNetworkName } from './sim-network-definition';

export interface HeldJobRow {
  jobId: string;
  server: string;
  client: string;
  user: string;
  document: string;
  via: 'spooler-controller' | 'public-server';
  heldAt: string;
}

export interface PrintedJobRow {
  jobId: string;
  server: string;
  printer: string;
  office: string;
  printedAt: string;
}

export function simNetworkFile(simDir: string): string {
  return path.join(simDir, 'flexispooler', 'network.sqlite');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS client_networks (client TEXT PRIMARY KEY, network TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS servers_down (server TEXT PRIMARY KEY, since TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS servers_slow (server TEXT PRIMARY KEY, delay_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS option9_outages (network TEXT PRIMARY KEY, since TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS held (job_id TEXT PRIMARY KEY, server TEXT NOT NULL, client TEXT NOT NULL, user TEXT NOT NULL, document TEXT NOT NULL, via TEXT NOT NULL, held_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS printed (job_id TEXT PRIMARY KEY, server TEXT NOT NULL, printer TEXT NOT NULL, office TEXT NOT NULL, printed_at TEXT NOT NULL);
`;

export class SimNetworkStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    // Clients start on their usual network the first time; later starts keep where they were.
    const place = this.db.prepare('INSERT OR IGNORE INTO client_networks (client, network) VALUES (?, ?)');
    for (const c of SIM_CLIENTS) place.run(c.client, c.network);
  }

  close(): void {
    this.db.close();
  }

  networkOf(client: string): SimNetworkName | undefined {
    const row = this.db.prepare('SELECT network FROM client_networks WHERE client = ?').get(client) as { network: string } | undefined;
    return row && row.network in SIM_NETWORKS ? (row.network as SimNetworkName) : undefined;
  }

  clients(): { client: string; network: string }[] {
    return this.db.prepare('SELECT client, network FROM client_networks ORDER BY client').all() as { client: string; network: string }[];
  }

  moveClient(client: string, network: SimNetworkName): void {
    this.db.prepare('INSERT INTO client_networks (client, network) VALUES (?, ?) ON CONFLICT(client) DO UPDATE SET network = excluded.network').run(client, network);
  }

  isDown(server: string): boolean {
    return this.db.prepare('SELECT 1 FROM servers_down WHERE server = ?').get(server) !== undefined;
  }

  serversDown(): string[] {
    return (this.db.prepare('SELECT server FROM servers_down ORDER BY server').all() as { server: string }[]).map((r) => r.server);
  }

  setDown(server: string, down: boolean): void {
    if (down) this.db.prepare('INSERT OR IGNORE INTO servers_down (server, since) VALUES (?, ?)').run(server, new Date().toISOString());
    else this.db.prepare('DELETE FROM servers_down WHERE server = ?').run(server);
  }

  /** How long the server takes to answer a delivery it took (a slow link): 0 unless set. */
  slowness(server: string): number {
    const row = this.db.prepare('SELECT delay_ms AS delayMs FROM servers_slow WHERE server = ?').get(server) as { delayMs: number } | undefined;
    return row?.delayMs ?? 0;
  }

  setSlowness(server: string, delayMs: number): void {
    if (delayMs > 0) this.db.prepare('INSERT INTO servers_slow (server, delay_ms) VALUES (?, ?) ON CONFLICT(server) DO UPDATE SET delay_ms = excluded.delay_ms').run(server, delayMs);
    else this.db.prepare('DELETE FROM servers_slow WHERE server = ?').run(server);
  }

  slowServers(): { server: string; delayMs: number }[] {
    return this.db.prepare('SELECT server, delay_ms AS delayMs FROM servers_slow ORDER BY server').all() as { server: string; delayMs: number }[];
  }

  option9Withheld(network: string): boolean {
    return this.db.prepare('SELECT 1 FROM option9_outages WHERE network = ?').get(network) !== undefined;
  }

  option9Outages(): string[] {
    return (this.db.prepare('SELECT network FROM option9_outages ORDER BY network').all() as { network: string }[]).map((r) => r.network);
  }

  setOption9Withheld(network: string, withheld: boolean): void {
    if (withheld) this.db.prepare('INSERT OR IGNORE INTO option9_outages (network, since) VALUES (?, ?)').run(network, new Date().toISOString());
    else this.db.prepare('DELETE FROM option9_outages WHERE network = ?').run(network);
  }

  /** Holds the job on `server` unless the estate holds it already: true when it was taken now. */
  hold(job: Omit<HeldJobRow, 'heldAt'>): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO held (job_id, server, client, user, document, via, held_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(job.jobId, job.server, job.client, job.user, job.document, job.via, new Date().toISOString());
    return result.changes === 1;
  }

  heldJob(jobId: string): HeldJobRow | undefined {
    return this.db.prepare(`${SELECT_HELD} WHERE job_id = ?`).get(jobId) as HeldJobRow | undefined;
  }

  /** The user's jobs held and not printed yet, oldest first. */
  waitingJobsOf(user: string): HeldJobRow[] {
    return this.db.prepare(`${SELECT_HELD} WHERE user = ? AND job_id NOT IN (SELECT job_id FROM printed) ORDER BY held_at, job_id`).all(user) as HeldJobRow[];
  }

  heldJobs(): HeldJobRow[] {
    return this.db.prepare(`${SELECT_HELD} ORDER BY held_at, job_id`).all() as HeldJobRow[];
  }

  /** Prints the job once: true when it was printed now, false when it had been already. */
  print(row: Omit<PrintedJobRow, 'printedAt'>): boolean {
    const result = this.db.prepare('INSERT OR IGNORE INTO printed (job_id, server, printer, office, printed_at) VALUES (?, ?, ?, ?, ?)').run(row.jobId, row.server, row.printer, row.office, new Date().toISOString());
    return result.changes === 1;
  }

  printedJob(jobId: string): PrintedJobRow | undefined {
    return this.db.prepare(`${SELECT_PRINTED} WHERE job_id = ?`).get(jobId) as PrintedJobRow | undefined;
  }

  printedJobs(): PrintedJobRow[] {
    return this.db.prepare(`${SELECT_PRINTED} ORDER BY printed_at, job_id`).all() as PrintedJobRow[];
  }

  /** Runs `work` in one transaction. */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}

const SELECT_HELD = 'SELECT job_id AS jobId, server, client, user, document, via, held_at AS heldAt FROM held';
const SELECT_PRINTED = 'SELECT job_id AS jobId, server, printer, office, printed_at AS printedAt FROM printed';
