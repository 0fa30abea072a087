/**
 * One normal form for the names operators type: SPOC groups, host names, JobScheduler clusters.
 * `London`, `london ` and `LONDON.` name one group; `spoc-lon-1` and `spoc-lon-1.` one host (a
 * trailing dot is DNS's root, not part of the name). Every comparison of such names (repeated
 * members, leases, the agent checking that a step is meant for its host) goes through here.
 */

/** The normal form of a group, host or cluster name: NFKC, trimmed, no trailing dots, lower case. */
export function normalName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\.+$/, '').toLowerCase();
}

/** True when two names name the same thing. */
export function sameName(a: string, b: string): boolean {
  return normalName(a) === normalName(b);
}
