/**
 * The ids of everything `spoolflow start` can start (machines/startable.ts), without loading any
 * machine or schema: `spoolflow list --procedure <id>` checks its id against these alone.
 * test/client/procedure-modules.test.ts holds this list to machines/startable.ts, order and all.
 */
export const STARTABLE_IDS: readonly string[] = [
  'restart-group-without-cache-deletion',
  'restart-group-with-cache-deletion',
  'create-group-from-standalone-spocs',
  'add-spoc-to-group',
  'remove-spoc-from-group',
  'move-spoc-to-another-group',
  'ip-address-changed',
  'restart-os-of-standalone-spocs',
  'restart-os-of-group-members',
  'group-members-restarted-in-parallel',
  'supervise-passive-cluster',
  'supervise-active-cluster',
  'set-cluster-option',
  'deliver-print-job',
  'fleet-rollout',
];

/** The id, when something can be started under it; otherwise machines/startable.ts's error listing the known ids. */
export function startableId(id: string): string {
  if (!STARTABLE_IDS.includes(id)) throw new Error(`unknown procedure "${id}"; known: ${STARTABLE_IDS.join(', ')}`);
  return id;
}
