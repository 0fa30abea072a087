/**
 * Simulated spoolers: each keeps its print jobs as folders on disk, under
 * `<data dir>/sim/spoolers/<spooler>/jobs/<job id>/` (the spool folder the production activities read
 * and delete from), and its connection to the Job Service in `.../connection.json`, so the CLI can
 * disconnect and reconnect it while `npm start` runs. Every report, command and deletion goes to
 * `<data dir>/sim/spool-cleaning-operations.jsonl`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SpoolFolder } from '../../activities/spoolcleaning/spool-folder';
import { hostNameSchema } from '../../machines/core/input-rules';
import type { JobState } from '../../machines/spoolcleaning/spool-cleaning-config';
import { OperationRecord } from '../core/operation-record';

const connectionSchema = z.object({
  connected: z.boolean(),
  /** Still reports, but goes away as the next delete command comes, before receiving it (the edge case). */
  disconnectBeforeCommand: z.boolean(),
  /**
   * Its users print the jobs of the next delete command again just before the command comes (once):
   * the race between a report and its command that the spooler's own check before a delete closes.
   */
  reprintBeforeCommand: z.boolean().optional(),
});
export type SpoolerConnection = z.output<typeof connectionSchema>;

export class UnknownSpoolerError extends Error {
  override readonly name = 'UnknownSpoolerError';
}

export class SimSpoolers {
  readonly root: string;
  readonly record: OperationRecord;

  constructor(readonly simDir: string) {
    this.root = path.join(simDir, 'spoolers');
    this.record = new OperationRecord(path.join(simDir, 'spool-cleaning-operations.jsonl'));
  }

  /** The spoolers that exist in the data folder. */
  names(): string[] {
    return existsSync(this.root) ? readdirSync(this.root).filter((name) => existsSync(this.connectionFile(name))).sort() : [];
  }

  /** Creates a spooler (connected, empty) unless it exists; true when it was created. */
  ensure(spooler: string): boolean {
    if (existsSync(this.connectionFile(spooler))) return false;
    mkdirSync(this.folder(spooler).root, { recursive: true });
    this.writeConnection(spooler, { connected: true, disconnectBeforeCommand: false });
    return true;
  }

  folder(spooler: string): SpoolFolder {
    return new SpoolFolder(path.join(this.root, hostNameSchema.parse(spooler), 'jobs'));
  }

  /** A print job arrives on the spooler (or its state changes). */
  putJob(spooler: string, jobId: string, state: JobState, submittedAt: number): void {
    this.require(spooler);
    this.folder(spooler).write({ jobId, state, submittedAt }, `%!PS-Adobe-3.0 job ${jobId}\n`);
    this.note(spooler, 'job-spooled', jobId, state);
  }

  connection(spooler: string): SpoolerConnection {
    this.require(spooler);
    return connectionSchema.parse(JSON.parse(readFileSync(this.connectionFile(spooler), 'utf8')));
  }

  /** Disconnects the spooler now, or (`beforeCommand`) as its next delete command comes, before receiving it. */
  disconnect(spooler: string, opts: { beforeCommand?: boolean } = {}): SpoolerConnection {
    this.require(spooler);
    const next = opts.beforeCommand ? { connected: true, disconnectBeforeCommand: true } : { connected: false, disconnectBeforeCommand: false };
    this.writeConnection(spooler, next);
    this.note(spooler, opts.beforeCommand ? 'disconnect-before-command' : 'disconnect', spooler, 'accepted');
    return next;
  }

  reconnect(spooler: string): SpoolerConnection {
    this.require(spooler);
    const next = { connected: true, disconnectBeforeCommand: false };
    this.writeConnection(spooler, next);
    this.note(spooler, 'reconnect', spooler, 'accepted');
    return next;
  }

  /** As the next delete command comes, its jobs are being printed again (once): the spooler must keep them. */
  reprintBeforeCommand(spooler: string): SpoolerConnection {
    const next = { ...this.connection(spooler), reprintBeforeCommand: true };
    this.writeConnection(spooler, next);
    this.note(spooler, 'reprint-before-command', spooler, 'accepted');
    return next;
  }

  /** The jobs of a delete command that comes now, printed again first when the spooler was told so (once). */
  reprintIfDue(spooler: string, jobIds: readonly string[]): void {
    const connection = this.connection(spooler);
    if (!connection.reprintBeforeCommand) return;
    this.writeConnection(spooler, { ...connection, reprintBeforeCommand: false });
    const folder = this.folder(spooler);
    for (const job of folder.list().filter((j) => jobIds.includes(j.jobId))) this.putJob(spooler, job.jobId, 'printing', job.submittedAt);
  }

  note(spooler: string, operation: string, target: string, outcome: string): void {
    this.record.append({ time: new Date().toISOString(), host: spooler, operation, target, outcome });
  }

  private require(spooler: string): void {
    if (!existsSync(this.connectionFile(spooler))) throw new UnknownSpoolerError(`no simulated spooler "${spooler}" (spoolers: ${this.names().join(', ') || 'none'})`);
  }

  private writeConnection(spooler: string, connection: SpoolerConnection): void {
    const file = this.connectionFile(spooler);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(connection));
    renameSync(`${file}.tmp`, file);
  }

  private connectionFile(spooler: string): string {
    return path.join(this.root, hostNameSchema.parse(spooler), 'connection.json');
  }
}
