/**
 * The Windows services of a SPOC site server and the rules that protect some of them. One source
 * of truth: the input schemas refuse protected services, the host agent refuses them again after
 * it has resolved the name it was given to the service's key and display name on the host.
 *
 * A service is named two ways on Windows: its key (`YSoftSQ-Management`, what sc.exe takes) and
 * its display name ("Dispatcher Paragon Management Service"). Both are checked. Display names are
 * compared in a normal form (Unicode NFKC, runs of whitespace as one space, case folded), so a
 * double space, a no-break space or other capitals do not make a protected service look new;
 * other versions ("... PostgreSQL 12", "YSoftSQ-PGSQL-9.4", "... (x64)") and the older product
 * name ("YSoft SafeQ ...") match too, and so does any service whose name mentions PostgreSQL,
 * pgsql or etcd.
 */

/** Display names of the services the SPOC procedures control by role. */
export const SPOC_SERVICE = 'Dispatcher Paragon Spooler Controller';
export const GROUP_SERVICE = 'Dispatcher Paragon Spooler Controller Group Service';
export const TERMINAL_SERVER_SERVICE = 'Dispatcher Paragon Terminal Server';

/** The services a procedure controls by role, in the order the runbook stops them. */
export const ROLE_SERVICES = [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE] as const;

/**
 * The protected services (docs/spoc-group-maintenance.md#protected-services). The vendor's list names the Management Service twice;
 * it is one service. The rule that decides protection is {@link isProtectedService}, which also
 * knows their keys, other versions and the older product name.
 */
export const PROTECTED_SERVICES: readonly string[] = [
  'Dispatcher Paragon Management Service',
  'Dispatcher Paragon Bundled PostgreSQL 9.4',
  'Dispatcher Paragon Bundled Etcd',
];

/** A service name in its normal form: NFKC, whitespace runs as one space, trimmed, case folded. */
export function normalServiceName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

// The product's display-name prefix in every release: "Dispatcher Paragon", "YSoft SafeQ" (SAFEQ 6),
// with or without a major version after it ("YSoft SafeQ 6 ...").
const PRODUCT = String.raw`(?:dispatcher paragon|y ?soft safeq)(?: \d+)?`;

/**
 * A database or the product's key-value store, whatever its vendor, version, separator or
 * decoration ("YSoftSQ-PGSQL-9.4", "... Bundled PostgreSQL 9.4 (x64)", "... etcd-3.4",
 * "postgresql-x64-12"): such a service is never stopped by a procedure, so its name need only
 * mention one. Erring this way costs a halt that names the service; the other way, an outage.
 */
const DATABASE_WORDS = /postgres|pgsql|etcd/;

/** The product's Management Service or Server, any version or decoration, either product name (normal form). */
const MANAGEMENT_DISPLAY = new RegExp(String.raw`^${PRODUCT} management (?:service|server)\b`);

/** The Management Service's key: `YSoftSQ-Management`, with or without the prefix's `SQ` and dash, any suffix after a word break. */
const MANAGEMENT_KEY = /^ysoft(?:sq)?-?management\b/;

/** Role services by key and by display name (either product name), in normal form. */
const ROLE_KEYS = new Set(['ysoftsq-spoc', 'ysoftsq-spocgs', 'ysoftsq-ts']);
const ROLE_DISPLAY = new RegExp(String.raw`^${PRODUCT} (?:spooler controller|spooler controller group service|terminal server)$`);

/**
 * True when a procedure must never stop or start this service, given any name of it (its key or
 * its display name, in any spacing, case or Unicode form).
 */
export function isProtectedService(name: string): boolean {
  const normal = normalServiceName(name);
  return DATABASE_WORDS.test(normal) || MANAGEMENT_KEY.test(normal) || MANAGEMENT_DISPLAY.test(normal);
}

/** A service as the host's service control manager lists it. */
export interface ServiceIdentity {
  key: string;
  display: string;
}

/** True when either name of a resolved service is protected. */
export function isProtectedIdentity(service: ServiceIdentity): boolean {
  return isProtectedService(service.key) || isProtectedService(service.display);
}

/** True when the name (key or display name) is one of the services the procedures control by role. */
export function isRoleService(name: string): boolean {
  const normal = normalServiceName(name);
  return ROLE_KEYS.has(normal) || ROLE_DISPLAY.test(normal);
}

/** True when either name of a resolved service is a role service. */
export function isRoleIdentity(service: ServiceIdentity): boolean {
  return isRoleService(service.key) || isRoleService(service.display);
}

/** True when two names of services are the same name in normal form. */
export function sameServiceName(a: string, b: string): boolean {
  return normalServiceName(a) === normalServiceName(b);
}

/**
 * How the agent recognises the vendor's services on its host ("all other YSoft services" of the
 * runbook's step 3): a key starting with one of `keyPrefixes` or a display name starting with one
 * of `displayPrefixes`, compared in normal form.
 */
export interface VendorServicePrefixes {
  keyPrefixes: string[];
  displayPrefixes: string[];
}

export const DEFAULT_VENDOR_SERVICE_PREFIXES: VendorServicePrefixes = {
  keyPrefixes: ['YSoft'],
  displayPrefixes: ['Dispatcher Paragon ', 'YSoft SafeQ '],
};

/** True when the service is one of the vendor's, by its key or its display name. */
export function isVendorService(service: ServiceIdentity, prefixes: VendorServicePrefixes = DEFAULT_VENDOR_SERVICE_PREFIXES): boolean {
  const key = normalServiceName(service.key);
  // Display prefixes keep their trailing space ("Dispatcher Paragon "), so it is not trimmed away.
  const display = `${normalServiceName(service.display)} `;
  return (
    prefixes.keyPrefixes.some((p) => key.startsWith(normalServiceName(p))) ||
    prefixes.displayPrefixes.some((p) => display.startsWith(p.normalize('NFKC').replace(/\s+/gu, ' ').toLowerCase()))
  );
}

/** The services step 3 may stop: the vendor's, not controlled by role, not protected. */
export function isOtherVendorService(service: ServiceIdentity, prefixes: VendorServicePrefixes = DEFAULT_VENDOR_SERVICE_PREFIXES): boolean {
  return isVendorService(service, prefixes) && !isRoleIdentity(service) && !isProtectedIdentity(service);
}
