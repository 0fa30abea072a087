/**
 * The first connection to Temporal, bounded in time: a wrong address fails with an error that names
 * it and says what to check, instead of the SDK's transport dump or a 30 s wait.
 */

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
        '(TEMPORAL_ADDRESS, or the address of the TEMPORAL_PROFILE profile, is its host:port, usually port 7233) and that the ' +
        'port is reachable from this machine; a server that requires TLS needs TEMPORAL_TLS=true, TEMPORAL_TLS_SERVER_CA_CERT_PATH ' +
        'or TEMPORAL_API_KEY; unset TEMPORAL_ADDRESS and TEMPORAL_PROFILE to use the embedded dev server.',
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
    [/unauthenticated|unauthorized|permission denied|api key|jwt/i, `the server refused the credentials (${text.slice(0, 200)}); check TEMPORAL_API_KEY or the client certificate`],
    [/certificate|handshake|tls/i, `the TLS handshake failed (${text.slice(0, 200)})`],
  ];
  return known.find(([pattern]) => pattern.test(text))?.[1] ?? text.slice(0, 300);
}
