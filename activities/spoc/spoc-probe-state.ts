/**
 * What the SPOC probes saw, kept in a small JSON file across restarts of the central worker. Without
 * it, every SPOC up at the worker's first probe reads "online since" that probe, and an OS restart
 * of group members running across the restart takes that for a parallel restart. With it, a SPOC
 * that stayed up keeps the time it came up.
 *
 * The file is trusted only for what a running monitor would have seen itself: an entry is used when
 * the host is probed at the same address and ports and its last probe is at most
 * `failuresBeforeDown` probe intervals before the new first one (a longer gap could hide a restart,
 * as a shorter outage hides from a running monitor too). Otherwise the host starts afresh, with the
 * documented limit. A missing file is a first start; an unreadable one is reported and not used.
 *
 * Written whole after each probe round to a temporary file in the same folder, then renamed over
 * the old one, so a crash mid-write leaves the previous file, never half of one.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../machines/core/input-errors';

const isoTime = z.iso.datetime({ offset: true });

const probeRecordSchema = z
  .object({
    address: z.string(),
    ports: z.array(z.number().int()),
    online: z.boolean(),
    /** When the monitor saw it come up (ISO); null while it is down. */
    onlineSince: isoTime.nullable(),
    /** Failed probes in a row since the last success. */
    failures: z.number().int().nonnegative(),
    lastProbeAt: isoTime,
  })
  .strict()
  .refine((r) => r.online === (r.onlineSince !== null), { message: 'onlineSince is a time exactly when online is true', path: ['onlineSince'] });

const probeStateSchema = z.object({ version: z.literal(1), hosts: z.record(z.string(), probeRecordSchema) }).strict();

/** One host as the probes last saw it. */
export type ProbeRecord = z.output<typeof probeRecordSchema>;

/** The file's hosts, or why there are none to use. */
export interface ReadProbeState {
  hosts: Map<string, ProbeRecord>;
  /** Set when the file exists but cannot be used; absent on a first start. */
  problem?: string;
}

/** Reads the probe state; never throws (a state that cannot be read is a fresh start, reported). */
export function readProbeState(file: string): ReadProbeState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: new Map() };
    return { hosts: new Map(), problem: `cannot read the SPOC probe state ${file} (${(err as Error).message}): every SPOC reads online since the first probe of this start` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { hosts: new Map(), problem: `the SPOC probe state ${file} is not JSON (${(err as Error).message}): not used, every SPOC reads online since the first probe of this start` };
  }
  const parsed = probeStateSchema.safeParse(json);
  if (!parsed.success) {
    return { hosts: new Map(), problem: `the SPOC probe state ${file} is of another shape (${describeIssues(parsed.error.issues)}): not used, every SPOC reads online since the first probe of this start` };
  }
  return { hosts: new Map(Object.entries(parsed.data.hosts)) };
}

/**
 * Whether a saved record may stand for what the monitor would have seen of the host until `now`:
 * the same endpoint, and a gap since its last probe no longer than `trustWithinMs` (and not
 * negative: a last probe in the future means the clock went back).
 */
export function isTrusted(saved: ProbeRecord, endpoint: { address: string; ports: number[] }, now: number, trustWithinMs: number): boolean {
  const gap = now - Date.parse(saved.lastProbeAt);
  const samePorts = saved.ports.length === endpoint.ports.length && saved.ports.every((p, i) => p === endpoint.ports[i]);
  return saved.address === endpoint.address && samePorts && gap >= 0 && gap <= trustWithinMs;
}

/** Writes the probe state atomically, one write at a time, in the order asked. */
export class ProbeStateWriter {
  private queue: Promise<void> = Promise.resolve();
  private lastProblem: string | undefined;

  /** `report` hears a write that failed, once per distinct problem (a full disk is not logged every 5 s). */
  constructor(
    readonly file: string,
    private readonly report: (line: string) => void,
  ) {}

  /** Creates the folder now, so a folder the worker cannot write is said at start. */
  prepare(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
    } catch (err) {
      this.fail(err);
    }
  }

  write(hosts: Record<string, ProbeRecord>): Promise<void> {
    const text = `${JSON.stringify({ version: 1, hosts }, null, 2)}\n`;
    this.queue = this.queue.then(() => this.writeNow(text));
    return this.queue;
  }

  private async writeNow(text: string): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, this.file);
      this.lastProblem = undefined;
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const problem = `cannot write the SPOC probe state ${this.file} (${(err as Error).message}): after a restart of the central worker, every SPOC will read online since that restart`;
    if (problem !== this.lastProblem) this.report(problem);
    this.lastProblem = problem;
  }
}
