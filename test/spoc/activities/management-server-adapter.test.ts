/**
 * The production Management Server adapter against small servers of this machine: the web
 * interface (HTTP, and HTTPS with a self-signed certificate made by openssl), the SPOC's and the
 * Terminal Server's ports (TCP listeners that come and go), and the load source; and the load
 * check on top of it, which never passes on an unknown load.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ManagementServerAdapter, type ManagementServerAdapterOptions } from '../../../activities/spoc/management-server-adapter';
import { createCentralActivities } from '../../../activities/spoc/management-server-activities';
import { httpGet } from '../../../activities/spoc/http-get';
import type { LoadSource } from '../../../activities/spoc/load-source';
import type { LivenessOptions, SpocEndpoint } from '../../../activities/spoc/spoc-liveness';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

/** An HTTP server answering every GET with `answer`; its URL. */
async function webServer(answer: (res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${portOf(server)}/`;
}

/** A TCP listener standing in for a SPOC or Terminal Server port; `close()` takes it down, `open()` up again on the same port. */
async function tcpPort(port = 0): Promise<{ port: number; open(): Promise<void>; close(): Promise<void> }> {
  let server: net.Server | undefined;
  const handle = {
    port,
    async open() {
      const s = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => s.listen(handle.port, '127.0.0.1', resolve));
      handle.port = portOf(s);
      server = s;
    },
    async close() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await handle.open();
  closers.push(() => handle.close());
  return handle;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const p = await tcpPort();
  await p.close();
  return p.port;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function adapter(options: Partial<ManagementServerAdapterOptions> & Pick<ManagementServerAdapterOptions, 'siteServers'>): ManagementServerAdapter {
  const a = new ManagementServerAdapter({
    webInterface: { url: 'http://127.0.0.1:1/', timeoutMs: 1000 },
    groups: {},
    liveness: { intervalMs: 40, failuresBeforeDown: 2, connectTimeoutMs: 500 },
    ...options,
  });
  closers.push(async () => a.stop());
  return a;
}

describe('reachability: the web interface answers below HTTP 500', () => {
  test('a login redirect or an authentication demand counts as up', async () => {
    for (const status of [200, 302, 401]) {
      const url = await webServer((res) => res.writeHead(status, { location: '/login' }).end());
      await expect(adapter({ webInterface: { url, timeoutMs: 1000 }, siteServers: [] }).ping()).resolves.toBeUndefined();
    }
  });

  test('a failing application, a closed port and a server that never answers are down, each said so', async () => {
    const failing = await webServer((res) => res.writeHead(503).end());
    await expect(adapter({ webInterface: { url: failing, timeoutMs: 1000 }, siteServers: [] }).ping()).rejects.toThrow(`its web interface ${failing} answered HTTP 503`);
    const refused = `http://127.0.0.1:${await closedPort()}/`;
    await expect(adapter({ webInterface: { url: refused, timeoutMs: 1000 }, siteServers: [] }).ping()).rejects.toThrow('connection refused');
    const silent = await webServer(() => undefined);
    await expect(adapter({ webInterface: { url: silent, timeoutMs: 300 }, siteServers: [] }).ping()).rejects.toThrow('no answer within 0.3 s');
  });
});

describe('HTTPS with a self-signed certificate', () => {
  let dir: string;
  let url: string;
  let cert: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    cert = readFileSync(path.join(dir, 'cert.pem'));
    const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${portOf(server)}/`;
    afterAllClose = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  });
  let afterAllClose: () => Promise<void> = async () => undefined;
  afterAll(async () => {
    await afterAllClose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is refused without its CA, saying how to trust it', async () => {
    await expect(httpGet({ url, timeoutMs: 2000 })).rejects.toThrow(/certificate is not trusted .*caFile.*insecure: true/);
  });

  test('is trusted with its CA file, or with insecure', async () => {
    await expect(httpGet({ url, ca: cert, timeoutMs: 2000 })).resolves.toMatchObject({ status: 200, body: 'ok' });
    await expect(httpGet({ url, insecure: true, timeoutMs: 2000 })).resolves.toMatchObject({ status: 200 });
  });
});

describe('online: the SPOC port and the Terminal Server port accept connections', () => {
  test('both ports up is online, one of them down is not', async () => {
    const [spoc, ts, closed] = [await tcpPort(), await tcpPort(), await closedPort()];
    const a = adapter({ siteServers: [{ host: 'spoc-a', address: '127.0.0.1', ports: [spoc.port, ts.port] }, { host: 'spoc-b', address: '127.0.0.1', ports: [spoc.port, closed] }] });
    const status = await a.spocStatus(['spoc-a', 'spoc-b']);
    expect(status['spoc-a']).toMatchObject({ online: true, onlineSince: expect.any(String) });
    expect(status['spoc-b']).toMatchObject({ online: false, onlineSince: null });
  });

  test('a SPOC that goes down is offline after the failures in a row, and online since when it came back', async () => {
    const [spoc, ts] = [await tcpPort(), await tcpPort()];
    const a = adapter({ siteServers: [{ host: 'spoc-a', address: '127.0.0.1', ports: [spoc.port, ts.port] }] });
    a.start();
    const first = (await a.spocStatus(['spoc-a']))['spoc-a']!;
    expect(first.online).toBe(true);
    await spoc.close();
    await wait(300);
    expect((await a.spocStatus(['spoc-a']))['spoc-a']).toMatchObject({ online: false, onlineSince: null });
    const reopenedAt = Date.now();
    await spoc.open();
    await wait(200);
    const back = (await a.spocStatus(['spoc-a']))['spoc-a']!;
    expect(back.online).toBe(true);
    expect(Date.parse(back.onlineSince!)).toBeGreaterThanOrEqual(reopenedAt);
    expect(Date.parse(back.onlineSince!)).toBeGreaterThan(Date.parse(first.onlineSince!));
  });

  test('a single failed probe of an online SPOC does not take it down', async () => {
    const [spoc, ts] = [await tcpPort(), await tcpPort()];
    const a = adapter({ siteServers: [{ host: 'spoc-a', address: '127.0.0.1', ports: [spoc.port, ts.port] }], liveness: { intervalMs: 60_000, failuresBeforeDown: 3, connectTimeoutMs: 500 } });
    a.start();
    const first = (await a.spocStatus(['spoc-a']))['spoc-a']!;
    await ts.close();
    await a.probeNow();
    expect((await a.spocStatus(['spoc-a']))['spoc-a']).toEqual(first);
  });

  test('the group is the configured one, and a SPOC the configuration does not list is refused', async () => {
    const [spoc, ts] = [await tcpPort(), await tcpPort()];
    const endpoint = (host: string) => ({ host, address: '127.0.0.1', ports: [spoc.port, ts.port] });
    const a = adapter({ siteServers: [endpoint('spoc-a'), endpoint('spoc-b'), endpoint('spoc-c')], groups: { london: ['spoc-a', 'spoc-b'] } });
    const status = await a.spocStatus(['SPOC-A', 'spoc-c']);
    expect(status['SPOC-A']?.group).toBe('london');
    expect(status['spoc-c']?.group).toBeNull();
    await expect(a.spocStatus(['spoc-z'])).rejects.toMatchObject({ name: 'SpocNotInFleetError', message: expect.stringContaining('spoc-z is not a site server of the fleet configuration') });
  });
});

describe('after a restart of the central worker: the probe state file', () => {
  let dir: string;
  let stateFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-probes-'));
    stateFile = path.join(dir, 'state', 'spoc-probes.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A site server whose SPOC and Terminal Server ports are both open. */
  const upSiteServer = async (host = 'spoc-a') => {
    const [spoc, ts] = [await tcpPort(), await tcpPort()];
    return { endpoint: { host, address: '127.0.0.1', ports: [spoc.port, ts.port] }, spoc, ts };
  };
  /** One central worker's adapter over the state file; `liveness` overrides the probe settings. */
  const worker = (endpoint: SpocEndpoint, liveness: Partial<LivenessOptions> = {}) =>
    adapter({ siteServers: [endpoint], liveness: { intervalMs: 60_000, failuresBeforeDown: 3, connectTimeoutMs: 500, stateFile, ...liveness } });
  const onlineSinceOf = async (a: ManagementServerAdapter) => (await a.spocStatus(['spoc-a']))['spoc-a']?.onlineSince;

  test('a new adapter over the same state file keeps the online-since time of a SPOC that stayed up', async () => {
    const { endpoint } = await upSiteServer();
    const before = worker(endpoint);
    await before.probeNow();
    const since = await onlineSinceOf(before);
    before.stop();
    await wait(30);
    const after = worker(endpoint);
    await after.probeNow();
    expect(await onlineSinceOf(after)).toBe(since);
    // Without the file the same restart reads as a SPOC that has just come online.
    const forgetful = adapter({ siteServers: [endpoint], liveness: { intervalMs: 60_000, failuresBeforeDown: 3, connectTimeoutMs: 500 } });
    await forgetful.probeNow();
    expect(Date.parse((await onlineSinceOf(forgetful))!)).toBeGreaterThan(Date.parse(since!));
  });

  test('the failures in a row carry over: one more after the restart does not take an online SPOC down, the third does', async () => {
    const { endpoint, ts } = await upSiteServer();
    const before = worker(endpoint);
    await before.probeNow();
    const since = await onlineSinceOf(before);
    await ts.close();
    await before.probeNow();
    const after = worker(endpoint);
    await after.probeNow();
    expect((await after.spocStatus(['spoc-a']))['spoc-a']).toMatchObject({ online: true, onlineSince: since });
    await after.probeNow();
    expect((await after.spocStatus(['spoc-a']))['spoc-a']).toMatchObject({ online: false, onlineSince: null });
  });

  test('a state older than failuresBeforeDown probe intervals is not trusted: the SPOC reads online since the new first probe', async () => {
    const { endpoint } = await upSiteServer();
    const quick = { intervalMs: 20, failuresBeforeDown: 2 };
    const before = worker(endpoint, quick);
    await before.probeNow();
    const since = await onlineSinceOf(before);
    await wait(150);
    const after = worker(endpoint, quick);
    await after.probeNow();
    expect(Date.parse((await onlineSinceOf(after))!)).toBeGreaterThan(Date.parse(since!));
  });

  test('a host now probed at another address starts afresh', async () => {
    const { endpoint } = await upSiteServer();
    const before = worker(endpoint);
    await before.probeNow();
    const since = await onlineSinceOf(before);
    await wait(30);
    const after = worker({ ...endpoint, address: 'localhost' });
    await after.probeNow();
    expect(Date.parse((await onlineSinceOf(after))!)).toBeGreaterThan(Date.parse(since!));
  });

  test('the file is replaced whole after each round; one that is not JSON is reported, not used, and rewritten', async () => {
    const { endpoint } = await upSiteServer();
    await worker(endpoint).probeNow();
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { version: number; hosts: Record<string, unknown> };
    expect(saved).toMatchObject({ version: 1, hosts: { 'spoc-a': { online: true, failures: 0, address: '127.0.0.1', ports: endpoint.ports } } });
    expect(readdirSync(path.dirname(stateFile))).toEqual(['spoc-probes.json']);
    writeFileSync(stateFile, '{"version": 1, "hosts": ');
    const lines: string[] = [];
    const after = worker(endpoint, { log: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain(`the SPOC probe state ${stateFile} is not JSON`);
    await after.probeNow();
    expect((await after.spocStatus(['spoc-a']))['spoc-a']?.online).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 1, hosts: { 'spoc-a': { online: true } } });
  });
});

describe('load', () => {
  const siteServers = async () => {
    const [spoc, ts] = [await tcpPort(), await tcpPort()];
    return ['spoc-a', 'spoc-b'].map((host) => ({ host, address: '127.0.0.1', ports: [spoc.port, ts.port] }));
  };
  const loadSource = (url: string, freshness: Partial<LoadSource> = {}): LoadSource => ({ url, timeoutMs: 1000, maxAgeMs: 60_000, requireAsOf: true, ...freshness });
  const json = (body: unknown, status = 200) => (res: http.ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  /** The time `secondsAgo` before now, as a load source stamps its answer. */
  const stamped = (secondsAgo = 0) => new Date(Date.now() - secondsAgo * 1000).toISOString();

  test("the load source's answer gives each SPOC's active jobs", async () => {
    const url = await webServer(json({ asOf: stamped(), hosts: { 'SPOC-A': { activeJobs: 0 }, 'spoc-b': { activeJobs: 4 } } }));
    const status = await adapter({ siteServers: await siteServers(), loadSource: loadSource(url) }).spocStatus(['spoc-a', 'spoc-b']);
    expect([status['spoc-a']?.activeJobs, status['spoc-b']?.activeJobs]).toEqual([0, 4]);
  });

  test('an answer of another shape, not JSON, an error status, no answer or a SPOC left out make the load unknown, never 0', async () => {
    const cases: [string, string][] = [
      [await webServer(json({ asOf: stamped(), hosts: { 'spoc-a': { activejobs: 0 } } })), 'hosts.spoc-a.activejobs: unknown field'],
      [await webServer(json('<html>')), 'is not JSON'],
      [await webServer(json({}, 500)), 'answered HTTP 500'],
      [`http://127.0.0.1:${await closedPort()}/`, 'did not answer'],
      [await webServer(json({ asOf: stamped(), hosts: { 'spoc-b': { activeJobs: 0 } } })), "the load source's answer does not list spoc-a"],
    ];
    const servers = await siteServers();
    for (const [url, reason] of cases) {
      const status = await adapter({ siteServers: servers, loadSource: loadSource(url) }).spocStatus(['spoc-a']);
      expect(status['spoc-a']).toMatchObject({ activeJobs: null, loadUnknown: { kind: 'load-source-failed', reason: expect.stringContaining(reason) } });
    }
  });

  describe('freshness: a count is used only while it is recent', () => {
    /** spoc-a's status from a load source answering `body`, asked with `freshness`. */
    const statusWith = async (body: unknown, freshness: Partial<LoadSource> = {}) =>
      (await adapter({ siteServers: await siteServers(), loadSource: loadSource(await webServer(json(body)), freshness) }).spocStatus(['spoc-a', 'spoc-b']));

    test('an answer older than maxAgeSeconds is an unknown load, saying how old', async () => {
      const status = await statusWith({ asOf: stamped(90), hosts: { 'spoc-a': { activeJobs: 0 }, 'spoc-b': { activeJobs: 0 } } });
      expect(status['spoc-a']).toMatchObject({ activeJobs: null, loadUnknown: { kind: 'load-source-failed', reason: expect.stringMatching(/count is from .*, 9\d s old, older than loadSource\.maxAgeSeconds \(60 s\)/) } });
    });

    test("a host's own asOf wins over the answer's", async () => {
      const status = await statusWith({ asOf: stamped(), hosts: { 'spoc-a': { activeJobs: 0, asOf: stamped(120) }, 'spoc-b': { activeJobs: 1 } } });
      expect(status['spoc-a']).toMatchObject({ activeJobs: null, loadUnknown: { reason: expect.stringContaining('older than loadSource.maxAgeSeconds') } });
      expect(status['spoc-b']).toMatchObject({ activeJobs: 1 });
      const fresher = await statusWith({ asOf: stamped(120), hosts: { 'spoc-a': { activeJobs: 0, asOf: stamped(1) }, 'spoc-b': { activeJobs: 0 } } });
      expect(fresher['spoc-a']).toMatchObject({ activeJobs: 0 });
      expect(fresher['spoc-b']).toMatchObject({ activeJobs: null });
    });

    test('an answer without asOf is an unknown load, unless requireAsOf is false', async () => {
      const body = { hosts: { 'spoc-a': { activeJobs: 0 }, 'spoc-b': { activeJobs: 0 } } };
      expect((await statusWith(body))['spoc-a']).toMatchObject({ activeJobs: null, loadUnknown: { reason: expect.stringContaining('no asOf') } });
      expect((await statusWith(body, { requireAsOf: false }))['spoc-a']).toMatchObject({ activeJobs: 0 });
    });

    test('a time a little ahead of the worker is accepted; one far ahead is not (the clocks disagree)', async () => {
      const ahead = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
      expect((await statusWith({ asOf: ahead(2), hosts: { 'spoc-a': { activeJobs: 0 } } }))['spoc-a']).toMatchObject({ activeJobs: 0 });
      expect((await statusWith({ asOf: ahead(60), hosts: { 'spoc-a': { activeJobs: 0 } } }))['spoc-a']).toMatchObject({
        activeJobs: null,
        loadUnknown: { reason: expect.stringContaining("ahead of the central worker's clock") },
      });
    });

    test('a time without a zone is refused as another shape: a local time cannot be compared', async () => {
      const status = await statusWith({ asOf: '2026-11-22T01:28:34', hosts: { 'spoc-a': { activeJobs: 0 } } });
      expect(status['spoc-a']).toMatchObject({ activeJobs: null, loadUnknown: { reason: expect.stringContaining('asOf: must be an ISO 8601 time with Z or an offset') } });
    });

    test('the request asks past caches', async () => {
      let cacheControl: string | undefined;
      const url = await webServer((res) => {
        cacheControl = res.req.headers['cache-control'];
        json({ asOf: stamped(), hosts: { 'spoc-a': { activeJobs: 0 } } })(res);
      });
      await adapter({ siteServers: await siteServers(), loadSource: loadSource(url) }).spocStatus(['spoc-a']);
      expect(cacheControl).toBe('no-cache');
    });

    test('a stale answer of no load does not pass the load check: it is retried, as a failing load source', async () => {
      const url = await webServer(json({ asOf: stamped(600), hosts: { 'spoc-a': { activeJobs: 0 }, 'spoc-b': { activeJobs: 0 } } }));
      const a = adapter({ siteServers: await siteServers(), loadSource: loadSource(url) });
      const failure = await createCentralActivities(a).checkNoLoad({ step: 'checkNoLoad', title: 't', action: 'check-no-load', hosts: ['spoc-a', 'spoc-b'] }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ type: 'LoadSourceError', nonRetryable: false, message: expect.stringContaining('older than loadSource.maxAgeSeconds') });
    });
  });

  describe('the load check on top of it', () => {
    const check = (a: ManagementServerAdapter) => createCentralActivities(a).checkNoLoad({ step: 'checkNoLoad', title: 't', action: 'check-no-load', hosts: ['spoc-a', 'spoc-b'] });

    test('without a load source it halts at once, saying so and how to attest', async () => {
      const failure = (await check(adapter({ siteServers: await siteServers() })).catch((e: unknown) => e)) as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe('NoLoadSourceError');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('the load of spoc-a, spoc-b is unknown: no load source is configured in the fleet configuration (loadSource)');
      expect(failure.message).toContain('overrideLoad --operator <your name> --reason');
    });

    test('a load source that fails is asked again by the retries before it halts', async () => {
      const url = await webServer(json({}, 502));
      const failure = (await check(adapter({ siteServers: await siteServers(), loadSource: loadSource(url) })).catch((e: unknown) => e)) as ApplicationFailure;
      expect(failure).toMatchObject({ type: 'LoadSourceError', nonRetryable: false, message: expect.stringContaining('answered HTTP 502') });
    });

    test('members with active jobs halt it; none pass it', async () => {
      const busy = await webServer(json({ asOf: stamped(), hosts: { 'spoc-a': { activeJobs: 0 }, 'spoc-b': { activeJobs: 2 } } }));
      await expect(check(adapter({ siteServers: await siteServers(), loadSource: loadSource(busy) }))).rejects.toMatchObject({ type: 'MembersUnderLoadError', message: expect.stringContaining('spoc-b has 2 active jobs') });
      const idle = await webServer(json({ asOf: stamped(), hosts: { 'spoc-a': { activeJobs: 0 }, 'spoc-b': { activeJobs: 0 } } }));
      await expect(check(adapter({ siteServers: await siteServers(), loadSource: loadSource(idle) }))).resolves.toEqual({ activeJobs: { 'spoc-a': 0, 'spoc-b': 0 } });
    });
  });
});
