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
  spocStatus(hosts: string[]): Promise<Record<string, { online: boolean; activeJobs: number }>>;
}
