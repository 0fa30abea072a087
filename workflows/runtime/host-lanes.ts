/**
 * Effects on one host run one after another (a restore never races a cancelled stop): each host
 * is a lane, an effect begins once the effects before it on its host have settled. The runtime's
 * second version (runtime-version.ts) keeps its lanes here, as plain callbacks: a promise chain
 * per host costs a workflow a stack trace per link (the SDK records one for every promise).
 */
export class HostLanes {
  /** Per busy host, the effects that wait for it, in the order they were started. */
  private readonly waiting = new Map<string, (() => void)[]>();

  /** Begins the effect now when its host is free (or it has no host), else once the host's earlier effects have settled. */
  enter(host: string | undefined, begin: () => void): void {
    if (host === undefined) {
      begin();
      return;
    }
    const queue = this.waiting.get(host);
    if (queue) {
      queue.push(begin);
      return;
    }
    this.waiting.set(host, []);
    begin();
  }

  /** The host's running effect has settled (done, failed or cancelled): the next one waiting begins. */
  leave(host: string | undefined): void {
    if (host === undefined) return;
    const queue = this.waiting.get(host);
    if (!queue) return;
    const next = queue.shift();
    if (next) next();
    else this.waiting.delete(host);
  }

  /** Whether an effect runs on the host now. */
  busy(host: string): boolean {
    return this.waiting.has(host);
  }
}
