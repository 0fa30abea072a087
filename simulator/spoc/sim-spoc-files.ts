/**
 * The SPOC's files on a simulated site server, as real files on this machine: its lifecycle log
 * and main log (rotated like a size-based log4j appender) and its spool cache folder. The host
 * (sim-host.ts) decides what is written when; this says where and in which format.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLogTimestamp } from '../../activities/spoc/spoc-logs';

export class SimSpocFiles {
  constructor(
    /** This machine's path of a Windows path on the host. */
    private readonly localPath: (windowsPath: string) => string,
    private readonly installDir: string,
  ) {}

  /** A line of spoc_lifecycle.log: the status the Management Server reads. */
  appendLifecycle(status: string, at: number): void {
    this.appendLog(this.lifecycleLog(), `${formatLogTimestamp(at)} INFO  [SpocLifecycle] Lifecycle status: ${status}`);
  }

  /** A line of spoc.log, stamped with its due time. */
  appendSpocLog(line: string, at: number): void {
    this.appendLog(this.spocLog(), `${formatLogTimestamp(at)} INFO  [main] ${line}`);
  }

  fillCache(jobs: number): void {
    mkdirSync(this.cacheDir(), { recursive: true });
    for (let i = 1; i <= jobs; i += 1) writeFileSync(path.join(this.cacheDir(), `job-${String(i).padStart(5, '0')}.spl`), `simulated print job ${i}\n`);
  }

  /** False once the cache folder was deleted: the next start recovers the jobs instead of rescuing them. */
  cacheExists(): boolean {
    return existsSync(this.cacheDir());
  }

  cacheJobs(): number {
    const dir = this.cacheDir();
    return existsSync(dir) ? readdirSync(dir).length : 0;
  }

  private appendLog(file: string, line: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    // Rotate like a size-based log4j appender, so log checks meet rotated files.
    if (existsSync(file) && statSync(file).size > 64 * 1024) renameSync(file, `${file}.1`);
    appendFileSync(file, `${line}\r\n`);
  }

  private cacheDir(): string {
    return this.localPath(`${this.installDir}\\SPOC\\SpoolCache`);
  }

  private lifecycleLog(): string {
    return this.localPath(`${this.installDir}\\SPOC\\logs\\spoc_lifecycle.log`);
  }

  private spocLog(): string {
    return this.localPath(`${this.installDir}\\SPOC\\logs\\spoc.log`);
  }
}
