/**
 * Releasing several jobs at once at a printer ("print all", or several selected): the document's
 * limitation, "if a user have jobs saved on multiple site servers (FlexiSpoolers), and use print
 * all or select and print multiple jobs, the order of printed jobs is not guaranteed".
 *
 * Jobs held on one server are printed in the order they were printed by the user. Jobs held on
 * several servers come from each server in its own order, but the servers' streams interleave as
 * they happen to arrive: the release says so, naming the servers, instead of promising an order.
 */

/** A job a server holds for the user. */
export interface HeldJob {
  jobId: string;
  server: string;
  /** When the user printed it (ISO time): the order on one server. */
  printedByUserAt: string;
}

export interface ReleasePlan {
  /** Jobs per server, each server's in the user's order. */
  byServer: { server: string; jobs: string[] }[];
  /** True when the printer receives the jobs in the user's order (all on one server). */
  orderKept: boolean;
  /** What the operator and the user are told. */
  note: string;
}

const byUserOrder = (a: HeldJob, b: HeldJob) => a.printedByUserAt.localeCompare(b.printedByUserAt) || a.jobId.localeCompare(b.jobId);

/** How a release of these jobs goes: in order from one server, or per server with no order kept across them. */
export function planRelease(jobs: readonly HeldJob[]): ReleasePlan {
  const servers = [...new Set(jobs.map((j) => j.server))].sort();
  const byServer = servers.map((server) => ({ server, jobs: jobs.filter((j) => j.server === server).sort(byUserOrder).map((j) => j.jobId) }));
  if (servers.length <= 1) {
    return { byServer, orderKept: true, note: jobs.length > 1 ? `${jobs.length} jobs held on ${servers[0] ?? ''}: printed in the order they were printed` : 'one job: nothing to order' };
  }
  return {
    byServer,
    orderKept: false,
    note: `${jobs.length} jobs held on ${servers.length} site servers (${servers.join(', ')}): the order of printed jobs is not guaranteed across servers (each server's own jobs keep their order)`,
  };
}
