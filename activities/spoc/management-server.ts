/**
 * What the procedures ask the Dispatcher Paragon Management Server: is it running, which SPOCs
 * are online (Devices > Spooler Controller Groups), and is there load on them. The simulator
 * implements this view; a deployment plugs in a client of its Management Server.
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
  activeJobs: number;
  /** The SPOC group it belongs to, null for a standalone SPOC. */
  group: string | null;
}
