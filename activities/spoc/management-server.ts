/**
 * What the procedures ask the Dispatcher Paragon Management Server: is it running, which SPOCs
 * are online (Devices > Spooler Controller Groups), and is there load on them. The simulator
 * implements this view; a deployment uses the adapter of management-server-adapter.ts, which
 * reads what the vendor documents (its web interface, the SPOC's and Terminal Server's ports, a
 * configured load source) and says so in its contract.
 */
export interface ManagementServerView {
  /** For messages. */
  address: string;
  /** Throws when the Management Server does not answer. */
  ping(): Promise<void>;
  spocStatus(hosts: string[]): Promise<Record<string, SpocStatus>>;
}

/** One SPOC as Devices > Spooler Controller Groups shows it. */
export interface SpocStatus {
  online: boolean;
  /** When the Management Server last saw it come online (ISO), null while it is not online. */
  onlineSince: string | null;
  /** Active jobs on the SPOC; null when nobody can tell (`loadUnknown` says why): never read as 0. */
  activeJobs: number | null;
  /** Present when `activeJobs` is null. */
  loadUnknown?: LoadUnknown;
  /** The SPOC group it belongs to, null for a standalone SPOC. */
  group: string | null;
}

/** Why a SPOC's load is not known. */
export interface LoadUnknown {
  /**
   * `no-load-source`: nothing to ask (the deployment configured none), a retry cannot fix it, the
   * operator attests instead; `load-source-failed`: the configured source did not give the load
   * this time, a retry may.
   */
  kind: 'no-load-source' | 'load-source-failed';
  /** In the operator's words. */
  reason: string;
}
