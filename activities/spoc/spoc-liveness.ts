/**
 * Whether each SPOC is online, seen the way the vendor's load-balancer guide checks it: a TCP
 * connection to the SPOC's service port (5555) and to the Terminal Server's (5022) both succeed.
 * Every site server is probed every `intervalMs` (the guide: 5 s) in the background; a SPOC that
 * was online counts as down after `failuresBeforeDown` probes in a row failed (the guide: 3), and
 * online again at the first probe that succeeds.
 *
 * "Online since" is the monitor's own observation: the moment it first saw the SPOC answer after
 * having seen it down, or, for a SPOC that answered the monitor's very first probe, that first
 * probe (it has been up at least since then; when it came up is not known). So:
 * - a restart shorter than the time it takes to be seen down (about `failuresBeforeDown` ×
 *   `intervalMs`) is not seen: the online-since time stays the old one. The OS restart procedures
 *   also check the boot time on the host itself (`await-host-restarted`), so such a restart is
 *   not missed, but the SPOC then looks online only since before its boot and the wait halts.
 * - with a state file (spoc-probe-state.ts), what the probes saw survives a restart of the central
 *   worker when the gap is short (at most `failuresBeforeDown` intervals): a SPOC that stayed up
 *   keeps its online-since time. Without the file, or after a longer gap, every SPOC that answers
 *   reads online since the first probe of this start. A member then looks newly online to an OS
 *   restart of group members, which takes it for a parallel restart and restarts the group with
 *   cache deletion, as the runbook requires when in doubt. So do not stop the central worker for
 *   long during an OS restart of group members.
 * - the central worker's clock is compared with the host's boot time: keep both in time (NTP).
 */
import net from 'node:net';
import { isTrusted, ProbeStateWriter, readProbeState, type ProbeRecord } from './spoc-probe-state';

/** One site server as the monitor probes it. */
export interface SpocEndpoint {
  host: string;
  /** Name or IP address to connect to. */
  address: string;
  /** The SPOC's service port and the Terminal Server's; online when every one accepts a connection. */
  ports: number[];
}

export interface LivenessOptions {
  intervalMs: number;
  failuresBeforeDown: number;
  connectTimeoutMs: number;
  now?: () => number;
  /** Where what the probes saw is kept across restarts; absent: in memory only. */
  stateFile?: string;
  /** Hears problems with the state file (it is never a reason to stop probing). */
  log?: (line: string) => void;
}

export interface Liveness {
  online: boolean;
  /** ISO time; null while offline. */
  onlineSince: string | null;
}

interface HostState {
  online: boolean | undefined;
  onlineSince: number | null;
  failures: number;
  /** When it was last probed (ms); null before its first probe. */
  lastProbeAt: number | null;
  /** The first probe of this host, awaited by a status asked before it finished. */
  first: Promise<void>;
}

/** Resolves true when a TCP connection to address:port is accepted within the timeout. */
export function tcpAccepts(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class SpocLivenessMonitor {
  private readonly states = new Map<string, HostState>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly now: () => number;
  /** What the state file said at start, per host, until the host's first probe decides whether it is trusted. */
  private readonly saved: Map<string, ProbeRecord>;
  private readonly writer: ProbeStateWriter | undefined;

  constructor(
    private readonly endpoints: SpocEndpoint[],
    private readonly options: LivenessOptions,
  ) {
    this.now = options.now ?? Date.now;
    for (const endpoint of endpoints) this.stateOf(endpoint.host);
    const log = options.log ?? (() => undefined);
    const read = options.stateFile ? readProbeState(options.stateFile) : { hosts: new Map<string, ProbeRecord>() };
    if (read.problem) log(read.problem);
    this.saved = read.hosts;
    this.writer = options.stateFile ? new ProbeStateWriter(options.stateFile, log) : undefined;
  }

  /** Probes every site server now, then every interval, until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.writer?.prepare();
    const round = this.probeAll();
    for (const endpoint of this.endpoints) this.stateOf(endpoint.host).first = round;
    void round.finally(() => this.schedule());
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** The monitor's view of a configured host, after its first probe. */
  async livenessOf(host: string): Promise<Liveness> {
    const state = this.states.get(host);
    if (!state) throw new Error(`${host} is not watched: not a site server of the fleet configuration`);
    if (state.online === undefined) {
      // Asked before the monitor ran (or before its first round ended): look now.
      if (!this.running) state.first = this.probe(this.endpoint(host));
      await state.first;
    }
    return { online: state.online === true, onlineSince: state.online === true && state.onlineSince !== null ? new Date(state.onlineSince).toISOString() : null };
  }

  /** One probe of every site server at once; what each saw updates its state, then the state file. */
  async probeAll(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => this.probe(e)));
    await this.writer?.write(this.records());
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.probeAll().finally(() => this.schedule()), this.options.intervalMs);
    // The monitor never keeps the worker's process alive by itself.
    this.timer.unref();
  }

  private async probe(endpoint: SpocEndpoint): Promise<void> {
    const answers = await Promise.all(endpoint.ports.map((port) => tcpAccepts(endpoint.address, port, this.options.connectTimeoutMs)));
    this.record(endpoint.host, answers.every(Boolean), this.now());
  }

  private record(host: string, up: boolean, at: number): void {
    const state = this.stateOf(host);
    if (state.online === undefined) this.restore(host, state, at);
    state.lastProbeAt = at;
    if (up) {
      if (state.online !== true) state.onlineSince = at;
      state.online = true;
      state.failures = 0;
      return;
    }
    state.failures += 1;
    // Never seen up: down from the first failure (nothing says it is up). Seen up: down only
    // after several failures in a row, as a load balancer counts them.
    if (state.online !== true || state.failures >= this.options.failuresBeforeDown) {
      state.online = false;
      state.onlineSince = null;
    }
  }

  /** Before a host's first probe: carries on from the state file when it can stand for what this monitor would have seen. */
  private restore(host: string, state: HostState, at: number): void {
    const saved = this.saved.get(host);
    this.saved.delete(host);
    if (!saved || !isTrusted(saved, this.endpoint(host), at, this.options.failuresBeforeDown * this.options.intervalMs)) return;
    state.online = saved.online;
    state.onlineSince = saved.onlineSince === null ? null : Date.parse(saved.onlineSince);
    state.failures = saved.failures;
  }

  /** Every probed host's state, as the state file keeps it. */
  private records(): Record<string, ProbeRecord> {
    const records: Record<string, ProbeRecord> = {};
    for (const endpoint of this.endpoints) {
      const state = this.stateOf(endpoint.host);
      if (state.online === undefined || state.lastProbeAt === null) continue;
      records[endpoint.host] = {
        address: endpoint.address,
        ports: [...endpoint.ports],
        online: state.online,
        onlineSince: state.online && state.onlineSince !== null ? new Date(state.onlineSince).toISOString() : null,
        failures: state.failures,
        lastProbeAt: new Date(state.lastProbeAt).toISOString(),
      };
    }
    return records;
  }

  private stateOf(host: string): HostState {
    let state = this.states.get(host);
    if (!state) {
      state = { online: undefined, onlineSince: null, failures: 0, lastProbeAt: null, first: Promise.resolve() };
      this.states.set(host, state);
    }
    return state;
  }

  private endpoint(host: string): SpocEndpoint {
    const endpoint = this.endpoints.find((e) => e.host === host);
    if (!endpoint) throw new Error(`${host} is not a site server of the fleet configuration`);
    return endpoint;
  }
}
