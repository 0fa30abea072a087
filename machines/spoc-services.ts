/**
 * The Windows services of a SPOC site server, by display name, and the rule that protects some of
 * them. One source of truth: machines refuse protected services in their input, the host agent
 * refuses them again before it touches the service control manager.
 */

/** Display names of the services the SPOC procedures control by role. */
export const SPOC_SERVICE = 'Dispatcher Paragon Spooler Controller';
export const GROUP_SERVICE = 'Dispatcher Paragon Spooler Controller Group Service';
export const TERMINAL_SERVER_SERVICE = 'Dispatcher Paragon Terminal Server';

/**
 * Services no procedure may ever stop. The seed lists the Management Service twice; it is one
 * service. Compared case-insensitively because Windows service names are.
 */
export const PROTECTED_SERVICES: readonly string[] = [
  'Dispatcher Paragon Management Service',
  'Dispatcher Paragon Bundled PostgreSQL 9.4',
  'Dispatcher Paragon Bundled Etcd',
];

/** True when a procedure must never stop this service. */
export function isProtectedService(displayName: string): boolean {
  const wanted = displayName.trim().toLowerCase();
  return PROTECTED_SERVICES.some((name) => name.toLowerCase() === wanted);
}

/** The services a procedure controls by role, in the order the runbook stops them. */
export const ROLE_SERVICES = [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE] as const;
