/**
 * How spoolflow reaches Temporal: its own embedded dev server, or a real cluster described by
 * `TEMPORAL_*` environment variables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/** Use the embedded dev server (see `startDevServer`); chosen when `TEMPORAL_ADDRESS` is unset. */
export interface EmbeddedConnectionConfig {
  mode: 'embedded';
}

/** TLS settings for a cluster connection; every path is absolute and existed when read. */
export interface ClusterTlsConfig {
  /** mTLS client identity, from `TEMPORAL_TLS_CERT` and `TEMPORAL_TLS_KEY` (always both). */
  clientCert?: { certPath: string; keyPath: string };
  /** CA that signed the server's certificate, from `TEMPORAL_TLS_CA`; system roots are used when absent. */
  serverCaPath?: string;
  /** Name to check the server certificate against, from `TEMPORAL_TLS_SERVER_NAME`. */
  serverName?: string;
}

/** Connect to an existing Temporal cluster. */
export interface ClusterConnectionConfig {
  mode: 'cluster';
  /** `host:port` of the cluster's frontend, from `TEMPORAL_ADDRESS`. */
  address: string;
  /** From `TEMPORAL_NAMESPACE`, default `'default'`. */
  namespace: string;
  /** Present when any TLS variable is set (or `TEMPORAL_TLS=true`); absent means plaintext. */
  tls?: ClusterTlsConfig;
}

/** Result of {@link readConnectionConfig}. */
export type ConnectionConfig = EmbeddedConnectionConfig | ClusterConnectionConfig;

/**
 * Options for `Connection.connect` (client) and `NativeConnection.connect` (worker); both accept
 * this shape, so one reader serves both.
 */
export interface ClusterConnectionOptions {
  address: string;
  tls?: {
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverRootCACertificate?: Buffer;
    serverNameOverride?: string;
  };
}

/** One invalid variable and the rule it broke. */
export interface ConnectionConfigIssue {
  variable: string;
  message: string;
}

/** Thrown by {@link readConnectionConfig}; the message lists every bad variable, not just the first. */
export class ConnectionConfigError extends Error {
  /** The individual problems, for callers that want to render them differently. */
  readonly issues: ConnectionConfigIssue[];

  constructor(issues: ConnectionConfigIssue[]) {
    super(
      'spoolflow: invalid Temporal connection settings:\n' +
        issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n') +
        '\n(unset TEMPORAL_ADDRESS to use the embedded dev server instead)',
    );
    this.name = 'ConnectionConfigError';
    this.issues = issues;
  }
}

/** Blank values count as unset: `export TEMPORAL_TLS_CA=` in a shell should not mean "a file named ''". */
const optionalText = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v),
  z.string().optional(),
);

/**
 * host:port with a numeric port. Bracketed IPv6 (`[::1]:7233`) is accepted; a URL is not,
 * because the SDK wants a bare gRPC target and a scheme would fail later with a vaguer error.
 */
function addressProblem(value: string): string | undefined {
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
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    return `no file at ${abs}${abs === value ? '' : ` (resolved from "${value}")`}; point it at the PEM file of ${what}`;
  }
  if (!stat.isFile()) return `${abs} is not a regular file; point it at the PEM file of ${what}`;
  return undefined;
}

const envSchema = z
  .object({
    TEMPORAL_ADDRESS: optionalText,
    TEMPORAL_NAMESPACE: optionalText,
    TEMPORAL_TLS: optionalText,
    TEMPORAL_TLS_CERT: optionalText,
    TEMPORAL_TLS_KEY: optionalText,
    TEMPORAL_TLS_CA: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
  })
  .superRefine((env, ctx) => {
    const fail = (variable: keyof typeof env, message: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message });

    const tlsVars = (['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME'] as const).filter(
      (k) => env[k] !== undefined,
    );

    if (env.TEMPORAL_ADDRESS === undefined) {
      // TLS settings without an address are almost certainly a forgotten TEMPORAL_ADDRESS;
      // silently using the embedded server would hide that.
      for (const k of tlsVars) {
        fail(k, 'is set but TEMPORAL_ADDRESS is not; TLS settings only apply to a cluster, so set TEMPORAL_ADDRESS or unset this');
      }
      return;
    }

    const addr = addressProblem(env.TEMPORAL_ADDRESS);
    if (addr) fail('TEMPORAL_ADDRESS', addr);

    if (env.TEMPORAL_NAMESPACE !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(env.TEMPORAL_NAMESPACE)) {
      fail(
        'TEMPORAL_NAMESPACE',
        `must be a namespace name (letters, digits, ".", "_", "-"), got "${env.TEMPORAL_NAMESPACE}"`,
      );
    }

    if (env.TEMPORAL_TLS !== undefined && !/^(true|false|1|0)$/i.test(env.TEMPORAL_TLS)) {
      fail('TEMPORAL_TLS', `must be true, false, 1 or 0 (got "${env.TEMPORAL_TLS}")`);
    }
    if (env.TEMPORAL_TLS !== undefined && /^(false|0)$/i.test(env.TEMPORAL_TLS) && tlsVars.length > 0) {
      fail('TEMPORAL_TLS', `is false but ${tlsVars.join(', ')} ${tlsVars.length === 1 ? 'is' : 'are'} set; unset TEMPORAL_TLS or the TLS settings`);
    }

    if (env.TEMPORAL_TLS_CERT !== undefined && env.TEMPORAL_TLS_KEY === undefined) {
      fail('TEMPORAL_TLS_KEY', 'is required when TEMPORAL_TLS_CERT is set: mTLS needs the client certificate and its private key (set both or neither)');
    }
    if (env.TEMPORAL_TLS_KEY !== undefined && env.TEMPORAL_TLS_CERT === undefined) {
      fail('TEMPORAL_TLS_CERT', 'is required when TEMPORAL_TLS_KEY is set: mTLS needs the client certificate and its private key (set both or neither)');
    }

    const files = [
      ['TEMPORAL_TLS_CERT', 'the client certificate'],
      ['TEMPORAL_TLS_KEY', "the client certificate's private key"],
      ['TEMPORAL_TLS_CA', "the CA that signed the server's certificate"],
    ] as const;
    for (const [k, what] of files) {
      const value = env[k];
      if (value === undefined) continue;
      const problem = fileProblem(value, what);
      if (problem) fail(k, problem);
    }
  });

/**
 * Reads the Temporal connection settings from the environment.
 *
 * - `TEMPORAL_ADDRESS` unset (or blank): `{ mode: 'embedded' }`.
 * - otherwise a cluster: `TEMPORAL_ADDRESS` (host:port), `TEMPORAL_NAMESPACE` (default `default`),
 *   optional TLS: `TEMPORAL_TLS_CERT` + `TEMPORAL_TLS_KEY` (client cert and key paths, both or
 *   neither), `TEMPORAL_TLS_CA` (server CA path), `TEMPORAL_TLS_SERVER_NAME`, and
 *   `TEMPORAL_TLS=true` for server-only TLS with system roots (no files needed).
 *
 * Relative paths are resolved against the current directory; the files must exist.
 *
 * @param env - the environment to read; defaults to `process.env`.
 * @throws {@link ConnectionConfigError} naming every invalid variable and the rule it broke.
 */
export function readConnectionConfig(env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (line) => console.warn(line)): ConnectionConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConnectionConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message })),
    );
  }
  const e = parsed.data;
  if (e.TEMPORAL_ADDRESS === undefined) return { mode: 'embedded' };

  const config: ClusterConnectionConfig = {
    mode: 'cluster',
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE ?? 'default',
  };
  const tlsRequested = e.TEMPORAL_TLS !== undefined && /^(true|1)$/i.test(e.TEMPORAL_TLS);
  if (tlsRequested || e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME) {
    const tls: ClusterTlsConfig = {};
    if (e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY) {
      tls.clientCert = { certPath: path.resolve(e.TEMPORAL_TLS_CERT), keyPath: path.resolve(e.TEMPORAL_TLS_KEY) };
    }
    if (e.TEMPORAL_TLS_CA) tls.serverCaPath = path.resolve(e.TEMPORAL_TLS_CA);
    if (e.TEMPORAL_TLS_SERVER_NAME) tls.serverName = e.TEMPORAL_TLS_SERVER_NAME;
    config.tls = tls;
  }
  // An explicit TEMPORAL_TLS=false says plain text is meant (a sidecar or tunnel encrypts); silence is not consent.
  if (!config.tls && e.TEMPORAL_TLS === undefined && !isLoopbackAddress(config.address)) warn(plaintextWarning(config.address));
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
    `spoolflow: WARNING: TEMPORAL_ADDRESS ${address} is not on this machine and no TLS setting is given, so traffic to Temporal ` +
    '(procedure inputs, results, operator commands) travels unencrypted. Turn TLS on with TEMPORAL_TLS=true (server certificate ' +
    'checked against the system CAs), TEMPORAL_TLS_CA=<ca.pem> for a private CA and TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY for mTLS; ' +
    'set TEMPORAL_TLS=false if plain text is intended.'
  );
}

/** How long a first connection to Temporal may take before spoolflow gives up, by default. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Temporal did not answer at the configured address: names it and says what to check. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    why: string,
  ) {
    super(
      `spoolflow: cannot reach Temporal at ${address}: ${why}. Check that a Temporal server's frontend listens there ` +
        '(TEMPORAL_ADDRESS is its host:port, usually port 7233) and that the port is reachable from this machine; a server that ' +
        'requires TLS needs TEMPORAL_TLS=true or TEMPORAL_TLS_CA; unset TEMPORAL_ADDRESS to use the embedded dev server.',
    );
  }
}

/**
 * Runs a first connection (`Connection.connect` or `NativeConnection.connect`) within a deadline,
 * so a wrong address fails in bounded time with an error that names it: the SDK's own errors say
 * "Failed to connect before the deadline" or show a transport error, and a port that accepts but
 * never answers keeps the worker's connection waiting for 30 s.
 */
export async function connectWithin<T>(address: string, connect: () => Promise<T>, timeoutMs = CONNECT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const attempt = Promise.resolve().then(connect);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new TemporalUnreachableError(address, `no answer within ${Math.round(timeoutMs / 100) / 10} s`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      attempt.catch((err: unknown) => {
        throw new TemporalUnreachableError(address, connectFailure(err));
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    // A connection that arrives after we gave up is closed, not leaked.
    if (timedOut) {
      attempt.then((late) => (late as { close?: () => unknown }).close?.(), () => undefined);
    }
  }
}

/** The SDK's failure in an operator's words, rather than a transport library's debug dump. */
function connectFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const known: [RegExp, string][] = [
    [/connection refused/i, 'connection refused (nothing listens on that port)'],
    [/timeout expired|deadline/i, 'no answer in time'],
    [/failed to lookup|name or service not known|dns error|nodename nor servname/i, 'the host name does not resolve'],
    [/network is unreachable|no route to host|host is unreachable/i, 'the network cannot reach the host'],
    [/certificate|handshake|tls/i, `the TLS handshake failed (${text.slice(0, 200)})`],
  ];
  return known.find(([pattern]) => pattern.test(text))?.[1] ?? text.slice(0, 300);
}

/** Reads a PEM file, blaming the variable it came from if that fails. */
async function readPem(file: string, variable: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await fs.promises.readFile(file);
  } catch (err) {
    throw new Error(`spoolflow: cannot read ${variable} file ${file}: ${(err as Error).message}; fix the path or its permissions`, { cause: err });
  }
  // A DER file or a wrong path (e.g. the .csr) would otherwise surface as an opaque TLS handshake error.
  if (!data.includes('-----BEGIN')) {
    throw new Error(`spoolflow: ${variable} file ${file} is not PEM (no "-----BEGIN" line); convert it with openssl or point ${variable} at the PEM file`);
  }
  return data;
}

/**
 * Builds the options for `Connection.connect` / `NativeConnection.connect` from a cluster
 * config, reading the certificate files.
 *
 * The embedded mode has no options of its own: start the dev server and use its `address`.
 *
 * @throws if a file cannot be read or is not PEM, naming the variable it came from.
 */
export async function connectionOptionsFor(config: ClusterConnectionConfig): Promise<ClusterConnectionOptions> {
  if (!config.tls) return { address: config.address };
  const { clientCert, serverCaPath, serverName } = config.tls;
  const tls: NonNullable<ClusterConnectionOptions['tls']> = {};
  if (clientCert) {
    const [crt, key] = await Promise.all([
      readPem(clientCert.certPath, 'TEMPORAL_TLS_CERT'),
      readPem(clientCert.keyPath, 'TEMPORAL_TLS_KEY'),
    ]);
    tls.clientCertPair = { crt, key };
  }
  if (serverCaPath) tls.serverRootCACertificate = await readPem(serverCaPath, 'TEMPORAL_TLS_CA');
  if (serverName) tls.serverNameOverride = serverName;
  return { address: config.address, tls };
}
