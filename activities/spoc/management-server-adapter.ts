/**
 * The Management Server as a production central worker sees it. Dispatcher Paragon publishes no
 * API for a SPOC's status, its group or its load (the README's "The central worker and the fleet
 * configuration"), so each answer comes from what the vendor does document, and this is its
 * contract:
 *
 * - reachable (`ping`): a GET of the Management Server's web interface (`https://<server>/`)
 *   answers with an HTTP status below 500. A 200, a 302 to the login page, a 401 or 403 all prove
 *   that the server and its web application run; a 5xx, no answer within the timeout, a refused
 *   connection or a certificate that is not trusted count as not reachable.
 * - online, and since when (`spocStatus`): the SPOC's service port (TCP 5555) and the Terminal
 *   Server's (TCP 5022) accept connections, probed in the background as the vendor's
 *   load-balancer guide does (every 5 s, down after 3 failures in a row); "online since" is when
 *   this adapter saw it come up, with the limits written in spoc-liveness.ts.
 * - group: the fleet configuration's `spocGroups`. The Management Server's assignment cannot be
 *   read, so the configuration is the operator's statement of it and must be kept in step with
 *   Devices > Spooler Controller Groups.
 * - load: the configured load source (load-source.ts), whose counts must be recent (`asOf`,
 *   `maxAgeMs`); a count that is not is unknown, as one the source does not give. Without a load
 *   source the load is unknown and the load check halts for the operator's attestation
 *   (`operator.overrideLoad`), never passes.
 */
import { normalName } from '../../machines/core/names';
import { httpGet, type HttpTarget } from './http-get';
import { LoadSourceError, readLoad, type HostLoad, type LoadSource } from './load-source';
import type { LoadUnknown, ManagementServerView, SpocStatus } from './management-server';
import { SpocLivenessMonitor, type LivenessOptions, type SpocEndpoint } from './spoc-liveness';

export interface ManagementServerAdapterOptions {
  /** The Management Server's web interface. */
  webInterface: HttpTarget;
  /** Every site server whose SPOC the procedures may ask about, by its host name's normal form. */
  siteServers: SpocEndpoint[];
  /** Group name → its members' host names (normal form), as the Management Server has them. */
  groups: Record<string, string[]>;
  liveness: LivenessOptions;
  /** Absent: no load source, the load is unknown. */
  loadSource?: LoadSource;
}

/** A procedure names a SPOC the fleet configuration does not list: nothing can be said about it. Not retryable. */
export class SpocNotInFleetError extends Error {
  override readonly name = 'SpocNotInFleetError';
}

/** The HTTP status from which a web interface counts as not running (the server answers, its application fails). */
export const FIRST_FAILING_STATUS = 500;

export const NO_LOAD_SOURCE: LoadUnknown = {
  kind: 'no-load-source',
  reason: 'no load source is configured in the fleet configuration (loadSource), and the Management Server publishes no load',
};

export class ManagementServerAdapter implements ManagementServerView {
  readonly address: string;
  private readonly monitor: SpocLivenessMonitor;
  private readonly groupOf = new Map<string, string>();
  private readonly known: Set<string>;

  constructor(private readonly options: ManagementServerAdapterOptions) {
    this.address = options.webInterface.url;
    this.monitor = new SpocLivenessMonitor(options.siteServers, options.liveness);
    this.known = new Set(options.siteServers.map((s) => s.host));
    for (const [group, members] of Object.entries(options.groups)) for (const host of members) this.groupOf.set(host, group);
  }

  /** Starts the background probes of the site servers. */
  start(): void {
    this.monitor.start();
  }

  stop(): void {
    this.monitor.stop();
  }

  /** One probe of every site server now, as the next interval would run it. */
  probeNow(): Promise<void> {
    return this.monitor.probeAll();
  }

  async ping(): Promise<void> {
    const answer = await httpGet(this.options.webInterface);
    if (answer.status >= FIRST_FAILING_STATUS) throw new Error(`its web interface ${this.address} answered HTTP ${answer.status}`);
  }

  async spocStatus(hosts: string[]): Promise<Record<string, SpocStatus>> {
    const names = hosts.map((h) => ({ asked: h, host: normalName(h) }));
    const unknown = names.filter((n) => !this.known.has(n.host));
    if (unknown.length > 0) {
      throw new SpocNotInFleetError(
        `${unknown.map((n) => n.asked).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a site server of the fleet configuration (siteServers): add ${unknown.length === 1 ? 'it' : 'them'} there, with the address to probe, and restart the central worker`,
      );
    }
    const [liveness, load] = await Promise.all([Promise.all(names.map((n) => this.monitor.livenessOf(n.host))), this.load()]);
    return Object.fromEntries(
      names.map((n, i) => {
        const { activeJobs, loadUnknown } = loadOf(n.host, load);
        return [n.asked, { ...liveness[i]!, activeJobs, ...(loadUnknown ? { loadUnknown } : {}), group: this.groupOf.get(n.host) ?? null }];
      }),
    );
  }

  private async load(): Promise<Map<string, HostLoad> | LoadUnknown> {
    if (!this.options.loadSource) return NO_LOAD_SOURCE;
    try {
      return await readLoad(this.options.loadSource);
    } catch (err) {
      if (err instanceof LoadSourceError) return { kind: 'load-source-failed', reason: err.message };
      throw err;
    }
  }
}

/** One host's active jobs from the load source's answer, or why they are not known (never 0 instead). */
function loadOf(host: string, load: Map<string, HostLoad> | LoadUnknown): { activeJobs: number | null; loadUnknown?: LoadUnknown } {
  if (!(load instanceof Map)) return { activeJobs: null, loadUnknown: load };
  const entry = load.get(host);
  if (entry === undefined) return { activeJobs: null, loadUnknown: { kind: 'load-source-failed', reason: `the load source's answer does not list ${host}` } };
  if ('unknown' in entry) return { activeJobs: null, loadUnknown: { kind: 'load-source-failed', reason: entry.unknown } };
  return { activeJobs: entry.activeJobs };
}
