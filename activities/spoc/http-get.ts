/**
 * One GET over HTTP or HTTPS with a deadline, for the Management Server's web interface and the
 * load source. Redirects are not followed: a login page's 302 already proves the server answers,
 * and following one could lead anywhere. The body is read up to a bound, so a misconfigured URL
 * pointing at a large file cannot fill the worker's memory.
 */
import http from 'node:http';
import https from 'node:https';

/** Where to GET and how to trust it. */
export interface HttpTarget {
  url: string;
  /** PEM of the CA that signed the server's certificate (a private CA); the system CAs otherwise. */
  ca?: Buffer;
  /** Accept any certificate (a self-signed one): the connection is encrypted but not authenticated. */
  insecure?: boolean;
  /** The whole request, connect to last byte. */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Bodies longer than this are cut off (the load source's JSON is a few kB per hundred hosts). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** GETs the target; rejects with a message naming the URL when it does not answer in time or at all. */
export function httpGet(target: HttpTarget, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const url = new URL(target.url);
  const tls = url.protocol === 'https:' ? { ...(target.ca ? { ca: target.ca } : {}), rejectUnauthorized: target.insecure !== true } : {};
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new Error(`GET ${target.url}: ${why}`));
    };
    const request = get(url, { headers: { accept: 'application/json, text/html;q=0.9, */*;q=0.5', ...headers }, ...tls, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_BODY_BYTES) return fail(`the answer is longer than ${MAX_BODY_BYTES} bytes`);
        chunks.push(chunk);
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (err) => fail(err.message));
    });
    request.on('error', (err: NodeJS.ErrnoException) => fail(describeRequestError(err)));
    const timer = setTimeout(() => fail(`no answer within ${target.timeoutMs / 1000} s`), target.timeoutMs);
  });
}

/** A socket or TLS failure in an operator's words, with the code that tells them apart. */
function describeRequestError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on that port)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return `its certificate is not trusted (${code}): give the CA that signed it (caFile), or, for a self-signed certificate you accept, insecure: true`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `its certificate is for another name (${err.message})`;
  return err.message;
}

const UNTRUSTED_CERTIFICATE = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
