/**
 * One simulated Windows site server: its services as the service control manager sees them, the
 * SPOC's lifecycle and main logs written as real files, its spool cache folder, its load, and the
 * faults an operator or a test injected.
 *
 * Behaviour follows the SPOC runbook: a started SPOC writes STARTING, then, depending on the cache,
 * either rescues it (cache kept: ONLINE, then "RescueCache| Rescue process for SPOC's cache
 * finished." after a time per job) or recovers it (cache deleted: jobs downloaded again, slower,
 * then ONLINE). The group service starts by itself 1-2 simulated minutes after the SPOC runs.
 *
 * An OS restart (`shutdown.exe /r`) is honoured too: after the delay Windows stops every service and
 * the host is down (its agent with it: nothing answers); after the boot time it is up again with a
 * new boot time, and the services that were running start again (Automatic start type), the group
 * service by itself after the SPOC as always.
 *
 * Time is lazy: pending changes are scheduled at real due times and applied by `advance(now)`
 * (the fleet calls it on a ticker), writing log lines stamped with their due time. The state is
 * saved to disk after every change, so a simulated host survives a restart of spoolflow.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ServiceState } from '../../activities/windows/service-control/service-control';
import type { EmulatedServiceTable } from '../windows/sc-exe-emulator';
import { GROUP_SERVICE, SPOC_SERVICE } from '../../machines/spoc/spoc-services';
import type { SiteServer, SimTimings } from './inventory';
import type { OperationRecord } from '../core/operation-record';
import { seededRandom, SimClock } from '../core/sim-clock';
import { localPathOf } from '../windows/sim-host-files';
import { RESCUE_FINISHED_MARKER, RECOVERY_FINISHED_MARKER } from '../../activities/spoc/spoc-logs';
import { SimSpocFiles } from './sim-spoc-files';
import { SimHostStateFile, type PowerState, type Scheduled, type SimFaults, type SimHostState } from './sim-host-state';

export type { PowerState, SimFaults } from './sim-host-state';

export class SimHost implements EmulatedServiceTable {
  private data: SimHostState;
  private readonly stateFile: SimHostStateFile;
  private readonly files: SimSpocFiles;

  constructor(
    readonly server: SiteServer,
    private readonly root: string,
    private readonly clock: SimClock,
    private readonly timings: SimTimings,
    private readonly record: OperationRecord,
    private readonly seed: number,
  ) {
    this.stateFile = new SimHostStateFile(root);
    this.files = new SimSpocFiles((windowsPath) => this.localPath(windowsPath), server.installDir);
    const saved = this.stateFile.load();
    if (saved) {
      this.data = saved;
    } else {
      this.data = this.freshState();
      this.writeInitialFiles();
      this.save();
    }
  }

  get host(): string {
    return this.server.host;
  }

  /** Where the host's C: drive lives on this machine. */
  get fsRoot(): string {
    return path.join(this.root, 'fs');
  }

  /** Local path of a Windows path on this host. */
  localPath(windowsPath: string): string {
    return localPathOf(this.fsRoot, windowsPath);
  }

  // --- what the service control manager sees (sc.exe emulation) ---

  state(serviceKey: string): ServiceState | undefined {
    this.advance();
    return this.data.services[serviceKey];
  }

  list(): { key: string; display: string }[] {
    this.advance();
    return this.server.services.filter((s) => this.data.services[s.key] !== undefined).map((s) => ({ key: s.key, display: s.display }));
  }

  requestStop(serviceKey: string): 'accepted' | 'not-started' | 'busy' | 'access-denied' {
    this.advance();
    const display = this.displayOf(serviceKey);
    const current = this.data.services[serviceKey];
    if (current === undefined) return 'not-started';
    if (current === 'STOPPED') {
      this.log('stop-service', display, 'already-stopped');
      return 'not-started';
    }
    if (current !== 'RUNNING') return 'busy';
    this.data.services[serviceKey] = 'STOP_PENDING';
    if (this.data.faults.services?.[display] !== 'wont-stop') {
      this.schedule({ at: this.after(this.timings.stopSeconds), kind: 'service-state', service: serviceKey, to: 'STOPPED' });
    }
    if (display === SPOC_SERVICE) {
      this.cancelRun();
      this.writeLifecycle('STOPPING', this.clock.now());
    }
    this.save();
    // Recorded once the host's state holds it: a kill -9 of this process between the two must not
    // leave a record of a stop that the host forgot (its retry would stop the service again).
    this.log('stop-service', display, 'accepted');
    return 'accepted';
  }

  requestStart(serviceKey: string): 'accepted' | 'already-running' | 'busy' | 'disabled' | 'access-denied' {
    this.advance();
    const display = this.displayOf(serviceKey);
    const current = this.data.services[serviceKey];
    if (current === 'RUNNING') {
      this.log('start-service', display, 'already-running');
      return 'already-running';
    }
    if (current !== 'STOPPED') return 'busy';
    this.data.services[serviceKey] = 'START_PENDING';
    if (display === SPOC_SERVICE) {
      this.data.spocRun += 1;
      this.writeLifecycle('STARTING', this.clock.now());
    }
    if (this.data.faults.services?.[display] !== 'wont-start') {
      this.schedule({ at: this.after(this.timings.startSeconds), kind: 'service-state', service: serviceKey, to: 'RUNNING' });
    }
    this.save();
    this.log('start-service', display, 'accepted'); // once the state holds it, as a stop
    return 'accepted';
  }

  // --- the operating system (shutdown.exe /r, the boot time) ---

  /** Windows is running and answers (also while a restart is pending): its agent and its service control manager are there. */
  isUp(): boolean {
    this.advance();
    return this.power() !== 'down';
  }

  power(): PowerState {
    return this.data.power ?? 'up';
  }

  /** When Windows last booted (host clock, ms). */
  lastBootTime(): number {
    this.advance();
    return this.data.lastBootAt ?? this.clock.now() - 7 * 86_400_000;
  }

  /**
   * `shutdown.exe /r /t <delay>`: the restart is scheduled; a second request while one is pending
   * is refused as Windows does ("A system shutdown has already been scheduled").
   */
  requestOsRestart(delaySeconds: number): 'accepted' | 'already-scheduled' {
    this.advance();
    if (this.power() !== 'up' || this.data.scheduled.some((e) => e.kind === 'os-shutdown')) {
      this.log('restart-os', 'Windows', 'already-scheduled');
      return 'already-scheduled';
    }
    this.data.power = 'shutting-down';
    this.log('restart-os', 'Windows', 'accepted');
    this.schedule({ at: this.clock.now() + this.clock.realMs(delaySeconds) + this.durationMs(this.timings.shutdownSeconds), kind: 'os-shutdown' });
    this.save();
    return 'accepted';
  }

  // --- what the Management Server sees ---

  /** Online on the Management Server: Windows up, SPOC running and its lifecycle ONLINE. */
  isOnline(): boolean {
    this.advance();
    return this.power() === 'up' && this.data.services[this.keyOf(SPOC_SERVICE)] === 'RUNNING' && this.data.lifecycle === 'ONLINE';
  }

  /** Since when the Management Server has seen this SPOC online (null while it is not). */
  onlineSince(): number | null {
    if (!this.isOnline()) return null;
    return this.data.onlineSince ?? this.lastBootTime();
  }

  activeJobs(): number {
    return this.data.activeJobs;
  }

  // --- for tests and the CLI ---

  setLoad(activeJobs: number): void {
    this.reloadIfChangedOutside();
    this.data.activeJobs = activeJobs;
    this.save();
  }

  /**
   * Injects or clears faults. What a cleared fault held back happens now, as on a real host whose
   * problem an operator fixed: a hung stop or start completes, a SPOC that never came online does,
   * a rescue that never finished finishes.
   */
  setFaults(faults: SimFaults): void {
    this.advance();
    const before = this.data.faults;
    this.data.faults = faults;
    const now = this.clock.now();
    for (const service of this.server.services) {
      const state = this.data.services[service.key];
      const pending = this.data.scheduled.some((e) => e.kind === 'service-state' && e.service === service.key);
      if (pending || faults.services?.[service.display]) continue;
      if (state === 'STOP_PENDING') this.schedule({ at: now + 1, kind: 'service-state', service: service.key, to: 'STOPPED' });
      if (state === 'START_PENDING') this.schedule({ at: now + 1, kind: 'service-state', service: service.key, to: 'RUNNING' });
    }
    const run = this.data.spocRun;
    const spocRunning = this.data.services[this.keyOf(SPOC_SERVICE)] === 'RUNNING';
    const scheduledForRun = (kind: string) => this.data.scheduled.some((e) => e.kind === kind && 'run' in e && e.run === run);
    if (spocRunning && before.neverOnline && !faults.neverOnline && this.data.lifecycle !== 'ONLINE' && !scheduledForRun('lifecycle')) {
      this.schedule({ at: now + 1, kind: 'lifecycle', status: 'ONLINE', run });
    }
    if (spocRunning && before.rescueNeverFinishes && !faults.rescueNeverFinishes && !scheduledForRun('spoc-log')) {
      this.schedule({ at: now + 2, kind: 'spoc-log', line: RESCUE_FINISHED_MARKER, run });
    }
    this.save();
  }

  serviceStates(): Record<string, ServiceState> {
    this.advance();
    return Object.fromEntries(this.server.services.map((s) => [s.display, this.data.services[s.key] ?? 'STOPPED']));
  }

  lifecycle(): string {
    this.advance();
    return this.data.lifecycle;
  }

  cacheJobs(): number {
    return this.files.cacheJobs();
  }

  /** Applies every scheduled change that is due. */
  advance(now: number = this.clock.now()): void {
    this.reloadIfChangedOutside();
    let changed = false;
    for (;;) {
      const due = this.data.scheduled.filter((s) => s.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.data.scheduled.splice(this.data.scheduled.indexOf(due), 1);
      this.apply(due);
      changed = true;
    }
    if (changed) this.save();
  }

  private apply(event: Scheduled): void {
    const spocKey = this.keyOf(SPOC_SERVICE);
    switch (event.kind) {
      case 'service-state': {
        this.data.services[event.service] = event.to;
        if (event.service === spocKey && event.to === 'RUNNING') this.spocRunning(event.at);
        if (event.service === spocKey && event.to === 'STOPPED') this.writeLifecycle('STOPPED', event.at);
        break;
      }
      case 'group-autostart': {
        const key = this.keyOf(GROUP_SERVICE);
        if (this.data.services[key] === 'STOPPED' && this.data.faults.services?.[GROUP_SERVICE] !== 'wont-start') {
          this.data.services[key] = 'START_PENDING';
          this.record.append({ time: new Date(event.at).toISOString(), host: this.host, operation: 'start-service', target: GROUP_SERVICE, outcome: 'started-by-itself' });
          this.schedule({ at: event.at + this.durationMs(this.timings.startSeconds) / 2, kind: 'service-state', service: key, to: 'RUNNING' });
        }
        break;
      }
      case 'lifecycle':
        this.writeLifecycle(event.status, event.at);
        break;
      case 'spoc-log':
        this.writeSpocLog(event.line, event.at);
        break;
      case 'cache-recovered':
        this.files.fillCache(event.jobs);
        break;
      case 'os-shutdown':
        this.shutDown(event.at);
        break;
      case 'os-boot':
        this.boot(event.at, event.services);
        break;
    }
  }

  /** Windows stops every running service, then the host is down until it boots. */
  private shutDown(at: number): void {
    const running = this.server.services.filter((s) => this.data.services[s.key] !== 'STOPPED');
    const spocKey = this.keyOf(SPOC_SERVICE);
    for (const service of running) {
      if (service.key === spocKey) {
        this.cancelRun();
        this.writeLifecycle('STOPPING', at);
        this.writeLifecycle('STOPPED', at + 1);
      }
      this.data.services[service.key] = 'STOPPED';
      this.record.append({ time: new Date(at).toISOString(), host: this.host, operation: 'stop-service', target: service.display, outcome: 'stopped-by-os' });
    }
    // Scheduled service changes do not survive the shutdown.
    this.data.scheduled = this.data.scheduled.filter((e) => e.kind === 'os-boot');
    this.data.power = 'down';
    this.record.append({ time: new Date(at).toISOString(), host: this.host, operation: 'os-shutdown', target: 'Windows', outcome: 'down' });
    const bootAt = at + this.durationMs(this.timings.bootSeconds);
    const groupKey = this.keyOf(GROUP_SERVICE);
    this.schedule({ at: bootAt, kind: 'os-boot', services: running.map((s) => s.key).filter((k) => k !== groupKey) });
  }

  /** The host is up with a new boot time; the services that ran start again (Automatic start). */
  private boot(at: number, services: string[]): void {
    this.data.power = 'up';
    this.data.lastBootAt = at;
    this.record.append({ time: new Date(at).toISOString(), host: this.host, operation: 'os-boot', target: 'Windows', outcome: 'up' });
    const spocKey = this.keyOf(SPOC_SERVICE);
    for (const key of services) {
      if (this.data.faults.services?.[this.displayOf(key)] === 'wont-start') continue;
      this.data.services[key] = 'START_PENDING';
      if (key === spocKey) {
        this.data.spocRun += 1;
        this.writeLifecycle('STARTING', at);
      }
      this.record.append({ time: new Date(at).toISOString(), host: this.host, operation: 'start-service', target: this.displayOf(key), outcome: 'started-by-os' });
      this.schedule({ at: at + this.durationMs(this.timings.startSeconds), kind: 'service-state', service: key, to: 'RUNNING' });
    }
  }

  /** What happens once the SPOC service runs: rescue or recovery, ONLINE, the group service. */
  private spocRunning(at: number): void {
    const run = this.data.spocRun;
    const jobsInCache = this.cacheJobs();
    const recovering = !this.files.cacheExists();
    this.schedule({ at: at + this.durationMs(this.timings.groupServiceAutoStartSeconds), kind: 'group-autostart', run });
    const onlineDelay = this.durationMs(this.timings.onlineAfterStartSeconds);
    if (recovering) {
      const jobs = this.data.jobsOnManagementServer;
      const recoveryMs = this.scaled(jobs * this.timings.recoverySecondsPerJob);
      this.schedule({ at: at + 1, kind: 'lifecycle', status: 'RECOVERING_CACHE', run });
      this.schedule({ at: at + recoveryMs, kind: 'cache-recovered', jobs, run });
      this.schedule({ at: at + recoveryMs + 1, kind: 'spoc-log', line: `RecoverCache| ${RECOVERY_FINISHED_MARKER}`, run });
      if (!this.data.faults.neverOnline) this.schedule({ at: at + recoveryMs + onlineDelay, kind: 'lifecycle', status: 'ONLINE', run });
    } else {
      this.schedule({ at: at + 1, kind: 'lifecycle', status: 'RESCUING_CACHE', run });
      if (!this.data.faults.neverOnline) this.schedule({ at: at + onlineDelay, kind: 'lifecycle', status: 'ONLINE', run });
      if (!this.data.faults.rescueNeverFinishes) {
        const rescueMs = this.scaled(jobsInCache * this.timings.rescueSecondsPerJob);
        this.schedule({ at: at + onlineDelay + rescueMs + 1, kind: 'spoc-log', line: RESCUE_FINISHED_MARKER, run });
      }
    }
  }

  /** A SPOC stop cancels what its run had scheduled (ONLINE, rescue, group-service start). */
  private cancelRun(): void {
    const run = this.data.spocRun;
    this.data.scheduled = this.data.scheduled.filter((s) => !('run' in s) || s.run !== run);
  }

  private schedule(event: Scheduled): void {
    this.data.scheduled.push(event);
  }

  private after(range: [number, number]): number {
    return this.clock.now() + this.durationMs(range);
  }

  private durationMs([min, max]: [number, number]): number {
    return this.scaled(min + (max - min) * this.random());
  }

  private scaled(simSeconds: number): number {
    return this.clock.realMs(simSeconds * (this.data.faults.slowFactor ?? 1));
  }

  private random(): number {
    this.data.draws += 1;
    return seededRandom(this.seed * 7919 + hashOf(this.host) + this.data.draws)();
  }

  private writeLifecycle(status: string, at: number): void {
    if (status === 'ONLINE' && this.data.lifecycle !== 'ONLINE') this.data.onlineSince = at;
    if (status !== 'ONLINE') this.data.onlineSince = null;
    this.data.lifecycle = status;
    this.files.appendLifecycle(status, at);
  }

  private writeSpocLog(line: string, at: number): void {
    this.files.appendSpocLog(line, at);
  }

  private keyOf(display: string): string {
    const service = this.server.services.find((s) => s.display.toLowerCase() === display.toLowerCase());
    if (!service) throw new Error(`${this.host} has no service "${display}"`);
    return service.key;
  }

  private displayOf(key: string): string {
    return this.server.services.find((s) => s.key.toLowerCase() === key.toLowerCase())?.display ?? key;
  }

  /** Records an operation the host's agent performed on its files (cache deletion). */
  recordOperation(operation: string, target: string, outcome: string): void {
    this.log(operation, target, outcome);
  }

  private log(operation: string, target: string, outcome: string): void {
    this.record.append({ time: new Date(this.clock.now()).toISOString(), host: this.host, operation, target, outcome });
  }

  private freshState(): SimHostState {
    const services: Record<string, ServiceState> = {};
    for (const s of this.server.services) services[s.key] = 'RUNNING';
    return {
      host: this.host,
      services,
      scheduled: [],
      lifecycle: 'ONLINE',
      spocRun: 1,
      activeJobs: 0,
      jobsOnManagementServer: this.server.jobsInCache,
      faults: {},
      draws: 0,
      power: 'up',
      lastBootAt: this.clock.now() - 7 * 86_400_000,
      onlineSince: null,
    };
  }

  /** A host that has been running for a while: a full cache and old log lines (stale ONLINE included). */
  private writeInitialFiles(): void {
    this.files.fillCache(this.server.jobsInCache);
    const earlier = this.clock.now() - 86_400_000;
    this.writeLifecycle('STARTING', earlier);
    this.writeLifecycle('ONLINE', earlier + 30_000);
    this.writeSpocLog(RESCUE_FINISHED_MARKER, earlier + 60_000);
    this.data.lifecycle = 'ONLINE';
  }

  private save(): void {
    this.stateFile.save(this.data);
  }

  private reloadIfChangedOutside(): void {
    this.data = this.stateFile.changedOutside() ?? this.data;
  }

  /** The faults injected on this host. */
  faults(): SimFaults {
    this.reloadIfChangedOutside();
    return this.data.faults;
  }

  /** Removes the host's files (tests). */
  destroy(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function hashOf(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h >>> 0;
}
