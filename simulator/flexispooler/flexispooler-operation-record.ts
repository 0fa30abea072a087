/**
 * The simulated FlexiSpooler network's operation record, `<data dir>/sim/flexispooler-operations.jsonl`:
 * one JSON object a line for every delivery step — DHCP option 9 asked, a job sent to a Spooler
 * Controller or through the public server, a job printed — with the time, the client, the job,
 * the operation, the server and the outcome. Tests read it to prove that every job was held and
 * printed exactly once.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface FlexiSpoolerOperationEntry {
  time: string;
  client: string;
  /** Null for what concerns no job (DHCP). */
  job: string | null;
  operation: 'dhcp-option-9' | 'deliver-to-spooler-controller' | 'deliver-through-public-server' | 'print' | 'server-down' | 'server-up' | 'move-client' | 'option-9-withheld' | 'option-9-restored';
  server: string;
  outcome: string;
  /** A release of jobs from several servers: that their order is not kept. */
  note?: string;
}

export const FLEXISPOOLER_OPERATIONS_FILE = 'flexispooler-operations.jsonl';

export function flexiSpoolerOperationsFile(simDir: string): string {
  return path.join(simDir, FLEXISPOOLER_OPERATIONS_FILE);
}

export class FlexiSpoolerOperationRecord {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Appends one line stamped now (one synchronous append: a line stays whole if the process dies right after). */
  append(entry: Omit<FlexiSpoolerOperationEntry, 'time'>): void {
    appendFileSync(this.file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }

  read(): FlexiSpoolerOperationEntry[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as FlexiSpoolerOperationEntry);
  }
}
