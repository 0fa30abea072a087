/**
 * How spoolflow reaches Temporal: its own embedded dev server, or a cluster described the way every
 * Temporal tool describes one (Temporal's environment configuration: the `TEMPORAL_*` variables the
 * `temporal` CLI reads and the profiles of its `temporal.toml`).
 *
 * A cluster is meant when the configuration gives an address: `TEMPORAL_ADDRESS`, or the `address`
 * of the profile in use (the one `TEMPORAL_PROFILE` names, else `default`) in the config file
 * (`TEMPORAL_CONFIG_FILE`, else the `temporal` CLI's own file). Without one, the embedded dev server;
 * a profile chosen explicitly (`TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`) must give an address.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import type { ClientConfigTLS, ConfigDataSource } from '@temporalio/envconfig';
import { loadTemporalProfile, temporalEnvironment, type ConnectionConfigIssue, type LoadedProfile } from './temporal-profile';

export { CONNECT_TIMEOUT_MS, TemporalUnreachableError, connectWithin } from './connect-within';
export type { ConnectionConfigIssue } from './temporal-profile';

/** Use the embedded dev server (see `startDevServer`): the configuration names no address. */
export interface EmbeddedConnectionConfig {
  mode: 'embedded';
}

/** A certificate or key in PEM: a file (absolute path), or the text itself; `origin` names where it was given. */
export type PemSource = { path: string; origin: string } | { data: string; origin: string };

/** TLS of a cluster connection. `{}` is TLS with the system's CAs and no client certificate. */
export interface ClusterTlsConfig {
  /** mTLS client identity (always both). */
  clientCert?: { cert: PemSource; key: PemSource };
  /** CA that signed the server's certificate; the system's CAs when absent. */
  serverCa?: PemSource;
  /** Name to check the server certificate against. */
  serverName?: string;
}

/** Connect to an existing Temporal cluster. */
export interface ClusterConnectionConfig {
  mode: 'cluster';
  /** `host:port` of the cluster's frontend. */
  address: string;
  /** Default `'default'`. */
  namespace: string;
  /** Present when TLS is on; absent means plain text. */
  tls?: ClusterTlsConfig;
  /** An API key (Temporal Cloud): sent as a bearer token; it turns TLS on unless TLS is disabled explicitly. */
  apiKey?: string;
  /** gRPC headers sent with every call (`TEMPORAL_GRPC_META_*`, a profile's `grpc_meta`). */
  metadata?: Record<string, string>;
  /** Where the address came from, for the operator: `TEMPORAL_ADDRESS` or `profile "prod" in /…/temporal.toml`. */
  from?: string;
}

/** Result of {@link readConnectionConfig}. */
export type ConnectionConfig = EmbeddedConnectionConfig | ClusterConnectionConfig;

/**
 * Options for `Connection.connect` (client) and `NativeConnection.connect` (worker); both accept
 * this shape, so one reader serves both.
 */
export interface ClusterConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** Thrown by {@link readConnectionConfig}; the message lists every bad setting, not just the first. */
export class ConnectionConfigError extends Error {
  /** The individual problems, for callers that want to render them differently. */
  readonly issues: ConnectionConfigIssue[];

  constructor(issues: ConnectionConfigIssue[]) {
    super(
      'spoolflow: invalid Temporal connection settings:\n' +
        issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n') +
        '\n(without TEMPORAL_ADDRESS, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE, and with no address in the default profile of the temporal CLI, spoolflow uses its embedded dev server)',
    );
    this.name = 'ConnectionConfigError';
    this.issues = issues;
  }
}

/** spoolflow's former names, refused so that an upgraded operator's certificates are never silently dropped (that would mean plain text). */
const RENAMED_VARIABLES = [
  ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
  ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
  ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
] as const;

/** Settings that only make sense for a cluster: set without an address, they point at a forgotten TEMPORAL_ADDRESS. */
const CLUSTER_ONLY_VARIABLES = [
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

/** The three PEMs of a TLS setting: the profile key's stem, and what it is in an operator's words. */
const PEMS = {
  clientCert: ['client_cert', 'the client certificate'],
  clientKey: ['client_key', "the client certificate's private key"],
  serverCACert: ['server_ca_cert', "the CA that signed the server's certificate"],
} as const;
type PemField = keyof typeof PEMS;

/**
 * host:port with a numeric port. Bracketed IPv6 (`[::1]:7233`) is accepted; a URL is not,
 * because the SDK wants a bare gRPC target and a scheme would fail later with a vaguer error.
 */
function addressProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be text host:port, e.g. "temporal.example.com:7233" (got ${JSON.stringify(value)})`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return `must be host:port without a scheme, e.g. temporal.example.com:7233 (got "${value}")`;
  }
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/.exec(value);
  if (!m) return `must be host:port, e.g. temporal.example.com:7233 or 127.0.0.1:7233 (got "${value}")`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port must be between 1 and 65535 (got ${port} in "${value}")`;
  return undefined;
}

/** Checked while reading so that a typo in a path fails at startup, not at first connect. */
function fileProblem(value: string, what: string): string | undefined {
  const abs = path.resolve(value);
  const stat = fs.statSync(abs, { throwIfNoEntry: false });
  if (stat === undefined) return `no file at ${abs}${abs === value ? '' : ` (resolved from "${value}")`}; point it at the PEM file of ${what}`;
  if (!stat.isFile()) return `${abs} is not a regular file; point it at the PEM file of ${what}`;
  return undefined;
}

/** Where one of the PEMs was given: the _PATH or _DATA variable, or the profile's key. */
function pemOrigin(loaded: LoadedProfile, field: PemField, source: ConfigDataSource): string {
  const stem = PEMS[field][0];
  const kind = 'path' in source ? 'path' : 'data';
  return loaded.origin(`TEMPORAL_TLS_${stem.toUpperCase()}_${kind.toUpperCase()}`, `tls.${stem}_${kind}`);
}

function pemSource(loaded: LoadedProfile, field: PemField, source: ConfigDataSource): PemSource {
  const origin = pemOrigin(loaded, field, source);
  if ('path' in source) return { path: path.resolve(source.path), origin };
  return { data: typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8'), origin };
}

/** Every rule a cluster's settings break, each naming the variable or profile key it came from. */
function clusterIssues(loaded: LoadedProfile): ConnectionConfigIssue[] {
  const { profile, origin } = loaded;
  const issues: ConnectionConfigIssue[] = [];
  const fail = (variable: string, message: string) => issues.push({ variable, message });

  const addr = addressProblem(profile.address);
  if (addr) fail(origin('TEMPORAL_ADDRESS', 'address'), addr);
  const ns: unknown = profile.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ns))) {
    fail(origin('TEMPORAL_NAMESPACE', 'namespace'), `must be a namespace name (letters, digits, ".", "_", "-"), got ${JSON.stringify(ns)}`);
  }
  const apiKey: unknown = profile.apiKey;
  if (apiKey !== undefined && typeof apiKey !== 'string') fail(origin('TEMPORAL_API_KEY', 'api_key'), 'must be text');

  const tls: ClientConfigTLS | undefined = profile.tls;
  if (tls === undefined) return issues;
  const disabledOrigin = origin('TEMPORAL_TLS', 'tls.disabled');
  const given = (Object.keys(PEMS) as PemField[]).filter((f) => tls[f] !== undefined);
  if (tls.disabled === true) {
    const settings = [...given.map((f) => pemOrigin(loaded, f, tls[f] as ConfigDataSource)), ...(tls.serverName !== undefined ? [origin('TEMPORAL_TLS_SERVER_NAME', 'tls.server_name')] : [])];
    if (settings.length > 0) fail(disabledOrigin, `turns TLS off but ${settings.join(', ')} ${settings.length === 1 ? 'is' : 'are'} set; turn TLS on or unset the TLS settings`);
    if (apiKey !== undefined && !isLoopbackAddress(String(profile.address))) {
      fail(origin('TEMPORAL_API_KEY', 'api_key'), `would travel in plain text to ${String(profile.address)}, which is not on this machine, because ${disabledOrigin} turns TLS off; turn TLS on`);
    }
  }
  if (tls.disabled !== undefined && typeof tls.disabled !== 'boolean') fail(disabledOrigin, 'must be true or false');
  if (tls.serverName !== undefined && typeof tls.serverName !== 'string') fail(origin('TEMPORAL_TLS_SERVER_NAME', 'tls.server_name'), 'must be text');
  const [cert, key] = [tls.clientCert, tls.clientKey];
  if ((cert === undefined) !== (key === undefined)) {
    const [present, missing] = cert !== undefined ? (['clientCert', 'clientKey'] as const) : (['clientKey', 'clientCert'] as const);
    const stem = PEMS[missing][0].toUpperCase();
    fail(
      loaded.origin(`TEMPORAL_TLS_${stem}_PATH`, `tls.${PEMS[missing][0]}_path`),
      `is required when ${pemOrigin(loaded, present, (cert ?? key) as ConfigDataSource)} is set: mTLS needs the client certificate and its private key (set both or neither; TEMPORAL_TLS_${stem}_DATA for the PEM text itself)`,
    );
  }
  for (const field of given) {
    const source = tls[field] as ConfigDataSource;
    if (!('path' in source)) continue;
    const problem = typeof source.path === 'string' ? fileProblem(source.path, PEMS[field][1]) : 'must be text (a path)';
    if (problem) fail(pemOrigin(loaded, field, source), problem);
  }
  return issues;
}

/** The cluster's settings, TLS decided as Temporal's configuration decides it: on when TLS is configured and not disabled, or with an API key. */
function clusterConfig(loaded: LoadedProfile, env: Record<string, string>): ClusterConnectionConfig {
  const { profile } = loaded;
  const config: ClusterConnectionConfig = {
    mode: 'cluster',
    address: profile.address as string,
    namespace: profile.namespace ?? 'default',
    from: env.TEMPORAL_ADDRESS !== undefined || loaded.file === undefined ? 'TEMPORAL_ADDRESS' : `profile "${loaded.name}" in ${loaded.file}`,
  };
  if (profile.apiKey !== undefined) config.apiKey = profile.apiKey;
  if (profile.grpcMeta !== undefined && Object.keys(profile.grpcMeta).length > 0) config.metadata = { ...profile.grpcMeta };
  const tls = profile.tls;
  const tlsOn = tls !== undefined ? tls.disabled !== true : profile.apiKey !== undefined;
  if (!tlsOn) return config;
  const on: ClusterTlsConfig = {};
  if (tls?.clientCert && tls.clientKey) {
    on.clientCert = { cert: pemSource(loaded, 'clientCert', tls.clientCert), key: pemSource(loaded, 'clientKey', tls.clientKey) };
  }
  if (tls?.serverCACert) on.serverCa = pemSource(loaded, 'serverCACert', tls.serverCACert);
  if (tls?.serverName !== undefined) on.serverName = tls.serverName;
  config.tls = on;
  return config;
}

/**
 * Reads the Temporal connection settings: Temporal's environment configuration (the variables
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS`,
 * `TEMPORAL_TLS_CLIENT_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH`/`_DATA`,
 * `TEMPORAL_TLS_SERVER_CA_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_SERVER_NAME`, over the profile of
 * `temporal.toml` that `TEMPORAL_PROFILE` names, in the file `TEMPORAL_CONFIG_FILE` names).
 *
 * - no address: `{ mode: 'embedded' }` (see the module's header for when a profile counts);
 * - otherwise a cluster; certificate paths are absolute and the files existed when read.
 *
 * A remote address reached in plain text without saying so (`TEMPORAL_TLS=false`) prints a warning.
 *
 * @param env - the environment to read; defaults to `process.env`.
 * @throws {@link ConnectionConfigError} naming every invalid variable or profile key and the rule it broke.
 */
export interface ConnectionConfigOptions {
  /**
   * Whether the address of the default profile counts when nothing chose it (no TEMPORAL_ADDRESS,
   * TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE). True for the production parts (an operator's
   * existing profile just works); false for the simulated estate (`npm start`, simulator/main.ts),
   * which must never attach simulated hosts to a real cluster because of a profile set up for other
   * work: it then runs on the embedded server and says why.
   */
  implicitProfile?: boolean;
}

export function readConnectionConfig(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => console.warn(line),
  options: ConnectionConfigOptions = {},
): ConnectionConfig {
  const vars = temporalEnvironment(env);
  const issues: ConnectionConfigIssue[] = [];
  for (const [former, now] of RENAMED_VARIABLES) {
    if (vars[former] !== undefined) issues.push({ variable: former, message: `is no longer read: use ${now} (Temporal's own name, read by the temporal CLI and every Temporal SDK)` });
  }
  if (vars.TEMPORAL_TLS !== undefined && !/^(true|false|1|0)$/.test(vars.TEMPORAL_TLS)) {
    issues.push({ variable: 'TEMPORAL_TLS', message: `must be true, false, 1 or 0 (got "${vars.TEMPORAL_TLS}")` });
  }
  const result = loadTemporalProfile(vars);
  if ('issues' in result) throw new ConnectionConfigError([...issues, ...result.issues]);
  const loaded = result.loaded;
  const onlyImplicit = vars.TEMPORAL_ADDRESS === undefined && !loaded.chosen && loaded.profile.address !== undefined;
  if (onlyImplicit && options.implicitProfile === false) {
    warn(
      `spoolflow: the simulated estate ignores the address of profile "${loaded.name}" in ${loaded.file ?? 'the Temporal configuration'} (nobody chose it here): ` +
        'it runs on the embedded server. Set TEMPORAL_ADDRESS or TEMPORAL_PROFILE to run it against that cluster on purpose.',
    );
    return { mode: 'embedded' };
  }

  if (loaded.profile.address === undefined) {
    if (loaded.chosen) {
      issues.push({
        variable: vars.TEMPORAL_PROFILE !== undefined ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE',
        message: `profile "${loaded.name}" in ${loaded.file} has no address; add address = "host:7233" to it or set TEMPORAL_ADDRESS`,
      });
    }
    for (const variable of CLUSTER_ONLY_VARIABLES) {
      if (vars[variable] !== undefined) {
        issues.push({ variable, message: 'is set but no Temporal address is (TEMPORAL_ADDRESS or a profile\'s address); it only applies to a cluster, so set the address or unset this' });
      }
    }
    if (issues.length > 0) throw new ConnectionConfigError(issues);
    return { mode: 'embedded' };
  }

  issues.push(...clusterIssues(loaded));
  if (issues.length > 0) throw new ConnectionConfigError(issues);
  const config = clusterConfig(loaded, vars);
  // An explicit "TLS off" says plain text is meant (a sidecar or tunnel encrypts); silence is not consent.
  if (!config.tls && loaded.profile.tls?.disabled !== true && !isLoopbackAddress(config.address)) warn(plaintextWarning(config.address));
  return config;
}

/** Whether `host:port` names this machine (localhost, 127.0.0.0/8, ::1): only there is plain text harmless. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === 'localhost.' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The line printed when a remote Temporal is reached without TLS. */
export function plaintextWarning(address: string): string {
  return (
    `spoolflow: WARNING: the Temporal address ${address} is not on this machine and TLS is not configured, so traffic to Temporal ` +
    '(procedure inputs, results, operator commands) travels unencrypted. Turn TLS on with TEMPORAL_TLS=true (server certificate ' +
    'checked against the system CAs), TEMPORAL_TLS_SERVER_CA_CERT_PATH=<ca.pem> for a private CA, TEMPORAL_TLS_CLIENT_CERT_PATH and ' +
    'TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS, or TEMPORAL_API_KEY (or the same in the profile\'s [profile.<name>.tls]); ' +
    'set TEMPORAL_TLS=false if plain text is intended.'
  );
}

/** Reads a PEM (a file, or text given inline), blaming the setting it came from if that fails. */
async function readPem(source: PemSource): Promise<Buffer> {
  let data: Buffer;
  let what: string;
  if ('path' in source) {
    what = `${source.origin} file ${source.path}`;
    try {
      data = await fs.promises.readFile(source.path);
    } catch (err) {
      throw new Error(`spoolflow: cannot read ${what}: ${(err as Error).message}; fix the path or its permissions`, { cause: err });
    }
  } else {
    what = source.origin;
    data = Buffer.from(source.data, 'utf8');
  }
  // A DER file or a wrong path (e.g. the .csr) would otherwise surface as an opaque TLS handshake error.
  if (!data.includes('-----BEGIN')) {
    throw new Error(`spoolflow: ${what} is not PEM (no "-----BEGIN" line); convert it with openssl or point ${source.origin} at the PEM`);
  }
  return data;
}

/**
 * Builds the options for `Connection.connect` / `NativeConnection.connect` from a cluster
 * config, reading the certificate files.
 *
 * The embedded mode has no options of its own: start the dev server and use its `address`.
 *
 * @throws if a file cannot be read or is not PEM, naming the setting it came from.
 */
export async function connectionOptionsFor(config: ClusterConnectionConfig): Promise<ClusterConnectionOptions> {
  const options: ClusterConnectionOptions = { address: config.address };
  if (config.apiKey !== undefined) options.apiKey = config.apiKey;
  if (config.metadata !== undefined) options.metadata = { ...config.metadata };
  if (!config.tls) return options;
  const { clientCert, serverCa, serverName } = config.tls;
  const tls: TLSConfig = {};
  if (clientCert) {
    const [crt, key] = await Promise.all([readPem(clientCert.cert), readPem(clientCert.key)]);
    tls.clientCertPair = { crt, key };
  }
  if (serverCa) tls.serverRootCACertificate = await readPem(serverCa);
  if (serverName) tls.serverNameOverride = serverName;
  options.tls = tls;
  return options;
}
