/**
 * What a procedure must hold for its whole run so that no other procedure touches the same things
 * meanwhile: a lease on every host it touches and on every SPOC group or JobScheduler cluster it
 * changes. The server enforces them (workflows/leases.ts: one lease workflow per name, so a second
 * holder cannot start one), whatever workflow id a procedure was started under.
 */
import { normalName } from './names';

/** The memo key under which a lease workflow names its holder. */
export const LEASE_HOLDER_MEMO = 'spoolflowLeaseHolder';

/**
 * `cluster`: a change to a JobScheduler cluster (one at a time); `cluster-supervision`: the one
 * supervisor a cluster has, whatever its workflow id. The same two for the cluster's database
 * (`cluster-database`, `cluster-database-supervision`): two definitions under different names
 * that name one database are one cluster.
 */
export type LeaseKind = 'host' | 'spoc-group' | 'cluster' | 'cluster-supervision' | 'cluster-database' | 'cluster-database-supervision';

export interface Lease {
  kind: LeaseKind;
  /** In normal form (machines/core/names.ts), so `London` and `london.` are one lease. */
  name: string;
}

/** Who holds a lease: the procedure's workflow id and the first run of its chain (kept across continue-as-new). */
export interface LeaseHolder {
  workflowId: string;
  firstRunId: string;
  procedure: string;
  since: string;
}

export function lease(kind: LeaseKind, name: string): Lease {
  return { kind, name: normalName(name) };
}

/** The workflow id of a lease: at most one workflow with this id runs at a time. */
export function leaseWorkflowId(l: Lease): string {
  return `spoolflow-lease:${l.kind}:${l.name}`;
}

/** The leases in one canonical order, each once: every procedure takes them in this order. */
export function canonicalLeases(leases: Lease[]): Lease[] {
  const byId = new Map(leases.map((l) => [leaseWorkflowId(lease(l.kind, l.name)), lease(l.kind, l.name)]));
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}

/** The operator's words for a lease. */
export function describeLease(l: Lease): string {
  switch (l.kind) {
    case 'spoc-group':
      return `SPOC group ${l.name}`;
    case 'cluster':
      return `JobScheduler cluster ${l.name}`;
    case 'cluster-supervision':
      return `the supervision of JobScheduler cluster ${l.name}`;
    case 'cluster-database':
      return `the JobScheduler cluster of database ${l.name}`;
    case 'cluster-database-supervision':
      return `the supervision of the JobScheduler cluster of database ${l.name}`;
    case 'host':
      return `host ${l.name}`;
  }
}

/** Hosts and groups as leases. */
export function hostLeases(hosts: string[]): Lease[] {
  return hosts.map((h) => lease('host', h));
}
